import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';

const draw = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.float());

describe('Rng', () => {
  it('gives the same stream for the same seed, bit for bit', () => {
    expect(draw(Rng.fromSeed(42), 100)).toEqual(draw(Rng.fromSeed(42), 100));
  });

  it('gives different streams for different seeds', () => {
    expect(draw(Rng.fromSeed(1), 5)).not.toEqual(draw(Rng.fromSeed(2), 5));
  });

  it('derives substreams from a label path without consuming the parent', () => {
    const parent = Rng.fromSeed(7);
    const a = draw(parent.derive('ask', 3), 10);
    draw(parent, 50);
    expect(draw(parent.derive('ask', 3), 10)).toEqual(a);
    expect(draw(parent.derive('ask', 4), 10)).not.toEqual(a);
  });

  it('draws floats in [0, 1) with mean and variance of a uniform', () => {
    const xs = draw(Rng.fromSeed('u'), 100_000);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(variance).toBeCloseTo(1 / 12, 2);
  });

  it('draws normals with mean 0 and variance 1', () => {
    const rng = Rng.fromSeed('n');
    const xs = Array.from({ length: 100_000 }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / xs.length;
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(variance).toBeCloseTo(1, 1);
  });

  it('draws integers uniformly in [0, n)', () => {
    const rng = Rng.fromSeed('i');
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70_000; i++) counts[rng.int(7)]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
    expect(() => rng.int(0)).toThrow(RangeError);
  });

  it('shuffles into a permutation', () => {
    const xs = Rng.fromSeed(3).shuffle([...Array(20).keys()]);
    expect([...xs].sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(xs).not.toEqual([...Array(20).keys()]);
  });
});
