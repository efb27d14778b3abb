import { describe, expect, it } from 'vitest';
import { areaUnderBestSoFar, bestAt, bestSoFar, evaluationsToReach } from '../../src/compare/curves.js';
import { compareStatistics, descendingRanks, quantile } from '../../src/compare/statistics.js';
import { significanceNote } from '../../src/compare/table.js';
import { Rng } from '../../src/util/rng.js';
import { HAVE_SCIPY, python } from './scipy.js';

const run = (...values: Array<number | undefined>) => ({ values });

describe('best-so-far curves', () => {
  it('start undefined until the first success, then never decrease', () => {
    expect(bestSoFar(run(undefined, 3, 1, undefined, 5, 4))).toEqual([undefined, 3, 3, 3, 5, 5]);
  });

  it('carry the final best forward past the last evaluation (runs stopped early by patience or target)', () => {
    expect(bestAt(run(1, 2), 10)).toBe(2);
    expect(bestSoFar(run(1, 2), 4)).toEqual([1, 2, 2, 2]);
  });

  it('count evaluations to a threshold, including failed ones', () => {
    expect(evaluationsToReach(run(undefined, 0.2, 0.9, 1.2), 0.9)).toBe(3);
    expect(evaluationsToReach(run(0.1, 0.2), 0.9)).toBeUndefined();
  });

  it('area: the mean of the curve over the budget, the floor standing in before the first success', () => {
    expect(areaUnderBestSoFar(run(undefined, 2, 1, 4), 4, -10)).toBe((-10 + 2 + 2 + 4) / 4);
  });
});

describe('quantiles and ranks', () => {
  it('interpolate between order statistics (type 7: 1,2,3,4 → quartiles 1.75 and 3.25)', () => {
    expect(quantile([4, 1, 3, 2], 0.25)).toBe(1.75);
    expect(quantile([4, 1, 3, 2], 0.75)).toBe(3.25);
    expect(quantile([7], 0.25)).toBe(7);
  });

  it.skipIf(!HAVE_SCIPY)('agree with numpy.quantile', () => {
    const rng = Rng.fromSeed('quantiles');
    const samples = Array.from({ length: 6 }, (_, i) => Array.from({ length: 1 + i * 3 }, () => rng.normal()));
    const reference = python<number[][]>('import numpy as np\nprint(json.dumps([[float(np.quantile(s, p)) for p in (0.1, 0.25, 0.5, 0.75, 0.9)] for s in data]))', samples);
    samples.forEach((s, i) => [0.1, 0.25, 0.5, 0.75, 0.9].forEach((p, j) => expect(quantile(s, p)).toBeCloseTo(reference[i][j], 12)));
  });

  it('rank the largest value 1 and share ranks among ties', () => {
    expect(descendingRanks([5, 9, 5, 1])).toEqual([2.5, 1, 2.5, 4]);
  });
});

describe('comparison statistics', () => {
  const a = { name: 'a', runs: [run(1, 5, 6), run(2, 2, 9), run(undefined, 3, 4)] };
  const b = { name: 'b', runs: [run(7, 7, 7), run(1, 1, 1), run(undefined, undefined, undefined)] };
  const stats = compareStatistics([a, b], { budget: 3, checkpoints: [1], threshold: 6 });

  it('summarize the best value at the budget over seeds; runs without success are counted apart', () => {
    expect(stats.variants[0].atBudget).toEqual({ median: 6, q1: 5, q3: 7.5 });
    expect(stats.variants[1].atBudget).toEqual({ median: 4, q1: 2.5, q3: 5.5 });
    expect(stats.variants[1].failedRuns).toBe(1);
  });

  it('take checkpoints from the curves', () => {
    expect(stats.variants[0].atCheckpoints[0]).toEqual({ median: 1.5, q1: 1.25, q3: 1.75 });
  });

  it('rank per seed, a run without success last', () => {
    // seed 0: a 6 vs b 7 → a 2; seed 1: 9 vs 1 → a 1; seed 2: 4 vs nothing → a 1
    expect(stats.variants[0].meanRank).toBeCloseTo(4 / 3, 12);
    expect(stats.variants[1].meanRank).toBeCloseTo(5 / 3, 12);
  });

  it('count evaluations to the threshold, "not reached" when most runs never got there', () => {
    expect(stats.variants[0].toThreshold).toEqual({ median: 3, reached: 2 });
    expect(stats.variants[1].toThreshold).toEqual({ median: undefined, reached: 1 });
  });

  it('median the area under each run\'s curve, with the lowest value of the whole comparison as floor', () => {
    // floor = 1; a: (1+5+6)/3 = 4, (2+2+9)/3, (1+3+4)/3 → median 4
    expect(stats.variants[0].auc).toBeCloseTo(4, 12);
  });

  it('test every pair once and band the curves per evaluation', () => {
    expect(stats.pairwise.map((t) => [t.a, t.b])).toEqual([['a', 'b']]);
    expect(stats.curves[0].points).toHaveLength(3);
    expect(stats.curves[1].points[0]).toEqual({ median: 4, q1: 2.5, q3: 5.5 });
  });
});

describe('the note on too few seeds', () => {
  /** `optimizers` variants with `seeds` runs each, every run a different single value. */
  const comparison = (optimizers: number, seeds: number) =>
    compareStatistics(
      Array.from({ length: optimizers }, (_, v) => ({ name: `o${v}`, runs: Array.from({ length: seeds }, (_, s) => run(v * seeds + s)) })),
      { budget: 1 },
    );

  it('5 optimizers × 5 seeds: Holm over 10 pairs lifts the smallest exact p, 2/252, to 0.079; 6 seeds would do', () => {
    const note = significanceNote(comparison(5, 5))!;
    expect(note).toMatch(/with 5 seeds per optimizer the smallest p of the exact rank test is 0\.007937, and Holm's adjustment over 10 pairs raises it to 0\.07937; 6 seeds per optimizer would allow it/);
  });

  it('caps the adjusted p at 1, as Holm does (5 optimizers × 2 seeds: 10 · 1/3)', () => {
    expect(significanceNote(comparison(5, 2))).toMatch(/is 0\.3333, and Holm's adjustment over 10 pairs raises it to 1;/);
  });

  it('is absent when a pair could reach p < 0.05 (5 optimizers × 6 seeds: 10 · 2/924 = 0.022)', () => {
    expect(significanceNote(comparison(5, 6))).toBeUndefined();
  });

  it('two optimizers need no adjustment: with 3 seeds the smallest p is already 0.1', () => {
    const note = significanceNote(comparison(2, 3))!;
    expect(note).toMatch(/smallest p of the exact rank test is 0\.1; 4 seeds per optimizer would allow it/);
    expect(note).not.toMatch(/Holm/);
  });
});
