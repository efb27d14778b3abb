import { median } from 'simple-statistics';
import { areaUnderBestSoFar, bestAt, bestSoFar, evaluationsToReach, type RunHistory } from './curves.js';
import { holmAdjust, mannWhitneyU, type RankTestResult } from './rank-test.js';
import type { ComparisonData } from './manifest.js';

/** The runs of one optimizer variant, one per seed, in the order of the comparison's seeds. */
export interface VariantRuns {
  name: string;
  runs: readonly RunHistory[];
}

export interface Spread {
  median: number;
  q1: number;
  q3: number;
}

export interface VariantSummary {
  name: string;
  runs: number;
  /** Best value at the budget over seeds (runs without any success are left out; see `failedRuns`). */
  atBudget: Spread | undefined;
  /** Best value at each checkpoint, in the order of `checkpoints`. */
  atCheckpoints: Array<Spread | undefined>;
  /** Runs that had no successful evaluation within the budget. */
  failedRuns: number;
  /** Rank among the variants at the budget (1 best, ties averaged), averaged over seeds. */
  meanRank: number;
  /** Normalized area under the best-so-far curve (see areaUnderBestSoFar), median over seeds. */
  auc: number;
  /** With a threshold: evaluations to reach it, median over seeds (undefined when at most half reached it). */
  toThreshold?: { median: number | undefined; reached: number };
}

export interface PairwiseTest extends RankTestResult {
  a: string;
  b: string;
  /** p after Holm's adjustment over all pairs. */
  pHolm: number;
}

export interface CurveBand {
  name: string;
  /** Per evaluation 1..budget: median and quartiles of the best-so-far value over seeds. */
  points: Array<Spread | undefined>;
}

export interface ComparisonStatistics {
  budget: number;
  checkpoints: number[];
  threshold?: number;
  variants: VariantSummary[];
  pairwise: PairwiseTest[];
  curves: CurveBand[];
}

/**
 * Quantile with linear interpolation between order statistics (Hyndman–Fan type 7, the default
 * of numpy, R and pandas, so numbers match what users compute in a notebook).
 */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new Error('quantile of an empty sample');
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

export function spread(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  return { median: median([...values]), q1: quantile(values, 0.25), q3: quantile(values, 0.75) };
}

/** Ranks with 1 for the largest value; equal values share the mean of their ranks. */
export function descendingRanks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => b.v - a.v);
  const ranks = new Array<number>(values.length);
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end + 1 < order.length && order[end + 1].v === order[start].v) end++;
    const rank = (start + end) / 2 + 1;
    for (let k = start; k <= end; k++) ranks[order[k].i] = rank;
    start = end + 1;
  }
  return ranks;
}

/**
 * Everything the comparison table shows. All variants must have run the same seeds in the same
 * order: ranks are taken per seed, where every optimizer faced the same initial randomness.
 */
export function compareStatistics(variants: readonly VariantRuns[], options: { budget: number; checkpoints?: number[]; threshold?: number }): ComparisonStatistics {
  const { budget } = options;
  const checkpoints = (options.checkpoints ?? []).filter((c) => c >= 1 && c <= budget);
  const seeds = variants.length > 0 ? Math.min(...variants.map((v) => v.runs.length)) : 0;
  const finals = variants.map((v) => v.runs.map((h) => bestAt(h, budget)));
  let floor = Infinity;
  for (const v of variants) for (const h of v.runs) for (const x of h.values) if (x !== undefined && x < floor) floor = x;
  if (floor === Infinity) floor = 0;
  // A run without any success ranks below every run that has one.
  const worst = floor - 1;

  const rankSums = new Array<number>(variants.length).fill(0);
  for (let s = 0; s < seeds; s++) {
    const ranks = descendingRanks(finals.map((f) => f[s] ?? worst));
    ranks.forEach((r, i) => (rankSums[i] += r));
  }

  const summaries: VariantSummary[] = variants.map((v, i) => {
    const ok = finals[i].filter((x): x is number => x !== undefined);
    const summary: VariantSummary = {
      name: v.name,
      runs: v.runs.length,
      atBudget: spread(ok),
      atCheckpoints: checkpoints.map((c) => spread(v.runs.map((h) => bestAt(h, c)).filter((x): x is number => x !== undefined))),
      failedRuns: v.runs.length - ok.length,
      meanRank: seeds > 0 ? rankSums[i] / seeds : NaN,
      auc: v.runs.length > 0 ? median(v.runs.map((h) => areaUnderBestSoFar(h, budget, floor))) : NaN,
    };
    if (options.threshold !== undefined && v.runs.length > 0) {
      const threshold = options.threshold;
      const hits = v.runs.map((h) => evaluationsToReach({ values: h.values.slice(0, budget) }, threshold) ?? Infinity);
      const mid = median(hits);
      summary.toThreshold = { median: Number.isFinite(mid) ? mid : undefined, reached: hits.filter(Number.isFinite).length };
    }
    return summary;
  });

  const tests: Array<Omit<PairwiseTest, 'pHolm'>> = [];
  for (let i = 0; i < variants.length; i++) {
    for (let j = i + 1; j < variants.length; j++) {
      const a = finals[i].map((x) => x ?? worst);
      const b = finals[j].map((x) => x ?? worst);
      if (a.length === 0 || b.length === 0) continue;
      tests.push({ a: variants[i].name, b: variants[j].name, ...mannWhitneyU(a, b) });
    }
  }
  const adjusted = holmAdjust(tests.map((t) => t.p));
  const pairwise = tests.map((t, k) => ({ ...t, pHolm: adjusted[k] }));

  const curves: CurveBand[] = variants.map((v) => {
    const perRun = v.runs.map((h) => bestSoFar(h, budget));
    return {
      name: v.name,
      points: Array.from({ length: budget }, (_, k) => spread(perRun.map((c) => c[k]).filter((x): x is number => x !== undefined))),
    };
  });

  return { budget, checkpoints, ...(options.threshold !== undefined ? { threshold: options.threshold } : {}), variants: summaries, pairwise, curves };
}

/** The statistics of a comparison's finished part, with the checkpoints and threshold its manifest set. */
export function comparisonStatistics(data: ComparisonData): ComparisonStatistics {
  const { manifest } = data;
  return compareStatistics(data.variants, {
    budget: manifest.budget,
    checkpoints: manifest.checkpoints,
    ...(manifest.threshold !== undefined ? { threshold: manifest.threshold } : {}),
  });
}
