import { existsSync } from 'node:fs';
import type { JsonObject } from '../util/json.js';
import { fromBase, relativeToBase } from '../util/paths.js';
import { parseDuration } from '../util/duration.js';
import type { ConfigIssue } from '../config/issues.js';
import type { ObjectiveKind } from './kind.js';
import { EvaluationError, type Evaluation, type EvaluationContext, type Objective } from './types.js';
import { preview, toEvaluation } from './result.js';
import { runProgram } from '../util/run-program.js';

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

  async evaluate(weights: Readonly<Record<string, number>>, ctx: EvaluationContext): Promise<Evaluation> {
    let stdout: string;
    try {
      stdout = await runProgram(this.argv, {
        cwd: this.cwd,
        env: this.env,
        input: JSON.stringify({ trial: ctx.trial, weights }),
        timeoutMs: this.timeoutMs,
        signal: ctx.signal,
      });
    } catch (e) {
      throw new EvaluationError(`command ${(e as Error).message}`);
    }
    return toEvaluation(parseOutput(stdout.trim()), 'command');
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
  semantic({ concurrency: _concurrency, ...rest }) {
    return rest;
  },
  async create(section, { baseDir }) {
    const s = section as unknown as CommandSection;
    const [program, ...args] = s.command;
    const argv = [program.includes('/') ? fromBase(baseDir, program) : program, ...args];
    return new CommandObjective(argv, fromBase(baseDir, s.cwd), parseDuration(s.timeout), s.concurrency, s.env);
  },
};
