import { describe, expect, it } from 'vitest';
import { initialDesign } from '../../src/qmc/index.js';
import { SOBOL_MAX_DIM, sobolPoints, sobolSequence } from '../../src/qmc/sobol.js';
import { Rng } from '../../src/util/rng.js';
import { make } from './support.js';

describe("Sobol' sequence", () => {
  it('has the classical first points in the first three coordinates', () => {
    const s = sobolSequence(3);
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((i) => s.point(i))).toEqual([
      [0, 0, 0],
      [0.5, 0.5, 0.5],
      [0.75, 0.25, 0.25],
      [0.25, 0.75, 0.75],
      [0.375, 0.375, 0.625],
      [0.875, 0.875, 0.125],
      [0.625, 0.125, 0.875],
      [0.125, 0.625, 0.375],
    ]);
  });

  it("matches scipy's unscrambled sequence (same Joe–Kuo numbers) in high coordinates", () => {
    const s = sobolSequence(64);
    expect(s.point(6).slice(26, 32)).toEqual([0.125, 0.375, 0.375, 0.875, 0.125, 0.375]);
    expect(s.point(100).slice(28, 34)).toEqual([0.2421875, 0.7265625, 0.7109375, 0.4140625, 0.2578125, 0.2578125]);
    expect(s.point(1023).slice(58, 64)).toEqual([0.7275390625, 0.3525390625, 0.1025390625, 0.1962890625, 0.7900390625, 0.0400390625]);
  });

  it('covers at least 64 dimensions and refuses more than its direction numbers', () => {
    expect(SOBOL_MAX_DIM).toBeGreaterThanOrEqual(64);
    expect(() => sobolSequence(SOBOL_MAX_DIM + 1)).toThrow(RangeError);
  });

  it('skips the origin when unscrambled', () => {
    expect(sobolPoints(2, 2)).toEqual([
      [0.5, 0.5],
      [0.75, 0.25],
    ]);
  });

  it('keeps scrambled points in [0, 1) and away from the origin', () => {
    const points = sobolPoints(512, 27, Rng.fromSeed(1));
    expect(points.flat().every((v) => v >= 0 && v < 1)).toBe(true);
    expect(points[0].every((v) => v === 0)).toBe(false);
  });

  it('puts exactly one of the first 2^k scrambled points in each of the 2^k intervals of every coordinate', () => {
    const points = sobolPoints(256, 30, Rng.fromSeed('balance'));
    for (const k of [1, 3, 5, 8]) {
      for (let j = 0; j < 30; j++) {
        const cells = points.slice(0, 2 ** k).map((p) => Math.floor(p[j] * 2 ** k));
        expect(new Set(cells).size, `k=${k}, coordinate ${j}`).toBe(2 ** k);
      }
    }
  });

  it('scrambles differently for different seeds and identically for the same one', () => {
    const a = sobolPoints(8, 4, Rng.fromSeed(1));
    expect(sobolPoints(8, 4, Rng.fromSeed(1))).toEqual(a);
    expect(sobolPoints(8, 4, Rng.fromSeed(2))).not.toEqual(a);
  });

  it('is the initial design of kind sobol', () => {
    expect(initialDesign('sobol', 5, 3, Rng.fromSeed(4))).toEqual(sobolPoints(5, 3, Rng.fromSeed(4)));
  });
});

describe('sobol optimizer', () => {
  it('continues the Sobol initial design as one sequence', () => {
    const spec = { dim: 4, seed: 9, initial: { design: 'sobol' as const, n: 5 } };
    const points = make('sobol', spec).ask(16).map((t) => t.x);
    const reference = make('sobol', { ...spec, initial: { design: 'sobol', n: 16 } }).ask(16).map((t) => t.x);
    expect(points).toEqual(reference);
    for (let j = 0; j < 4; j++) expect(new Set(points.map((p) => Math.floor(p[j] * 16))).size).toBe(16);
  });

  it('streams a balanced sequence of its own after another kind of design', () => {
    const opt = make('sobol', { dim: 3, seed: 2, initial: { design: 'random', n: 3 } });
    const streamed = opt.ask(19).slice(3).map((t) => t.x);
    for (let j = 0; j < 3; j++) expect(new Set(streamed.map((p) => Math.floor(p[j] * 16))).size).toBe(16);
  });

  it('with scramble: false gives the classical sequence without the origin, whatever the seed', () => {
    const a = make('sobol', { dim: 2, seed: 1 }, { scramble: false }).ask(3).map((t) => t.x);
    const b = make('sobol', { dim: 2, seed: 2 }, { scramble: false }).ask(3).map((t) => t.x);
    expect(a).toEqual([
      [0.5, 0.5],
      [0.75, 0.25],
      [0.25, 0.75],
    ]);
    expect(b).toEqual(a);
  });
});
