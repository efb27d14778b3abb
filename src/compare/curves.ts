import type { JournalEvent, TrialEvent } from '../run/journal.js';

/**
 * A run's history as an optimizer comparison sees it: one entry per finished evaluation, in the
 * order the evaluations finished (failed ones included: they spent budget too).
 */
export interface RunHistory {
  /** Value of each finished evaluation; undefined where it failed. */
  values: ReadonlyArray<number | undefined>;
}

export function historyFromJournal(events: readonly JournalEvent[]): RunHistory {
  return { values: events.filter((e): e is TrialEvent => e.type === 'trial').map((t) => (t.status === 'ok' ? t.value : undefined)) };
}

/**
 * Best value after each of the first `length` evaluations. Before the first success the entry is
 * undefined; after the run's last evaluation its final best carries forward, so a run stopped
 * early (patience, target) is compared at every budget with what it ended with.
 */
export function bestSoFar(history: RunHistory, length = history.values.length): Array<number | undefined> {
  const out: Array<number | undefined> = [];
  let best: number | undefined;
  for (let k = 0; k < length; k++) {
    const v = history.values[k];
    if (v !== undefined && (best === undefined || v > best)) best = v;
    out.push(best);
  }
  return out;
}

/** Best value after `evaluations` evaluations (the final best when the run has fewer). */
export function bestAt(history: RunHistory, evaluations: number): number | undefined {
  return bestSoFar(history, evaluations)[evaluations - 1];
}

/**
 * Mean of the best-so-far curve over evaluations 1..budget: the normalized area under it, high
 * when an optimizer gets good early. Evaluations before the first success count as `floor`
 * (the lowest value seen anywhere in the comparison), so every run is measured on one scale.
 */
export function areaUnderBestSoFar(history: RunHistory, budget: number, floor: number): number {
  const curve = bestSoFar(history, budget);
  return curve.reduce<number>((sum, v) => sum + (v ?? floor), 0) / budget;
}

/** Number of evaluations after which the best value first reaches `threshold`; undefined if never. */
export function evaluationsToReach(history: RunHistory, threshold: number): number | undefined {
  const curve = bestSoFar(history);
  const k = curve.findIndex((v) => v !== undefined && v >= threshold);
  return k < 0 ? undefined : k + 1;
}
