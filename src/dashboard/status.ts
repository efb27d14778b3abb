import type { RunStatus } from '../run/run-status.js';

export type ShownStatus = 'running' | 'finished' | 'interrupted' | 'crashed' | 'error' | 'new' | 'not started';

/** What the dashboard lists: a run that stopped on its budget, patience, target or time limit is finished. */
export function shownStatus(status: RunStatus): ShownStatus {
  return status === 'budget' || status === 'patience' || status === 'target' || status === 'time-limit' ? 'finished' : status;
}

/** A comparison's status from its members': running while any runs, crashed if one crashed, finished when all are. */
export function comparisonStatus(members: readonly ShownStatus[]): ShownStatus {
  for (const s of ['running', 'crashed', 'error'] as const) if (members.includes(s)) return s;
  if (members.every((s) => s === 'finished')) return 'finished';
  return members.some((s) => s !== 'not started') ? 'interrupted' : 'not started';
}
