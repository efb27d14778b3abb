import { describe, expect, it } from 'vitest';
import { BENCHMARK_FUNCTIONS, getBenchmarkFunction, withNoise } from '../../src/objectives/functions/index.js';
import { activeIndices, fewBlocks } from '../../src/objectives/functions/few-blocks.js';
import { ackley, griewank, levy, rastrigin, schwefel, SCHWEFEL_MINIMIZER, styblinskiTang } from '../../src/objectives/functions/multimodal.js';
import { toClassical } from '../../src/objectives/functions/shifted.js';
import { ellipsoid, rosenbrock, sphere } from '../../src/objectives/functions/unimodal.js';
import { Rng } from '../../src/util/rng.js';

const NAMES = Object.keys(BENCHMARK_FUNCTIONS);

function randomPoints(n: number, dim: number, seed: string): number[][] {
  const rng = Rng.fromSeed(seed);
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.float()));
}

describe('benchmark suite', () => {
  it('has the ten functions of the optimizer benchmark', () => {
    expect(NAMES).toEqual(['sphere', 'ellipsoid', 'rosenbrock', 'ackley', 'rastrigin', 'levy', 'styblinski-tang', 'griewank', 'schwefel', 'few-blocks']);
  });

  it.each(NAMES)('%s: the documented optimum has the documented value', (name) => {
    const fn = getBenchmarkFunction(name, 27);
    expect(Math.abs(fn.evaluate(fn.optimum.x) - fn.optimum.value)).toBeLessThan(1e-9);
  });

  it.each(NAMES)('%s: no random point beats the optimum', (name) => {
    const fn = getBenchmarkFunction(name, 27);
    for (const x of randomPoints(1000, 27, `beat-${name}`)) expect(fn.evaluate(x)).toBeLessThanOrEqual(fn.optimum.value);
  });

  it.each(NAMES)('%s: every coordinate of the optimum is at least 0.1 from the faces and 0.15 from the centre', (name) => {
    for (const v of getBenchmarkFunction(name, 27).optimum.x) {
      expect(v > 0.1 && v < 0.9).toBe(true);
      expect(Math.abs(v - 0.5)).toBeGreaterThanOrEqual(0.15);
    }
  });

  it.each(['rastrigin', 'styblinski-tang', 'schwefel'])('%s: along every coordinate the optimum is the best of a fine grid', (name) => {
    // Separable: the optimum is global iff it is best along each axis, shifted window included.
    const fn = getBenchmarkFunction(name, 27);
    for (let i = 0; i < 27; i++) {
      const x = [...fn.optimum.x];
      for (let k = 0; k <= 2000; k++) {
        x[i] = k / 2000;
        expect(fn.evaluate(x)).toBeLessThanOrEqual(fn.optimum.value + 1e-9);
      }
    }
  });

  it('maximizes: the value is minus the classical function', () => {
    const fn = getBenchmarkFunction('rastrigin', 27);
    const [x] = randomPoints(1, 27, 'sign');
    expect(fn.evaluate(x)).toBeLessThan(-1);
  });

  it('maps each unit coordinate onto a window of the classical width, mirrored on odd coordinates', () => {
    const offsets = [0.25, 0.25];
    expect(toClassical([0.25, 0.75], offsets, 10, 1)).toEqual([1, 1]);
    expect(toClassical([1.25, 0.75], offsets, 10, 1)).toEqual([11, 1]);
    expect(toClassical([0.25, -0.25], offsets, 10, 1)).toEqual([1, 11]);
  });
});

describe('classical formulas', () => {
  it('sphere and ellipsoid', () => {
    expect(sphere([1, 2])).toBe(5);
    expect(ellipsoid([1, 1])).toBe(1_000_001);
  });

  it('Rosenbrock at the classic start (−1.2, 1) is 24.2', () => {
    expect(rosenbrock([-1.2, 1])).toBeCloseTo(24.2, 12);
  });

  it('Ackley at (1, 1) is 3.62538…', () => {
    expect(ackley([1, 1])).toBeCloseTo(3.6253849384403627, 12);
    expect(ackley([0, 0, 0])).toBeCloseTo(0, 12);
  });

  it('Rastrigin at (1, 1) is 2', () => {
    expect(rastrigin([1, 1])).toBeCloseTo(2, 12);
  });

  it('Levy at (5, 1) is 1 + 10 sin²(1)', () => {
    expect(levy([5, 1])).toBeCloseTo(1 + 10 * Math.sin(1) ** 2, 12);
    expect(levy([1, 1, 1])).toBeCloseTo(0, 12);
  });

  it('Styblinski–Tang at the origin is 0 and its minimum is −39.16599 per coordinate (SFU table)', () => {
    expect(styblinskiTang([0, 0])).toBe(0);
    expect(getBenchmarkFunction('styblinski-tang', 27).optimum.value).toBeCloseTo(39.16599 * 27, 2);
  });

  it('Griewank at (1, 1) is 1 + 2/4000 − cos 1 · cos(1/√2)', () => {
    expect(griewank([1, 1])).toBeCloseTo(0.5897380911762422, 12);
  });

  it('Schwefel is 418.9829·d at the origin and 0 at z = 420.9687', () => {
    expect(schwefel([0, 0, 0])).toBeCloseTo(418.9829 * 3, 3);
    expect(schwefel([SCHWEFEL_MINIMIZER, SCHWEFEL_MINIMIZER])).toBeCloseTo(0, 9);
  });
});

describe('few-blocks', () => {
  it('uses coordinates 2, 8, 13, 18 and 24 at d = 27', () => {
    expect(activeIndices(27)).toEqual([2, 8, 13, 18, 24]);
  });

  it('ignores every other coordinate', () => {
    const fn = getBenchmarkFunction('few-blocks', 27);
    const [a, b] = randomPoints(2, 27, 'dead');
    const mixed = a.map((v, i) => (activeIndices(27).includes(i) ? v : b[i]));
    expect(fn.evaluate(mixed)).toBe(fn.evaluate(a));
  });

  it('couples neighbouring active coordinates', () => {
    const z = (y0: number, y1: number) => Array.from({ length: 27 }, (_, i) => (i === 2 ? y0 : i === 8 ? y1 : 0));
    const together = fewBlocks(z(1, 1)) - fewBlocks(z(1, 0)) - fewBlocks(z(0, 1)) + fewBlocks(z(0, 0));
    expect(together).toBeCloseTo(0.8 * Math.sqrt(4 * 2.5), 12);
  });
});

describe('dimensions', () => {
  it.each([2, 3, 6, 64])('every function works at d = %i', (dim) => {
    for (const name of NAMES) {
      const fn = getBenchmarkFunction(name, dim);
      expect(fn.optimum.x).toHaveLength(dim);
      expect(Math.abs(fn.evaluate(fn.optimum.x) - fn.optimum.value)).toBeLessThan(1e-9);
      for (const x of randomPoints(50, dim, `d${dim}-${name}`)) expect(fn.evaluate(x)).toBeLessThanOrEqual(fn.optimum.value);
    }
  });

  it('defaults to 27 dimensions', () => {
    expect(getBenchmarkFunction('sphere').dim).toBe(27);
  });

  it('rejects d < 2', () => {
    expect(() => getBenchmarkFunction('sphere', 1)).toThrow(/dimension/);
  });

  it('rejects a point of the wrong length', () => {
    expect(() => getBenchmarkFunction('levy', 27).evaluate([0.5, 0.5])).toThrow(/dimension 27/);
  });

  it('names a close match for an unknown function', () => {
    expect(() => getBenchmarkFunction('rastrigrin')).toThrow(/did you mean "rastrigin"/);
  });
});

describe('withNoise', () => {
  it('adds zero-mean noise of the given sd', () => {
    const fn = getBenchmarkFunction('sphere', 27);
    const noisy = withNoise(fn, 2, Rng.fromSeed('noise'));
    const x = fn.optimum.x;
    const draws = Array.from({ length: 4000 }, () => noisy.evaluate(x) - fn.evaluate(x));
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws.length - 1));
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(sd).toBeGreaterThan(1.9);
    expect(sd).toBeLessThan(2.1);
  });

  it('repeats its noise for the same seed', () => {
    const fn = getBenchmarkFunction('ackley', 27);
    const draw = () => {
      const noisy = withNoise(fn, 1, Rng.fromSeed('same'));
      return [noisy.evaluate(fn.optimum.x), noisy.evaluate(fn.optimum.x)];
    };
    expect(draw()).toEqual(draw());
  });

  it('keeps the optimum of the noise-free function', () => {
    const fn = getBenchmarkFunction('levy', 27);
    expect(withNoise(fn, 30, Rng.fromSeed(1)).optimum).toEqual(fn.optimum);
  });
});
