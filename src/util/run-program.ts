import { spawn } from 'node:child_process';

export interface ProgramOptions {
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Written to the program's stdin, which is then closed. */
  input: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What a program may print before it is cut off (1 MiB): a bound on a misbehaving program. */
const MAX_OUTPUT_BYTES = 1 << 20;

/**
 * Runs argv without a shell and resolves with its stdout. A start failure, non-zero exit, timeout,
 * abort or flood of output rejects with a message that ends with the tail of stderr. The whole
 * process group is killed, so a wrapper script's children do not outlive the call.
 */
export function runProgram(argv: readonly string[], o: ProgramOptions): Promise<string> {
  const [program, ...args] = argv;
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, {
      cwd: o.cwd,
      env: { ...process.env, ...o.env },
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
        if (child.pid !== undefined) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => kill(`timed out after ${o.timeoutMs / 1000}s`), o.timeoutMs);
    const onAbort = () => kill('interrupted');
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => {
      stdoutBytes += chunk.length;
      if (stdoutBytes > MAX_OUTPUT_BYTES) kill(`printed more than ${MAX_OUTPUT_BYTES} bytes`);
      else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.stdin.on('error', () => {}); // a program that exits without reading stdin is judged by its exit code
    child.stdin.end(o.input);
    child.on('error', (err: NodeJS.ErrnoException) => {
      failure ??= err.code === 'ENOENT' ? `not found: ${program}` : `cannot start ${program}: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      const tail = stderr.trim() ? `; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : '';
      if (failure) reject(new Error(`${failure}${tail}`));
      else if (code !== 0) reject(new Error(`exited with ${code ?? signal}${tail}`));
      else resolve(Buffer.concat(stdout).toString('utf8'));
    });
  });
}
