import path from 'node:path';
import type { JournalEvent, StopReason } from './journal.js';
import { isLockHeld } from './lock.js';

/**
 * How a run stands: `running` while a live process holds its lock, the reason its last session
 * stopped, `crashed` when that session ended without journaling a stop (`kill -9`, a power cut:
 * its lock, if left, belongs to a dead process), `new` before any session.
 */
export type RunStatus = StopReason | 'running' | 'crashed' | 'new';

/** The one rule every listing uses (`autombw runs`, reports, the dashboard). */
export function runStatus(dir: string, events: readonly JournalEvent[]): RunStatus {
  if (isLockHeld(path.join(dir, 'lock'))) return 'running';
  const last = events.findLast((e) => e.type === 'stop' || e.type === 'start');
  if (last === undefined) return 'new';
  return last.type === 'stop' ? last.reason : 'crashed';
}
