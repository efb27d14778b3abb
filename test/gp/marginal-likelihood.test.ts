import { determinant, inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { DenseMatrix } from '../../src/gp/dense-matrix.js';
import { defaultPrior, logPrior, MEAN, NOISE, SIGNAL, SPREAD_DEGREES_OF_FREEDOM } from '../../src/gp/hyperparameters.js';
import { MarginalLikelihood } from '../../src/gp/marginal-likelihood.js';
import { correlationMatrix, crossCovariance, matern52, matern52Slope } from '../../src/gp/matern52.js';
import { Rng } from '../../src/util/rng.js';

const rng = Rng.fromSeed('gp-marginal-likelihood');
const n = 9;
const d = 3;
const points = Array.from({ length: n }, () => Array.from({ length: d }, () => rng.float()));
const x = DenseMatrix.fromRows(points);
const y = Float64Array.from(points, (p) => Math.sin(4 * p[0]) + p[1] * p[1] - 0.5 * p[2]);
const theta = Float64Array.from([Math.log(0.4), Math.log(1.3), Math.log(0.7), Math.log(1.5), Math.log(0.02), 0.2]);
const SPREAD = 0.7;

/** Matérn-5/2 written in the distance r, as textbooks give it. */
function maternByDistance(r: number): number {
  return (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
}

/** −log N(y | c, K) − log prior, by dense matrices: K = σ_f² M + σ_n² I, its inverse and determinant. */
function denseNegativeLogPosterior(t: Float64Array): number {
  const ell = Array.from(t.subarray(0, d), Math.exp);
  const k = Matrix.zeros(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = Math.sqrt(points[i].reduce((s, v, c) => s + ((v - points[j][c]) / ell[c]) ** 2, 0));
      k.set(i, j, Math.exp(t[d + SIGNAL]) * maternByDistance(r) + (i === j ? Math.exp(t[d + NOISE]) : 0));
    }
  }
  const r = Matrix.columnVector(Array.from(y, (v) => v - t[d + MEAN]));
  const quadratic = r.transpose().mmul(inverse(k)).mmul(r).get(0, 0);
  const prior = defaultPrior(d, SPREAD);
  // Log lengthscales: the average θ̄ = 1ᵀθ/d is N(mean, spread²/d + sd² − spread²); the deviations
  // Pθ (P = I − 11ᵀ/d, the projection off the average) are multivariate Student-t with ν degrees
  // of freedom in d − 1 dimensions, scaled to match N(0, spread²) near zero.
  const lengthscales = Matrix.columnVector(Array.from(t.subarray(0, d)));
  const average = Matrix.ones(1, d).mmul(lengthscales).get(0, 0) / d;
  const deviations = Matrix.eye(d).sub(Matrix.ones(d, d).div(d)).mmul(lengthscales);
  const spread2 = prior.lengthscaleSpread ** 2;
  let logPrior = -0.5 * (average - prior.lengthscaleMean) ** 2 / (spread2 / d + prior.lengthscaleSd ** 2 - spread2);
  const dof = SPREAD_DEGREES_OF_FREEDOM + d - 1;
  logPrior -= (dof / 2) * Math.log(1 + deviations.transpose().mmul(deviations).get(0, 0) / (dof * spread2));
  logPrior -= 0.5 * ((t[d + SIGNAL] - prior.signalMean) / prior.signalSd) ** 2;
  logPrior -= 0.5 * ((t[d + NOISE] - prior.noiseMean) / prior.noiseSd) ** 2;
  return 0.5 * quadratic + 0.5 * Math.log(determinant(k)) + 0.5 * n * Math.log(2 * Math.PI) - logPrior;
}

describe('Matérn-5/2 kernel', () => {
  it('is (1 + √5 r + 5r²/3) e^(−√5 r) of the distance, written in s = r²', () => {
    for (const r of [0, 0.01, 0.3, 1, 2.5, 10]) expect(matern52(r * r)).toBeCloseTo(maternByDistance(r), 14);
  });

  it('has the slope dm/ds, finite at s = 0', () => {
    expect(matern52Slope(0)).toBe(-5 / 6);
    for (const s of [1e-4, 0.2, 1, 7]) {
      const h = 1e-6 * Math.max(s, 1e-3);
      expect(matern52Slope(s)).toBeCloseTo((matern52(s + h) - matern52(s - h)) / (2 * h), 7);
    }
  });

  it('fills the correlation matrix and its slopes from ARD-scaled distances', () => {
    const w = Float64Array.from(theta.subarray(0, d), (v) => Math.exp(-2 * v));
    const corr = new DenseMatrix(n, n);
    const slope = new DenseMatrix(n, n);
    correlationMatrix(x, w, corr, slope);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const s = points[i].reduce((acc, v, c) => acc + w[c] * (v - points[j][c]) ** 2, 0);
        expect(corr.get(i, j)).toBeCloseTo(matern52(s), 14);
        expect(slope.get(i, j)).toBeCloseTo(matern52Slope(s), 14);
      }
    }
  });

  it('fills the cross-covariance of a block of points with the data, one row per point', () => {
    const w = Float64Array.from(theta.subarray(0, d), (v) => Math.exp(-2 * v));
    const block = points.slice(0, 5).map((p) => p.map((v) => 1 - v));
    const k = crossCovariance(DenseMatrix.fromRows(block), x, w, 1.5);
    expect([k.rows, k.columns]).toEqual([5, n]);
    block.forEach((p, i) => {
      points.forEach((q, j) => expect(k.get(i, j)).toBeCloseTo(1.5 * matern52(p.reduce((acc, v, c) => acc + w[c] * (v - q[c]) ** 2, 0)), 14));
    });
  });
});

describe('negative log marginal likelihood + prior', () => {
  const objective = new MarginalLikelihood(x, y, defaultPrior(d, SPREAD));

  it('matches a dense computation with ml-matrix', () => {
    expect(objective.evaluate(theta)).toBeCloseTo(denseNegativeLogPosterior(theta), 9);
  });

  it('returns the same value with and without the gradient', () => {
    expect(objective.evaluate(theta, new Float64Array(d + 3))).toBe(objective.evaluate(theta));
  });

  it('has the gradient of central finite differences in every hyperparameter', () => {
    const grad = new Float64Array(d + 3);
    objective.evaluate(theta, grad);
    for (let i = 0; i < d + 3; i++) {
      const h = 1e-5;
      const up = Float64Array.from(theta);
      const down = Float64Array.from(theta);
      up[i] += h;
      down[i] -= h;
      const numeric = (objective.evaluate(up) - objective.evaluate(down)) / (2 * h);
      expect(Math.abs(grad[i] - numeric), `θ[${i}]`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
    }
  });

  it('is +∞ where the kernel matrix cannot be factored', () => {
    const duplicated = new MarginalLikelihood(DenseMatrix.fromRows([[0.5, 0.5], [0.5, 0.5]]), Float64Array.from([0, 1]), defaultPrior(2, SPREAD));
    const noNoise = Float64Array.from([0, 0, 0, -800, 0]);
    expect(duplicated.evaluate(noNoise)).toBe(Infinity);
  });
});

describe('lengthscale prior', () => {
  const D = 27;
  const centre = () => {
    const t = new Float64Array(D + 3);
    t.fill(defaultPrior(D, 0.25).lengthscaleMean, 0, D);
    t[D + NOISE] = defaultPrior(D, 0.25).noiseMean;
    return t;
  };

  it('gives the shared lengthscale the full prior width however many dimensions share it', () => {
    // Every log lengthscale one prior sd shorter: about ½ nat, as for a single lengthscale.
    // Independent priors per dimension would charge 27 × ½ and pin a 27-D model's lengthscale.
    const prior = defaultPrior(D, 0.25);
    const shorter = centre().fill(prior.lengthscaleMean - prior.lengthscaleSd, 0, D);
    const cost = logPrior(centre(), D, prior) - logPrior(shorter, D, prior);
    expect(cost).toBeGreaterThan(0.5);
    expect(cost).toBeLessThan(0.55);
  });

  it('charges small deviations from the shared lengthscale like a Gaussian of sd spread', () => {
    const prior = defaultPrior(D, 0.25);
    const apart = centre();
    apart[0] += 0.025;
    // The deviation part ½ (0.025/0.25)² (1 − 1/d), plus the average's share of the move.
    const gaussian = 0.5 * (0.025 / 0.25) ** 2 * (1 - 1 / D) + (0.5 * (0.025 / D) ** 2) / (0.25 ** 2 / D + 3 - 0.25 ** 2);
    expect((logPrior(centre(), D, prior) - logPrior(apart, D, prior)) / gaussian).toBeCloseTo(1, 2);
  });

  it('lets a few variables matter when the data insist: large deviations cost logarithmically', () => {
    // Five of 27 lengthscales 20× shorter than the rest (the few-blocks shape): a Gaussian pull of
    // sd 0.25 would charge Σ(deviation/0.25)²/2 ≈ 290 nats.
    const prior = defaultPrior(D, 0.25);
    const fewBlocks = centre();
    for (let k = 0; k < 5; k++) fewBlocks[k] -= 3;
    const cost = logPrior(centre(), D, prior) - logPrior(fewBlocks, D, prior);
    expect(cost).toBeGreaterThan(20);
    expect(cost).toBeLessThan(80);
  });

  it('is independent per dimension (free ARD) when the spread is at least the prior sd', () => {
    const prior = defaultPrior(4, Number.POSITIVE_INFINITY);
    const t = Float64Array.from([0.3, -1.2, 2.5, 4.1, 0, prior.noiseMean, 0]);
    let independent = 0;
    for (let k = 0; k < 4; k++) independent -= 0.5 * ((t[k] - prior.lengthscaleMean) / prior.lengthscaleSd) ** 2;
    expect(logPrior(t, 4, prior)).toBeCloseTo(independent, 12);
  });
});
