import { describe, expect, it } from 'vitest';
import { tally } from '../../src/scoring/tally.js';

// Scores 1, 2, 4, 8: every mean below is worked out by hand.
const scores = [1, 2, 4, 8];

describe('tally', () => {
  it('arithmetic: (1+2+4+8)/4', () => expect(tally(scores, 'arithmetic')).toBeCloseTo(3.75, 12));
  it('geometric: (1·2·4·8)^(1/4) = 64^(1/4)', () => expect(tally(scores, 'geometric')).toBeCloseTo(2 * Math.SQRT2, 12));
  it('harmonic: 4 / (1 + 1/2 + 1/4 + 1/8)', () => expect(tally(scores, 'harmonic')).toBeCloseTo(32 / 15, 12));
  it('median of an even count averages the middle two', () => expect(tally(scores, 'median')).toBe(3));
  it('median of an odd count is the middle value, whatever the order', () => expect(tally([9, 1, 5], 'median')).toBe(5));
  it('min and max', () => {
    expect(tally(scores, 'min')).toBe(1);
    expect(tally(scores, 'max')).toBe(8);
  });
  it('quadratic: sqrt((1+4+16+64)/4)', () => expect(tally(scores, 'quadratic')).toBeCloseTo(Math.sqrt(85 / 4), 12));
  it('cubic: cbrt((1+8+64+512)/4)', () => expect(tally(scores, 'cubic')).toBeCloseTo(Math.cbrt(585 / 4), 12));
  it('cubic keeps the sign of negative scores', () => expect(tally([-2, -2], 'cubic')).toBeCloseTo(-2, 12));
  it('mid-range: (1+8)/2', () => expect(tally(scores, 'mid-range')).toBe(4.5));
  it('a single image is its own score under every mean', () => {
    for (const mode of ['arithmetic', 'geometric', 'harmonic', 'median', 'quadratic', 'cubic', 'mid-range'] as const) {
      expect(tally([0.7], mode)).toBeCloseTo(0.7, 12);
    }
  });
  it('geometric and harmonic refuse non-positive scores with a hint', () => {
    expect(() => tally([1, 0], 'geometric')).toThrow(/needs scores > 0.*sigmoid/);
    expect(() => tally([1, -1], 'harmonic')).toThrow(/needs scores > 0/);
  });
  it('quadratic refuses negative scores', () => expect(() => tally([1, -1], 'quadratic')).toThrow(/needs scores ≥ 0/));
  it('an empty payload is an error', () => expect(() => tally([], 'arithmetic')).toThrow(/empty/));
});
