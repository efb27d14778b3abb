import { wilcoxonRankSum } from 'simple-statistics';
import { erfc } from '../gp/erfcx.js';

/** Largest pooled sample for which the exact null distribution is used (counts stay exact in doubles). */
export const EXACT_MAX_TOTAL = 50;

export interface RankTestResult {
  /** Mann–Whitney U of the first sample: pairs (x, y) with x > y, ties counting one half. */
  u: number;
  n1: number;
  n2: number;
  /** Two-sided p-value. */
  p: number;
  /** exact: the permutation distribution of U (no ties); normal: tie-corrected normal approximation with continuity correction. */
  method: 'exact' | 'normal';
  /** U / (n1·n2): the probability that a draw of the first sample beats one of the second (ties half). */
  effect: number;
}

/**
 * Two-sided Wilcoxon rank-sum / Mann–Whitney U test. simple-statistics gives the rank sum; the
 * p-value is computed here: exactly from the null distribution of U when there are no ties and
 * n1 + n2 ≤ 50, otherwise by the normal approximation with the tie-corrected variance and a
 * continuity correction. The formulas are scipy.stats.mannwhitneyu's, but not its default choice
 * between them: scipy's method='auto' goes normal as soon as both samples exceed 8, even without
 * ties. The exact distribution is what the normal one approximates, and comparisons rarely have
 * more than a few dozen seeds, so it is used wherever it is cheap and exact in doubles.
 */
export function mannWhitneyU(x: readonly number[], y: readonly number[]): RankTestResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 === 0 || n2 === 0) throw new Error('mannWhitneyU: both samples need at least one value');
  const u = wilcoxonRankSum([...x], [...y]) - (n1 * (n1 + 1)) / 2;
  const effect = u / (n1 * n2);
  const ties = tieSizes([...x, ...y]);
  if (ties.length === 0 && n1 + n2 <= EXACT_MAX_TOTAL) {
    const counts = exactUCounts(n1, n2);
    const total = counts.reduce((a, b) => a + b, 0);
    const below = counts.slice(0, Math.floor(u) + 1).reduce((a, b) => a + b, 0);
    const above = counts.slice(Math.ceil(u)).reduce((a, b) => a + b, 0);
    return { u, n1, n2, p: Math.min(1, (2 * Math.min(below, above)) / total), method: 'exact', effect };
  }
  const n = n1 + n2;
  const tieTerm = ties.reduce((s, t) => s + (t ** 3 - t), 0) / (n * (n - 1));
  const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm));
  if (sigma === 0) return { u, n1, n2, p: 1, method: 'normal', effect };
  const z = Math.max(0, Math.abs(u - (n1 * n2) / 2) - 0.5) / sigma;
  // Two-sided: 2·(1 − Φ(z)) = erfc(z/√2). Written as 1 − erf(z/√2), the cancellation leaves no
  // relative accuracy in the tail and gives p = 0 from z ≈ 8.5 on.
  return { u, n1, n2, p: Math.min(1, erfc(z / Math.SQRT2)), method: 'normal', effect };
}

/** Sizes of the groups of equal values (only groups of two or more). */
function tieSizes(values: readonly number[]): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const sizes: number[] = [];
  let run = 1;
  for (let i = 1; i <= sorted.length; i++) {
    if (i < sorted.length && sorted[i] === sorted[i - 1]) run++;
    else {
      if (run > 1) sizes.push(run);
      run = 1;
    }
  }
  return sizes;
}

/**
 * Number of orderings of n1 x's and n2 y's with each U = 0..n1·n2. The largest of i x's and j y's
 * is either an x (beating all j y's) or a y: c(i, j, u) = c(i−1, j, u−j) + c(i, j−1, u).
 */
export function exactUCounts(n1: number, n2: number): number[] {
  let previous: number[][] = Array.from({ length: n1 + 1 }, () => [1]); // j = 0: only U = 0
  for (let j = 1; j <= n2; j++) {
    const current: number[][] = [[1]];
    for (let i = 1; i <= n1; i++) {
      const counts = new Array<number>(i * j + 1).fill(0);
      current[i - 1].forEach((c, u) => (counts[u + j] += c));
      previous[i].forEach((c, u) => (counts[u] += c));
      current.push(counts);
    }
    previous = current;
  }
  return previous[n1];
}

/**
 * The smallest two-sided p-value the exact test can give for samples of n1 and n2 without ties:
 * complete separation, one ordering in each tail out of C(n1 + n2, n1) equally likely ones.
 */
export function smallestExactP(n1: number, n2: number): number {
  let orderings = 1;
  for (let k = 1; k <= Math.min(n1, n2); k++) orderings = (orderings * (n1 + n2 - k + 1)) / k;
  return Math.min(1, 2 / orderings);
}

/** Holm's step-down adjustment of p-values for multiple comparisons, in the input order. */
export function holmAdjust(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => ({ p, i })).sort((a, b) => a.p - b.p);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach(({ p, i }, k) => {
    running = Math.max(running, Math.min(1, (m - k) * p));
    adjusted[i] = running;
  });
  return adjusted;
}
