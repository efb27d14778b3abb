import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { startCli } from '../support/cli.js';

export interface Attempt {
  /** True when the process was killed; false when it exited on its own. */
  killed: boolean;
  code: number | null;
  stderr: string;
}

/** How long one attempt may take before the test calls it a hang. */
const ATTEMPT_LIMIT_MS = 60_000;
/**
 * Starts `autombw <args>` and SIGKILLs it `jitterMs` after `trigger(pid)` first returns true;
 * a process that finishes first is left alone. The trigger is polled every millisecond; one that
 * looks for a shorter state (a write in progress) should poll a while itself.
 */
export async function runUntilKilled(args: string[], cwd: string, trigger: (pid: number) => boolean, jitterMs = 0): Promise<Attempt> {
  const child = startCli(args, { cwd });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  child.stdout!.resume();
  const exited = once(child, 'exit');
  const deadline = Date.now() + ATTEMPT_LIMIT_MS;
  let fired = false;
  while (running(child) && !fired) {
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`autombw ${args.join(' ')} ran for more than ${ATTEMPT_LIMIT_MS / 1000}s`);
    }
    fired = trigger(child.pid!);
    if (!fired) await sleep(1);
  }
  if (fired && jitterMs > 0) await sleep(jitterMs);
  const killed = fired && running(child) && child.kill('SIGKILL');
  const [code] = (await exited) as [number | null];
  return { killed, code, stderr };
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}
