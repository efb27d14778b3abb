import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/run/journal.js';
import { runStatus } from '../../src/run/run-status.js';
import { tempDir } from '../support/tmp.js';

const START: JournalEvent = { type: 'start', time: '2026-01-01T00:00:00Z', hash: 'h', session: 1, version: '0' };
const STOP: JournalEvent = { type: 'stop', time: '2026-01-01T00:01:00Z', reason: 'budget' };

function lockedBy(pid: number): string {
  const dir = tempDir();
  writeFileSync(path.join(dir, 'lock'), JSON.stringify({ pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
  return dir;
}

describe('runStatus', () => {
  it('is running while the process holding the lock is alive', () => {
    expect(runStatus(lockedBy(process.pid), [START])).toBe('running');
  });

  it('is crashed when the lock names a process of this host that no longer exists', () => {
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(runStatus(lockedBy(gone), [START])).toBe('crashed');
  });

  it('is running when the lock belongs to another host, whose processes cannot be checked', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'lock'), JSON.stringify({ pid: 1, host: `not-${hostname()}`, since: '2026-01-01T00:00:00Z' }));
    expect(runStatus(dir, [START])).toBe('running');
  });

  it('is the stop reason of the last session when no lock is held', () => {
    expect(runStatus(tempDir(), [START, STOP])).toBe('budget');
  });

  it('is crashed when the last session started and never stopped', () => {
    expect(runStatus(tempDir(), [START, STOP, { ...START, session: 2 }])).toBe('crashed');
  });

  it('is new before any session', () => {
    expect(runStatus(tempDir(), [])).toBe('new');
  });
});
