import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { JsonObject } from '../util/json.js';
import { fromBase, relativeToBase } from '../util/paths.js';
import { parseDuration } from '../util/duration.js';
import type { ConfigIssue } from '../config/issues.js';
import type { ObjectiveKind } from './kind.js';
import { EvaluationError, type Evaluation, type EvaluationContext, type Objective } from './types.js';
import { preview, toEvaluation } from './result.js';

/** What a scorer program may print before it is cut off (1 MiB): a bound on a misbehaving program. */
const MAX_OUTPUT_BYTES = 1 << 20;

interface CommandSection {
  command: string[];
  cwd: string;
  timeout: number | string;
  concurrency: number;
  env: Record<string, string>;
}

/**
 * An external program as the objective. It runs without a shell (argv only), reads
 * `{"trial": n, "weights": {...}}` on stdin and prints a number or `{"value", "details"}`.
 * A non-zero exit, a timeout, garbage or a non-finite value fails the trial; the run goes on.
 */
export class CommandObjective implements Objective {
  readonly kind = 'command';
  readonly concurrency: number;
  private readonly timeoutMs: number;

  constructor(
    private readonly argv: readonly string[],
    private readonly cwd: string,
    timeoutSeconds: number,
    concurrency: number,
    private readonly env: Readonly<Record<string, string>>,
  ) {
    this.concurrency = concurrency;
    this.timeoutMs = timeoutSeconds * 1000;
  }

  evaluate(weights: Readonly<Record<string, number>>, ctx: EvaluationContext): Promise<Evaluation> {
    const [program, ...args] = this.argv;
    return new Promise<Evaluation>((resolve, reject) => {
      const child = spawn(program, args, {
        cwd: this.cwd,
        env: { ...process.env, ...this.env },
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: process.platform !== 'win32',
      });
      const stdout: Buffer[] = [];
      let stdoutBytes = 0;
      let stderr = '';
      let failure: string | undefined;
      const kill = (why: string) => {
        failure ??= why;
        try {
          // The whole process group: a wrapper script's children must not outlive the trial.
          if (child.pid !== undefined) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
      };
      const timer = setTimeout(() => kill(`timed out after ${this.timeoutMs / 1000}s`), this.timeoutMs);
      const onAbort = () => kill('interrupted');
      ctx.signal.addEventListener('abort', onAbort, { once: true });

      child.stdout.on('data', (chunk: Buffer) => {
        stdoutBytes += chunk.length;
        if (stdoutBytes > MAX_OUTPUT_BYTES) kill(`printed more than ${MAX_OUTPUT_BYTES} bytes`);
        else stdout.push(chunk);
      });
      child.stderr.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      });
      child.stdin.on('error', () => {}); // a program that exits without reading its input is judged by its exit code
      child.stdin.end(JSON.stringify({ trial: ctx.trial, weights }));

      child.on('error', (err: NodeJS.ErrnoException) => {
        failure ??= err.code === 'ENOENT' ? `command not found: ${program}` : `cannot start ${program}: ${err.message}`;
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        ctx.signal.removeEventListener('abort', onAbort);
        const tail = stderr.trim() ? `; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
        if (failure) return reject(new EvaluationError(`command ${failure}${tail}`));
        if (code !== 0) return reject(new EvaluationError(`command exited with ${code ?? signal}${tail}`));
        const text = Buffer.concat(stdout).toString('utf8').trim();
        try {
          resolve(toEvaluation(parseOutput(text), 'command'));
        } catch (e) {
          reject(e);
        }
      });
    });
  }
}

function parseOutput(text: string): unknown {
  if (text === '') throw new EvaluationError('command printed nothing; expected a number or JSON with "value"');
  const lastLine = text.split('\n').at(-1)!.trim();
  for (const candidate of [text, lastLine]) {
    try {
      return JSON.parse(candidate);
    } catch {
      // try the next form
    }
  }
  throw new EvaluationError(`command output is not a number or JSON: ${preview(text)}`);
}

export const commandObjectiveKind: ObjectiveKind = {
  kind: 'command',
  async resolve(section, { baseDir }) {
    const s = section as unknown as CommandSection;
    const issues: ConfigIssue[] = [];
    const [program, ...args] = s.command;
    // A program given as a path is made relative to the experiment; a bare name is looked up on PATH.
    const resolvedProgram = program.includes('/') ? relativeToBase(baseDir, program) : program;
    if (program.includes('/') && !existsSync(fromBase(baseDir, resolvedProgram))) {
      issues.push({ path: ['objective', 'command', 0], message: `program not found: ${resolvedProgram} (relative to the experiment file)` });
    }
    const cwd = relativeToBase(baseDir, s.cwd);
    if (!existsSync(fromBase(baseDir, cwd))) issues.push({ path: ['objective', 'cwd'], message: `directory not found: ${cwd}` });
    try {
      parseDuration(s.timeout);
    } catch (e) {
      issues.push({ path: ['objective', 'timeout'], message: (e as Error).message });
    }
    return { section: { ...section, command: [resolvedProgram, ...args], cwd } as JsonObject, issues };
  },
  async fingerprint() {
    return null;
  },
  async create(section, { baseDir }) {
    const s = section as unknown as CommandSection;
    const [program, ...args] = s.command;
    const argv = [program.includes('/') ? fromBase(baseDir, program) : program, ...args];
    return new CommandObjective(argv, fromBase(baseDir, s.cwd), parseDuration(s.timeout), s.concurrency, s.env);
  },
};
