import { inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { DenseMatrix } from '../../src/gp/dense-matrix.js';
import { GaussianProcess } from '../../src/gp/gaussian-process.js';
import { Rng } from '../../src/util/rng.js';

const d = 2;
const train = [
  [0.1, 0.2],
  [0.4, 0.9],
  [0.5, 0.5],
  [0.8, 0.1],
  [0.95, 0.7],
  [0.3, 0.6],
];
const targets = [0.3, -1.2, 0.8, 1.5, -0.4, 0.1];
const tests = [
  [0.2, 0.2],
  [0.5, 0.55],
  [0.0, 1.0],
  [0.7, 0.3],
  [0.5, 0.5],
];
// log ℓ = (log 0.3, log 0.6), σ_f² = 1.7, σ_n² = 0.01, c = 0.25.
const theta = Float64Array.from([Math.log(0.3), Math.log(0.6), Math.log(1.7), Math.log(0.01), 0.25]);

function kernel(a: readonly number[], b: readonly number[]): number {
  const r = Math.sqrt(((a[0] - b[0]) / 0.3) ** 2 + ((a[1] - b[1]) / 0.6) ** 2);
  return 1.7 * (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
}

/** Textbook posterior: μ = c + k*ᵀ K⁻¹ (y − c), σ² = k(x, x) − k*ᵀ K⁻¹ k*, with K⁻¹ from ml-matrix's LU inverse. */
function densePosterior(points: readonly (readonly number[])[], ys: readonly number[], at: readonly number[]): { mean: number; variance: number } {
  const k = new Matrix(points.map((a, i) => points.map((b, j) => kernel(a, b) + (i === j ? 0.01 : 0))));
  const kInv = inverse(k);
  const kStar = Matrix.columnVector(points.map((p) => kernel(p, at)));
  const residual = Matrix.columnVector(ys.map((v) => v - 0.25));
  return {
    mean: 0.25 + kStar.transpose().mmul(kInv).mmul(residual).get(0, 0),
    variance: kernel(at, at) - kStar.transpose().mmul(kInv).mmul(kStar).get(0, 0),
  };
}

const gp = GaussianProcess.fromHyperparameters(theta, DenseMatrix.fromRows(train), Float64Array.from(targets));

describe('GaussianProcess posterior', () => {
  it('predicts the mean and latent variance of a dense textbook computation to 1e-8', () => {
    const { mean, variance } = gp.predict(DenseMatrix.fromRows(tests));
    tests.forEach((at, p) => {
      const reference = densePosterior(train, targets, at);
      expect(Math.abs(mean[p] - reference.mean)).toBeLessThan(1e-8);
      expect(Math.abs(variance[p] - reference.variance)).toBeLessThan(1e-8);
    });
  });

  it('gives the same prediction one point at a time, with gradients matching finite differences', () => {
    const batch = gp.predict(DenseMatrix.fromRows(tests));
    tests.forEach((at, p) => {
      const single = gp.predictWithGradient(at);
      expect(single.mean).toBeCloseTo(batch.mean[p], 13);
      expect(single.variance).toBeCloseTo(batch.variance[p], 13);
      for (let c = 0; c < d; c++) {
        const h = 1e-6;
        const up = [...at];
        const down = [...at];
        up[c] += h;
        down[c] -= h;
        const [hi, lo] = [gp.predictWithGradient(up), gp.predictWithGradient(down)];
        expect(single.meanGradient[c]).toBeCloseTo((hi.mean - lo.mean) / (2 * h), 6);
        expect(single.varianceGradient[c]).toBeCloseTo((hi.variance - lo.variance) / (2 * h), 6);
      }
    });
  });

  it('reports the posterior mean at the training points as fitted means', () => {
    const { mean } = gp.predict(DenseMatrix.fromRows(train));
    const fitted = gp.fittedMeans();
    for (let i = 0; i < train.length; i++) expect(fitted[i]).toBeCloseTo(mean[i], 10);
  });

  it('conditions on one more point exactly as a refit with that point would', () => {
    const extra = [0.6, 0.8];
    const conditioned = gp.condition(extra, 0.9);
    const refit = GaussianProcess.fromHyperparameters(theta, DenseMatrix.fromRows([...train, extra]), Float64Array.from([...targets, 0.9]));
    const at = DenseMatrix.fromRows(tests);
    const [a, b] = [conditioned.predict(at), refit.predict(at)];
    for (let p = 0; p < tests.length; p++) {
      expect(a.mean[p]).toBeCloseTo(b.mean[p], 12);
      expect(a.variance[p]).toBeCloseTo(b.variance[p], 12);
    }
  });

  it('shrinks the variance around a believed point without moving the mean there (Kriging believer)', () => {
    const at = [0.7, 0.3];
    const before = gp.predictWithGradient(at);
    const believed = gp.condition(at, before.mean).predictWithGradient(at);
    expect(believed.mean).toBeCloseTo(before.mean, 12);
    // One noisy observation of variance σ_n² = 0.01 combines with the prior variance v as v·σ_n²/(v + σ_n²).
    expect(believed.variance).toBeCloseTo((before.variance * 0.01) / (before.variance + 0.01), 12);
  });

  it('factors a kernel matrix of duplicated points by adding jitter', () => {
    const rng = Rng.fromSeed('duplicates');
    const p = [rng.float(), rng.float()];
    const noiseless = Float64Array.from([Math.log(0.3), Math.log(0.6), 0, -60, 0]);
    const twin = GaussianProcess.fromHyperparameters(noiseless, DenseMatrix.fromRows([p, p, [0.1, 0.1]]), Float64Array.from([1, 1, 0]));
    expect(twin.jitter).toBeGreaterThan(0);
    expect(twin.predict(DenseMatrix.fromRows([p])).mean[0]).toBeCloseTo(1, 6);
  });
});
