import { describe, expect, it } from 'vitest';
import { DenseMatrix } from '../../src/gp/dense-matrix.js';
import { fitHyperparameters } from '../../src/gp/hyperparameter-fit.js';
import { NOISE, type NoisePrior } from '../../src/gp/hyperparameters.js';
import { standardize } from '../../src/gp/standardize.js';
import { Rng } from '../../src/util/rng.js';

const d = 3;
const n = 40;
const rng = Rng.fromSeed('gp-fit-data');
const points = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.float()));
const x = DenseMatrix.fromRows(points);
/** Varies along x0 only. */
const clean = points.map((p) => Math.sin(6 * p[0]));
const noisy = clean.map((v) => v + 0.4 * rng.normal());

const fitTheta = (values: number[], noise: 'learned' | number = 'learned', noisePrior: NoisePrior = 'low', seed = 1) =>
  fitHyperparameters(x, standardize(values), { noise, noisePrior, restarts: 3, rng: Rng.fromSeed(seed) });

describe('fitHyperparameters', () => {
  it('gives the dimension the scores depend on a short lengthscale and the others long ones', () => {
    const ell = Array.from(fitTheta(clean).subarray(0, d), Math.exp);
    expect(ell[0]).toBeLessThan(1);
    expect(ell[1]).toBeGreaterThan(5 * ell[0]);
    expect(ell[2]).toBeGreaterThan(5 * ell[0]);
  });

  it('keeps the lengthscales of an isotropic function together when points are few', () => {
    // 8-D sphere, 20 points: unshrunk ARD would call a few dimensions relevant and the rest flat.
    const d8 = 8;
    const r = Rng.fromSeed('isotropic');
    const pts = Array.from({ length: 20 }, () => Array.from({ length: d8 }, () => r.float()));
    const values = pts.map((p) => -p.reduce((s, v) => s + (v - 0.4) ** 2, 0));
    const theta = fitHyperparameters(DenseMatrix.fromRows(pts), standardize(values), { noise: 'learned', restarts: 3, rng: Rng.fromSeed(1) });
    const logs = Array.from(theta.subarray(0, d8));
    expect(Math.exp(Math.max(...logs) - Math.min(...logs))).toBeLessThan(4);
  });

  it('learns more noise from noisy scores than from clean ones under the moderate noise prior', () => {
    const cleanNoise = Math.exp(fitTheta(clean, 'learned', 'moderate')[d + NOISE]);
    const noisyNoise = Math.exp(fitTheta(noisy, 'learned', 'moderate')[d + NOISE]);
    expect(cleanNoise).toBeLessThan(1e-3);
    // The added noise has variance 0.16 against about 0.5 of signal: roughly a quarter of the
    // total. With 40 points a fit explains part of it by wiggles along x1 and x2.
    expect(noisyNoise).toBeGreaterThan(0.05);
    expect(noisyNoise).toBeLessThan(0.5);
    expect(noisyNoise).toBeGreaterThan(100 * cleanNoise);
  });

  it('under the low noise prior, explains rugged deterministic scores by the function rather than by noise', () => {
    // Three ripples per dimension: at 40 points in 3-D the moderate prior calls most of the variance noise.
    const rugged = points.map((p) => p.reduce((s, v) => s + Math.cos(20 * v), 0));
    const moderate = Math.exp(fitTheta(rugged, 'learned', 'moderate')[d + NOISE]);
    const low = Math.exp(fitTheta(rugged, 'learned', 'low')[d + NOISE]);
    expect(moderate).toBeGreaterThan(0.3);
    expect(low).toBeLessThan(1e-3);
  });

  it('keeps a fixed noise variance fixed', () => {
    expect(fitTheta(noisy, 1e-4)[d + NOISE]).toBe(Math.log(1e-4));
  });

  it('returns the same hyperparameters for the same data and seed, bit for bit', () => {
    expect(Array.from(fitTheta(noisy, 'learned', 'low', 5))).toEqual(Array.from(fitTheta(noisy, 'learned', 'low', 5)));
  });
});
