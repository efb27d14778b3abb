import { closeSync, existsSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { UserInputError } from '../config/issues.js';

/**
 * One writer per run directory. The lock file holds the owner's pid and host; a lock left by a
 * process that no longer exists on this host (a crash, `kill -9`) is taken over.
 */
export class RunLock {
  private constructor(private readonly file: string) {}

  static acquire(file: string): RunLock {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() }));
        closeSync(fd);
        return new RunLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = readOwner(file);
        if (owner && owner.host === hostname() && isAlive(owner.pid) && owner.pid !== process.pid) {
          throw new UserInputError(`${file}: this run is in use by process ${owner.pid} (since ${owner.since}); wait for it or stop it first`);
        }
        if (owner && owner.host !== hostname()) {
          throw new UserInputError(`${file}: this run is locked by host ${owner.host} (pid ${owner.pid}); delete the lock file if that process is gone`);
        }
        unlinkSync(file);
      }
    }
    throw new Error(`${file}: could not take the run lock`);
  }

  release(): void {
    try {
      unlinkSync(this.file);
    } catch {
      // already gone: nothing to release
    }
  }
}

/**
 * Whether a run is in use: its lock exists and the owner lives. A lock left by a dead process of
 * this host (`kill -9`, a crash) is not; one held from another host cannot be checked and counts.
 */
export function isLockHeld(file: string): boolean {
  if (!existsSync(file)) return false;
  const owner = readOwner(file);
  return !owner || owner.host !== hostname() || isAlive(owner.pid);
}

/** The owner a lock file names, or undefined when it is unreadable (torn by a crash while being written). */
export function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8'));
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined; // a lock torn by a crash while being written
  }
}

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

/** Whether a process of this host is running (one of another user counts too). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
