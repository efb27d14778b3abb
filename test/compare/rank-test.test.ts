import { describe, expect, it } from 'vitest';
import { exactUCounts, holmAdjust, mannWhitneyU, smallestExactP } from '../../src/compare/rank-test.js';
import { Rng } from '../../src/util/rng.js';
import { HAVE_SCIPY, python } from './scipy.js';

/** Every way to pick which n1 of the n1+n2 positions hold the first sample. */
function* subsets(n: number, k: number, start = 0, chosen: number[] = []): Generator<number[]> {
  if (chosen.length === k) {
    yield chosen;
    return;
  }
  for (let i = start; i <= n - (k - chosen.length); i++) yield* subsets(n, k, i + 1, [...chosen, i]);
}

/** U counted the definition's way: pairs (x, y) with x > y, ties one half. */
function pairCount(x: readonly number[], y: readonly number[]): number {
  let u = 0;
  for (const a of x) for (const b of y) u += a > b ? 1 : a === b ? 0.5 : 0;
  return u;
}

describe('Mann–Whitney U', () => {
  it('counts U as the pairs the first sample wins, ties counting half', () => {
    const x = [3.1, 4.5, 4.5, 9];
    const y = [1, 4.5, 8, 10, 2];
    const r = mannWhitneyU(x, y);
    expect(r.u).toBe(pairCount(x, y));
    expect(r.effect).toBeCloseTo(pairCount(x, y) / 20, 12);
  });

  it.each([[1, 1], [2, 3], [4, 4], [3, 7], [6, 5]])('null distribution for n1=%i, n2=%i matches brute-force enumeration', (n1, n2) => {
    const counts = new Array<number>(n1 * n2 + 1).fill(0);
    for (const positions of subsets(n1 + n2, n1)) {
      const x = positions;
      const y = Array.from({ length: n1 + n2 }, (_, i) => i).filter((i) => !positions.includes(i));
      counts[pairCount(x, y)]++;
    }
    expect(exactUCounts(n1, n2)).toEqual(counts);
  });

  it('exact p-value equals the share of relabellings at least as extreme (no ties)', () => {
    const rng = Rng.fromSeed('mw-exact');
    const x = Array.from({ length: 6 }, () => rng.normal() + 0.8);
    const y = Array.from({ length: 7 }, () => rng.normal());
    const pooled = [...x, ...y];
    const observed = Math.abs(pairCount(x, y) - 21);
    let extreme = 0;
    let total = 0;
    for (const positions of subsets(13, 6)) {
      const a = positions.map((i) => pooled[i]);
      const b = pooled.filter((_, i) => !positions.includes(i));
      if (Math.abs(pairCount(a, b) - 21) >= observed - 1e-12) extreme++;
      total++;
    }
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('exact');
    expect(r.p).toBeCloseTo(extreme / total, 12);
  });

  it('is symmetric: swapping the samples keeps p and mirrors U', () => {
    const x = [5, 7, 9, 11, 12];
    const y = [1, 2, 6, 8];
    const a = mannWhitneyU(x, y);
    const b = mannWhitneyU(y, x);
    expect(b.p).toBeCloseTo(a.p, 12);
    expect(a.u + b.u).toBe(20);
  });

  it('keeps tail p-values of the normal approximation above 0 (100 values all above another 100)', () => {
    const y = Array.from({ length: 100 }, (_, i) => i);
    const x = y.map((v) => v + 100);
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('normal');
    // z = (5000 − 0.5)/√(100·100·201/12) ≈ 12.2, far past where 1 − erf(z/√2) rounds to 0.
    expect(r.p).toBeGreaterThan(1e-34);
    expect(r.p).toBeLessThan(1e-32);
  });

  it('gives p = 1 when every value is the same', () => {
    expect(mannWhitneyU([2, 2, 2], [2, 2]).p).toBe(1);
  });

  describe.skipIf(!HAVE_SCIPY)('against scipy.stats.mannwhitneyu', () => {
    const rng = Rng.fromSeed('mw-scipy');
    const tied = Array.from({ length: 8 }, (_, c) => {
      const n1 = 3 + rng.int(12);
      const n2 = 3 + rng.int(12);
      // Rounded values make ties, which force the normal approximation in both implementations.
      const draw = (shift: number) => Math.round((rng.normal() + shift) * (c % 2 === 0 ? 2 : 1000)) / 2;
      return { x: Array.from({ length: n1 }, () => draw(0.5)), y: Array.from({ length: n2 }, () => draw(0)) };
    });
    // More than 50 values, no ties: the normal approximation far into its tail.
    const large = [[30, 30, 2], [60, 40, 3], [100, 100, 6]].map(([n1, n2, shift]) => ({
      x: Array.from({ length: n1 }, () => rng.normal() + shift),
      y: Array.from({ length: n2 }, () => rng.normal()),
    }));
    const cases = [...tied, ...large];
    const reference = HAVE_SCIPY
      ? python<Array<{ u: number; p: number }>>(
          `from scipy.stats import mannwhitneyu
out = []
for c in data:
    ties = len(set(c['x'] + c['y'])) < len(c['x'] + c['y'])
    method = 'asymptotic' if ties or len(c['x']) + len(c['y']) > 50 else 'exact'
    r = mannwhitneyu(c['x'], c['y'], alternative='two-sided', method=method, use_continuity=True)
    out.append({'u': float(r.statistic), 'p': float(r.pvalue)})
print(json.dumps(out))`,
          cases,
        )
      : [];
    it.each(cases.map((c, i) => [i, c] as const))('case %i', (i, c) => {
      const r = mannWhitneyU(c.x, c.y);
      expect(r.u).toBe(reference[i].u);
      expect(reference[i].p).toBeGreaterThan(0);
      expect(Math.abs(r.p - reference[i].p) / reference[i].p).toBeLessThan(1e-12);
    });
  });
});

describe('smallest exact p-value', () => {
  it.each([[1, 1], [2, 3], [3, 3], [5, 5], [4, 9], [10, 10]])('for n1=%i, n2=%i is what the test gives two completely separated samples', (n1, n2) => {
    const x = Array.from({ length: n1 }, (_, i) => 100 + i);
    const y = Array.from({ length: n2 }, (_, i) => i);
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('exact');
    expect(smallestExactP(n1, n2)).toBeCloseTo(r.p, 15);
  });

  it('is 2 of the 252 orderings for 5 seeds against 5', () => {
    expect(smallestExactP(5, 5)).toBe(2 / 252);
  });
});

describe('Holm adjustment', () => {
  it('multiplies the k-th smallest p by (m − k + 1), keeps the order monotone, caps at 1, in input order', () => {
    // sorted: 0.01·3 = 0.03, 0.03·2 = 0.06, 0.04·1 = 0.04 → raised to 0.06 to stay monotone
    expect(holmAdjust([0.01, 0.04, 0.03])).toEqual([0.03, 0.06, 0.06]);
    expect(holmAdjust([0.5, 0.6])).toEqual([1, 1]);
  });
});
