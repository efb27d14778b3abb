import path from 'node:path';
import type { JournalEvent } from './journal.js';
import { isLockHeld } from './lock.js';

/**
 * What a run directory says about its run: `running` while a live process holds its lock, the
 * reason its last session stopped, `crashed` when that session ended without journaling a stop
 * (`kill -9`, a power cut: its lock, if left, belongs to a dead process), `new` before any.
 */
export function runStatus(dir: string, events: readonly JournalEvent[]): string {
  if (isLockHeld(path.join(dir, 'lock'))) return 'running';
  const last = events.findLast((e) => e.type === 'stop' || e.type === 'start');
  if (last === undefined) return 'new';
  return last.type === 'stop' ? last.reason : 'crashed';
}
