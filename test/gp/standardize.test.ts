import { describe, expect, it } from 'vitest';
import { standardize } from '../../src/gp/standardize.js';

const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
const sd = (v: ArrayLike<number>) => Math.sqrt(mean(Array.from(v, (x) => (x - mean(v)) ** 2)));

describe('standardize', () => {
  it('rescales scores to mean 0 and standard deviation 1, keeping their order and spacing', () => {
    const y = standardize([3, 7, 1, 9, 5]);
    expect(mean(y)).toBeCloseTo(0, 14);
    expect(sd(y)).toBeCloseTo(1, 14);
    expect(Array.from(y)).toEqual(Array.from([3, 7, 1, 9, 5], (v) => expect.closeTo((v - 5) / Math.sqrt(8), 14)));
  });

  it('turns constant scores into zeros instead of dividing by zero', () => {
    expect(Array.from(standardize([4.2, 4.2, 4.2]))).toEqual([0, 0, 0]);
  });

  it('stays finite for scores near the largest doubles', () => {
    const y = standardize([1.7e308, -1.7e308, 0, 1e308]);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(mean(y)).toBeCloseTo(0, 12);
    expect(sd(y)).toBeCloseTo(1, 12);
    expect(y[0]).toBeGreaterThan(y[3]);
  });

  it('resolves tiny differences on top of a huge offset', () => {
    const y = standardize([1e12, 1e12 + 1, 1e12 + 2]);
    expect(Array.from(y)).toEqual([expect.closeTo(-Math.sqrt(1.5), 12), expect.closeTo(0, 12), expect.closeTo(Math.sqrt(1.5), 12)]);
  });
});
