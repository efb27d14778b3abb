import { describe, expect, it } from 'vitest';
import { initialDesign } from '../../src/qmc/index.js';
import { lhsPoints, minPairwiseDistance } from '../../src/qmc/lhs.js';
import { Rng } from '../../src/util/rng.js';
import { make } from './support.js';

/** True when each of the n strata of every axis holds exactly one of the n points. */
function isLatinHypercube(points: readonly (readonly number[])[]): boolean {
  const n = points.length;
  return points[0].every((_, j) => new Set(points.map((p) => Math.floor(p[j] * n))).size === n);
}

describe('Latin hypercube design', () => {
  it('puts exactly one point in every stratum of every axis', () => {
    for (const [n, dim] of [[7, 3], [30, 27], [64, 5]]) {
      const points = lhsPoints(n, dim, Rng.fromSeed(n));
      expect(points).toHaveLength(n);
      expect(points.flat().every((v) => v >= 0 && v < 1)).toBe(true);
      expect(isLatinHypercube(points)).toBe(true);
    }
  });

  it('places points at random inside their strata, not at the centres', () => {
    const offsets = lhsPoints(20, 4, Rng.fromSeed(3)).flat().map((v) => (v * 20) % 1);
    expect(new Set(offsets.map((o) => o.toFixed(6))).size).toBeGreaterThan(70);
  });

  it('as a maximin design, keeps the most spread-out of its candidate hypercubes', () => {
    const spread = (candidates: number) => {
      let total = 0;
      for (let seed = 0; seed < 20; seed++) total += minPairwiseDistance(lhsPoints(12, 6, Rng.fromSeed(seed), candidates));
      return total / 20;
    };
    const maximin = lhsPoints(12, 6, Rng.fromSeed(1), 16);
    expect(isLatinHypercube(maximin)).toBe(true);
    expect(spread(16)).toBeGreaterThan(spread(1) * 1.05);
  });

  it('measures the closest pair of a point set', () => {
    expect(minPairwiseDistance([[0, 0], [3, 4], [0, 1]])).toBe(1);
    expect(minPairwiseDistance([[0.5]])).toBe(Infinity);
  });

  it('is the initial design of kind lhs', () => {
    expect(isLatinHypercube(initialDesign('lhs', 9, 4, Rng.fromSeed(2)))).toBe(true);
  });
});

describe('lhs optimizer', () => {
  it('spends the budget left after the initial design on one hypercube', () => {
    const opt = make('lhs', { dim: 4, seed: 5, budget: 24, initial: { design: 'random', n: 4 } });
    const points = opt.ask(24).slice(4).map((t) => t.x);
    expect(isLatinHypercube(points)).toBe(true);
  });

  it('goes on with a fresh hypercube of the same size when the run outlasts the budget', () => {
    const opt = make('lhs', { dim: 3, seed: 5, budget: 10 });
    const first = opt.ask(10).map((t) => t.x);
    const second = opt.ask(10).map((t) => t.x);
    expect(isLatinHypercube(first)).toBe(true);
    expect(isLatinHypercube(second)).toBe(true);
    expect(second).not.toEqual(first);
  });

  it('uses batch_size when given, and 10 points per variable without a budget', () => {
    expect(isLatinHypercube(make('lhs', { dim: 3, seed: 1, budget: 100 }, { batch_size: 6 }).ask(6).map((t) => t.x))).toBe(true);
    const unbudgeted = make('lhs', { dim: 2, seed: 1 }).ask(20).map((t) => t.x);
    expect(isLatinHypercube(unbudgeted)).toBe(true);
  });
});
