import { describe, expect, it } from 'vitest';
import { combineScores } from '../../src/scoring/combine.js';
import { applyTransform } from '../../src/scoring/transform.js';

describe('combineScores', () => {
  it('weighted arithmetic: (3·0.2 + 1·0.6)/4', () => expect(combineScores([0.2, 0.6], [3, 1], 'arithmetic')).toBeCloseTo(0.3, 12));
  it('weighted geometric: 0.25^(1/3)·1^(2/3)', () => expect(combineScores([0.25, 1], [1, 2], 'geometric')).toBeCloseTo(Math.cbrt(0.25), 12));
  it('weighted quadratic: sqrt((1·9 + 1·16)/2)', () => expect(combineScores([3, 4], [1, 1], 'quadratic')).toBeCloseTo(Math.sqrt(12.5), 12));
  it('weights need not sum to one', () => expect(combineScores([2, 4], [10, 10], 'arithmetic')).toBe(3));
  it('geometric refuses a zero score', () => expect(() => combineScores([0, 1], [1, 1], 'geometric')).toThrow(/> 0/));
  it('mismatched lengths are an error', () => expect(() => combineScores([1], [1, 1], 'arithmetic')).toThrow(/weights/));
});

describe('applyTransform', () => {
  it('raw leaves the value alone', () => expect(applyTransform(6.3, { kind: 'raw' })).toBe(6.3));
  it('sigmoid is 1/2 at its center', () => expect(applyTransform(5.6, { kind: 'sigmoid', center: 5.6, scale: 1 })).toBe(0.5));
  it('sigmoid(x − 5.6) at 6.6 is 1/(1+e^−1)', () =>
    expect(applyTransform(6.6, { kind: 'sigmoid', center: 5.6, scale: 1 })).toBeCloseTo(1 / (1 + Math.exp(-1)), 12));
  it('sigmoid scale sharpens: PickScore-style sigmoid(5·(x+1)) at x = −0.8', () =>
    expect(applyTransform(-0.8, { kind: 'sigmoid', center: -1, scale: 5 })).toBeCloseTo(1 / (1 + Math.exp(-1)), 12));
  it('affine: ImageReward-style (x − 0.167)/1.033', () =>
    expect(applyTransform(1.2, { kind: 'affine', scale: 1 / 1.033, offset: -0.167 / 1.033 })).toBeCloseTo((1.2 - 0.167) / 1.033, 12));
});
