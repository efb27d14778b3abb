import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { WorkerRequest } from './protocol.js';

/**
 * A child process that answers one JSON line per request line, matched by `id`. The worker's
 * stderr passes through, so its warnings stay visible.
 */
export class JsonLinesWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, { resolve: (reply: unknown) => void; reject: (error: Error) => void }>();
  private exited: Error | undefined;

  constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    cwd: string,
  ) {
    this.child = spawn(command, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[${label}] ${chunk.toString()}`));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.trim()) return;
      let reply: Record<string, unknown>;
      try {
        reply = JSON.parse(line);
      } catch {
        process.stderr.write(`[${label}] ${line}\n`);
        return;
      }
      const entry = this.waiting.get(reply.id as number);
      this.waiting.delete(reply.id as number);
      entry?.resolve(reply);
    });
    this.child.on('error', (error) => this.fail(error));
    this.child.on('exit', (code, signal) => this.fail(new Error(`${label} exited (${signal ?? `code ${code}`})`)));
  }

  /** Sends one request; resolves with the worker's reply, typed as the caller expects it. */
  request<Reply>(message: WorkerRequest): Promise<Reply> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<Reply>((resolve, reject) => {
      this.waiting.set(message.id, { resolve: (reply) => resolve(reply as Reply), reject });
      this.child.stdin.write(`${JSON.stringify(message)}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const { reject } of this.waiting.values()) reject(error);
    this.waiting.clear();
  }
}
