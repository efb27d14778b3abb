import { readFileSync } from 'node:fs';
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { CmaEs, initialPopulation } from '../../src/optimizers/cma-es.js';
import { CmaDistribution, type CmaSample } from '../../src/optimizers/cma-es-distribution.js';
import { cmaParameters, defaultPopulation, type CmaParameters } from '../../src/optimizers/cma-es-parameters.js';
import type { Trial } from '../../src/optimizers/types.js';
import { make, run } from './support.js';

interface Reference {
  parameters: CmaParameters[];
  run: {
    dim: number;
    lambda: number;
    mean0: number[];
    sigma0: number;
    generations: Array<{ points: number[][]; values: number[]; mean: number[]; sigma: number; C: number[][] }>;
  };
}

/** Written by test/fixtures/optimizers/make-cmaes-reference.py from cmaes 0.9.1, the package under Optuna's CmaEsSampler. */
const reference = JSON.parse(readFileSync(new URL('../fixtures/optimizers/cmaes-reference.json', import.meta.url), 'utf8')) as Reference;

const cma = (options: Record<string, unknown> = {}, spec: { dim?: number; warmStart?: number[][]; seed?: number } = {}) =>
  make('cma-es', { dim: spec.dim ?? 4, seed: spec.seed ?? 11, warmStart: spec.warmStart ?? [] }, options) as CmaEs;
const meta = (t: Trial) => t.meta as { generation: number; member: number };

function expectClose(actual: readonly number[], expected: readonly number[], relative: number): void {
  expect(actual).toHaveLength(expected.length);
  const scale = Math.max(...expected.map(Math.abs));
  actual.forEach((v, i) => expect(Math.abs(v - expected[i]), `element ${i}`).toBeLessThanOrEqual(relative * scale));
}

/** Asks one generation and tells it f (null = failure), in the order given by `order`. */
function generation(opt: CmaEs, f: (x: readonly number[]) => number | null, order: (trials: Trial[]) => Trial[] = (t) => t): Trial[] {
  const trials = opt.ask(opt.population);
  for (const t of order(trials)) {
    const v = f(t.x);
    opt.tell(t.id, v === null ? { status: 'failed', error: 'crash' } : { status: 'ok', value: v });
  }
  return trials;
}

describe('cma-es strategy parameters', () => {
  it.each(reference.parameters.map((p) => [p.dim, p.lambda, p] as const))('equal those of cmaes 0.9.1 at n = %i, λ = %i', (dim, lambda, expected) => {
    const p = cmaParameters(dim, lambda);
    expect(p.mu).toBe(expected.mu);
    expectClose(p.weights, expected.weights, 1e-14);
    for (const key of ['muEff', 'cSigma', 'dSigma', 'cc', 'c1', 'cMu', 'chiN'] as const) expect(p[key], key).toBeCloseTo(expected[key], 14);
  });

  it('sizes the population 4 + ⌊3 ln n⌋, and the first IPOP run half of that', () => {
    expect([2, 5, 10, 27, 1000].map(defaultPopulation)).toEqual([6, 8, 10, 13, 24]);
    expect([1, 2, 5, 10, 27, 1000].map(initialPopulation)).toEqual([2, 3, 4, 5, 6, 12]);
  });

  it('gives the μ best samples positive weights summing to 1 and the rest negative ones', () => {
    const { weights, mu } = cmaParameters(27, 13);
    expect(weights.slice(0, mu).reduce((s, w) => s + w, 0)).toBeCloseTo(1, 15);
    expect(weights.slice(0, mu).every((w, i) => w > 0 && (i === 0 || w < weights[i - 1]))).toBe(true);
    expect(weights.slice(mu + 1).every((w) => w < 0)).toBe(true);
  });
});

describe('cma-es distribution', () => {
  it('updates mean, step size and covariance as cmaes 0.9.1 does, generation after generation', () => {
    const { dim, lambda, mean0, sigma0, generations } = reference.run;
    const distribution = new CmaDistribution(dim, lambda, mean0, sigma0);
    for (const [g, expected] of generations.entries()) {
      const from = distribution.snapshot();
      // The reference's samples in this distribution's coordinates: y = (x − m)/σ, z = D⁻¹ Bᵀ y.
      const samples: CmaSample[] = expected.points.map((x) => CmaDistribution.sampleAt(from, x));
      const order = expected.values.map((_, k) => k).sort((a, b) => expected.values[b] - expected.values[a]);
      distribution.update(
        order.map((k) => samples[k]),
        from,
        { best: expected.values[order[0]], worst: expected.values[order[lambda - 1]] },
      );
      expectClose(distribution.mean, expected.mean, 1e-12);
      expect(distribution.stepSize, `σ after generation ${g}`).toBeCloseTo(expected.sigma, 11);
      // cmaes adds 1e-8 to ‖C^{-1/2} y‖² in the negative weights (eq. 46), the tutorial does not: C differs by ~1e-9.
      expectClose(distribution.covariance.to1DArray(), expected.C.flat(), 1e-8);
    }
  });
});

describe('cma-es', () => {
  it('asks a generation as λ samples in a row and opens the next one when asked for more', () => {
    const opt = cma();
    const trials = opt.ask(opt.population + 3);
    expect(opt.population).toBe(4);
    expect(trials.map((t) => [meta(t).generation, meta(t).member])).toEqual([
      [0, 0], [0, 1], [0, 2], [0, 3],
      [1, 0], [1, 1], [1, 2],
    ]);
  });

  it('samples around the centre with σ0 as a fraction of the range', () => {
    const opt = cma({ sigma_init: 0.05 }, { dim: 3 });
    const trials = opt.ask(400);
    for (let i = 0; i < 3; i++) {
      const xs = trials.map((t) => t.x[i]);
      const mean = xs.reduce((s, v) => s + v, 0) / xs.length;
      const sd = Math.sqrt(xs.reduce((s, v) => s + (v - mean) ** 2, 0) / (xs.length - 1));
      expect(mean).toBeCloseTo(0.5, 1);
      expect(sd).toBeGreaterThan(0.04);
      expect(sd).toBeLessThan(0.06);
    }
  });

  it('draws again the samples that leave the cube, so none piles up on a face', () => {
    const corner = [0.02, 0.98, 0.5, 0.01];
    const opt = cma({ sigma_init: 0.3 }, { warmStart: [corner] });
    opt.tell(opt.ask(1)[0].id, { status: 'ok', value: 0 });
    const trials = opt.ask(opt.population * 4);
    expect(opt.state!.mean).toEqual(corner);
    for (const t of trials) for (const v of t.x) expect(v > 0 && v < 1).toBe(true);
    // Near a face, half the draws fall outside: the ones kept crowd the face's side of the mean.
    expect(trials.filter((t) => t.x[0] < 0.3).length).toBeGreaterThan(trials.length / 2);
  });

  it('clips a sample into the cube when 10·d draws all fall outside, and learns from the clipped point', () => {
    // From a corner of a 20-D cube with σ0 = 0.5, a draw is inside with probability 2⁻²⁰.
    const corner = new Array<number>(20).fill(0);
    const opt = cma({ sigma_init: 0.5 }, { dim: 20, warmStart: [corner] });
    opt.tell(opt.ask(1)[0].id, { status: 'ok', value: 0 });
    const trials = generation(opt, (x) => -x.reduce((s, v) => s + (v - 0.2) ** 2, 0));
    for (const t of trials) {
      expect(t.x.every((v) => v >= 0 && v <= 1)).toBe(true);
      expect(t.x.filter((v) => v === 0).length).toBeGreaterThan(0);
    }
    // The new mean recombines the clipped points, so it is inside the cube, off the corner.
    const mean = opt.state!.mean;
    expect(mean.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(mean.some((v) => v > 0)).toBe(true);
  });

  it('starts from the best observation, else the centre of the cube', () => {
    const best = [0.3, 0.6, 0.2, 0.9];
    const opt = cma({}, { warmStart: [[0.1, 0.1, 0.1, 0.1], best] });
    const [a, b] = opt.ask(2);
    opt.tell(a.id, { status: 'ok', value: 0 });
    opt.tell(b.id, { status: 'ok', value: 1 });
    opt.ask(1);
    expect(opt.state!.mean).toEqual(best);
    const fresh = cma();
    fresh.ask(1);
    expect(fresh.state!.mean).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('updates the distribution when the last sample of a generation is told, whatever the order', () => {
    const opt = cma();
    const trials = opt.ask(opt.population).reverse();
    for (const t of trials) {
      expect(opt.state!.mean).toEqual([0.5, 0.5, 0.5, 0.5]);
      opt.tell(t.id, { status: 'ok', value: t.x[2] });
    }
    expect(opt.state!.mean[2]).toBeGreaterThan(0.5);
  });

  it('learns from the successful samples of a generation with failures', () => {
    const opt = cma({ population: 8 });
    generation(opt, (x) => (x[0] > 0.5 ? null : x[1]));
    expect(opt.state!.mean[1]).toBeGreaterThan(0.5);
    expect(opt.state!.mean[0]).toBeLessThan(0.5);
  });

  it('leaves the distribution unchanged after a generation with fewer than two successes, and goes on', () => {
    const opt = cma();
    const before = opt.ask(1);
    opt.tell(before[0].id, { status: 'ok', value: 1 });
    const snapshot = opt.state!.snapshot();
    for (const t of opt.ask(opt.population - 1)) opt.tell(t.id, { status: 'failed', error: 'crash' });
    expect(opt.state!.snapshot()).toEqual(snapshot);
    generation(opt, (x) => x[3]);
    expect(opt.state!.mean[3]).toBeGreaterThan(0.5);
  });

  it('keeps generations open while earlier ones are pending, and updates from each when it completes', () => {
    const opt = cma();
    const first = opt.ask(opt.population);
    const second = opt.ask(opt.population);
    for (const t of second) opt.tell(t.id, { status: 'ok', value: -t.x[0] });
    const afterSecond = opt.state!.mean[0];
    expect(afterSecond).toBeLessThan(0.5);
    for (const t of first) opt.tell(t.id, { status: 'ok', value: -t.x[0] });
    expect(opt.state!.mean[0]).toBeLessThan(afterSecond);
  });

  it('finds the optimum of an ill-conditioned, rotated quadratic inside the cube', () => {
    const dim = 6;
    const f = (x: readonly number[]) => {
      let s = 0;
      for (let i = 0; i < dim; i++) {
        const u = x[i] - 0.3 + (x[(i + 1) % dim] - 0.6) * 0.5;
        s += 10 ** ((3 * i) / (dim - 1)) * u * u;
      }
      return -s;
    };
    expect(run(cma({}, { dim }), f, 2500)).toBeGreaterThan(-1e-10);
  });

  it('restarts with twice the population from a random mean once values stop changing (ipop)', () => {
    const opt = cma({ population: 6, restarts: 'ipop' }, { dim: 2 });
    // tolfun needs 10 + ⌈30·2/6⌉ = 20 flat generations, then stops the run at the 21st.
    for (let g = 0; g < 20; g++) generation(opt, () => 0);
    expect(opt.restarts).toBe(0);
    generation(opt, () => 0);
    expect(opt.restarts).toBe(1);
    expect(opt.population).toBe(12);
    const trials = opt.ask(12);
    expect(new Set(trials.map((t) => meta(t).generation)).size).toBe(1);
    expect(opt.state!.mean).not.toEqual([0.5, 0.5]);
    expect(opt.state!.stepSize).toBe(0.1667);
  });

  it('keeps one run without restarts', () => {
    const opt = cma({ population: 6, restarts: 'none' }, { dim: 2 });
    for (let g = 0; g < 30; g++) generation(opt, () => 0);
    expect(opt.restarts).toBe(0);
    expect(opt.population).toBe(6);
  });
});
