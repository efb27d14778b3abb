import { pointKey } from '../optimizers/base.js';
import type { Trial } from '../optimizers/types.js';
import type { TrialEvent } from '../run/journal.js';

/** The trials of a run by id, with the points they were proposed at. */
export interface TrialRecord {
  trials: readonly TrialEvent[];
  proposals: ReadonlyMap<number, Trial>;
}

export interface TrialComparison {
  ok: boolean;
  /** Trials whose point and outcome were compared. */
  compared: number;
  /** Of those, bit-identical values (or both failed). */
  identical: number;
  /** Largest |original − reproduction| among the compared values. */
  maxDifference: number;
  /** The first trial at which the reproduction proposed another point, if it did. */
  divergedAt?: number;
  /** Why the comparison failed, when it did. */
  problem?: string;
}

/**
 * Compares the first `count` trials (by id) of a run and its reproduction: same point, same
 * status, and values equal within `relative` × max(1, |value|) (0: bit-identical). Comparison
 * stops where the reproduction proposes another point: beyond that the two runs explore
 * different recipes.
 */
export function compareTrials(original: TrialRecord, reproduction: TrialRecord, count: number, relative: number): TrialComparison {
  const byId = (r: TrialRecord) => new Map(r.trials.map((t) => [t.id, t]));
  const [a, b] = [byId(original), byId(reproduction)];
  const ids = [...a.keys()].sort((x, y) => x - y).slice(0, count);
  const result: TrialComparison = { ok: true, compared: 0, identical: 0, maxDifference: 0 };
  for (const id of ids) {
    const [pa, pb] = [original.proposals.get(id), reproduction.proposals.get(id)];
    if (!pb || !b.has(id)) return { ...result, ok: false, problem: `trial ${id} was not evaluated in the reproduction` };
    if (!pa || pointKey(pa.x) !== pointKey(pb.x)) return { ...result, divergedAt: id };
    const [ta, tb] = [a.get(id)!, b.get(id)!];
    result.compared++;
    if (ta.status !== tb.status) {
      const what = (t: TrialEvent) => (t.status === 'ok' ? `value ${t.value}` : `failed (${t.error})`);
      return { ...result, ok: false, problem: `trial ${id}: the run had ${what(ta)}, the reproduction ${what(tb)}` };
    }
    if (ta.status === 'failed') {
      result.identical++;
      continue;
    }
    const difference = Math.abs(ta.value! - tb.value!);
    result.maxDifference = Math.max(result.maxDifference, difference);
    if (difference === 0) result.identical++;
    else if (difference > relative * Math.max(1, Math.abs(ta.value!))) {
      return { ...result, ok: false, problem: `trial ${id}: value ${ta.value} in the run, ${tb.value} in the reproduction (difference ${difference.toPrecision(3)})` };
    }
  }
  return result;
}
