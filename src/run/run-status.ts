import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { JournalEvent, StopReason } from './journal.js';
import { isAlive, readOwner } from './lock.js';

/**
 * How a run stands: a stop reason when its last session ended cleanly, `running` while a live
 * process holds its lock, `crashed` when its last session ended without a stop event (the lock's
 * owner died, or the lock is gone but the journal ends with a start), `new` before any session.
 */
export type RunStatus = StopReason | 'running' | 'crashed' | 'new';

/**
 * The one rule every listing uses (`autombw runs`, reports, the dashboard). A lock held by a
 * process of another host counts as running: its liveness cannot be checked from here.
 */
export function runStatus(dir: string, events: readonly JournalEvent[]): RunStatus {
  const lock = path.join(dir, 'lock');
  if (existsSync(lock)) {
    const owner = readOwner(lock);
    const dead = owner !== undefined && owner.host === hostname() && !isAlive(owner.pid);
    return dead ? 'crashed' : 'running';
  }
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'stop') return e.reason;
    if (e.type === 'start') return 'crashed';
  }
  return 'new';
}
