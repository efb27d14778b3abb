import { choleskyWithJitter, solveLower, solveLowerRows, solveUpper } from './cholesky.js';
import { DenseMatrix } from './dense-matrix.js';
import { MEAN, NOISE, SIGNAL } from './hyperparameters.js';
import { correlationMatrix, crossCovariance } from './matern52.js';

const SQRT5 = Math.sqrt(5);
/** Posterior variances are floored here: rounding can push them to or below zero at data points. */
const MIN_VARIANCE = 1e-12;

export interface Prediction {
  mean: Float64Array;
  variance: Float64Array;
}

export interface PointPrediction {
  mean: number;
  variance: number;
  /** ∂mean/∂x and ∂variance/∂x. */
  meanGradient: Float64Array;
  varianceGradient: Float64Array;
}

/**
 * The posterior of a constant-mean Matérn-5/2 GP given data and fixed hyperparameters θ (layout
 * in hyperparameters.ts). Predictions are of the latent function, without observation noise.
 * Immutable: `condition` returns a new posterior with one more (possibly fantasized) point,
 * extending the Cholesky factor by a row instead of refactoring.
 */
export class GaussianProcess {
  readonly d: number;
  readonly signal: number;
  readonly noise: number;
  readonly mean: number;
  /** Inverse squared lengthscales. */
  readonly w: Float64Array;

  readonly n: number;

  private constructor(
    /** Hyperparameters, as laid out in hyperparameters.ts. */
    readonly theta: Float64Array,
    /** One point per row. */
    readonly x: DenseMatrix,
    /** Standardized targets. */
    readonly y: Float64Array,
    /** Lower Cholesky factor of K + σ_n² I (+ jitter), n × n. */
    private readonly chol: DenseMatrix,
    /** L⁻¹(y − c). */
    private readonly whitened: Float64Array,
    /** K⁻¹(y − c). */
    private readonly alpha: Float64Array,
    /** Diagonal added on top of σ_n² to make the factorization succeed. */
    readonly jitter: number,
  ) {
    this.d = theta.length - 3;
    this.n = x.rows;
    this.signal = Math.exp(theta[this.d + SIGNAL]);
    this.noise = Math.exp(theta[this.d + NOISE]);
    this.mean = theta[this.d + MEAN];
    this.w = Float64Array.from(theta.subarray(0, this.d), (v) => Math.exp(-2 * v));
  }

  /** The posterior given the points in the rows of `x` with standardized targets `y`. */
  static fromHyperparameters(theta: Float64Array, x: DenseMatrix, y: Float64Array): GaussianProcess {
    const n = x.rows;
    const d = theta.length - 3;
    const w = Float64Array.from(theta.subarray(0, d), (v) => Math.exp(-2 * v));
    const signal = Math.exp(theta[d + SIGNAL]);
    const noise = Math.exp(theta[d + NOISE]);
    const kernel = new DenseMatrix(n, n);
    correlationMatrix(x, w, kernel);
    const k = kernel.data;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) k[i * n + j] *= signal;
      k[i * n + i] += noise;
    }
    const jitter = choleskyWithJitter(kernel, kernel);
    const whitened = new Float64Array(n);
    for (let i = 0; i < n; i++) whitened[i] = y[i] - theta[d + MEAN];
    solveLower(kernel, whitened, whitened);
    const alpha = solveUpper(kernel, whitened, new Float64Array(n));
    return new GaussianProcess(theta, x.clone(), Float64Array.from(y), kernel, whitened, alpha, jitter);
  }

  /**
   * Posterior mean and latent variance at each row of `points`, as one block: the cross-covariance
   * K* (m × n) gives the means K* α, and one triangular solve L V = K*ᵀ with m right-hand sides
   * gives the variances σ_f² − ‖v‖².
   */
  predict(points: DenseMatrix): Prediction {
    const { n } = this;
    const m = points.rows;
    const block = crossCovariance(points, this.x, this.w, this.signal);
    const k = block.data;
    const mean = new Float64Array(m);
    for (let p = 0; p < m; p++) {
      let mu = this.mean;
      for (let i = 0, r = p * n; i < n; i++) mu += k[r + i] * this.alpha[i];
      mean[p] = mu;
    }
    solveLowerRows(this.chol, block);
    const variance = new Float64Array(m);
    for (let p = 0; p < m; p++) {
      let explained = 0;
      for (let i = p * n; i < (p + 1) * n; i++) explained += k[i] * k[i];
      variance[p] = Math.max(this.signal - explained, MIN_VARIANCE);
    }
    return { mean, variance };
  }

  /** Posterior mean and variance at one point, with their gradients in x. */
  predictWithGradient(point: ArrayLike<number>): PointPrediction {
    const { n, d, w } = this;
    const x = this.x.data;
    const k = new Float64Array(n);
    const slope = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const ri = i * d;
      let s = 0;
      for (let c = 0; c < d; c++) {
        const diff = point[c] - x[ri + c];
        s += w[c] * diff * diff;
      }
      const t = SQRT5 * Math.sqrt(s);
      const e = Math.exp(-t);
      k[i] = this.signal * (1 + t + (t * t) / 3) * e;
      slope[i] = this.signal * (-5 / 6) * (1 + t) * e;
    }
    let mu = this.mean;
    for (let i = 0; i < n; i++) mu += k[i] * this.alpha[i];
    const v = solveLower(this.chol, k, new Float64Array(n));
    let explained = 0;
    for (let i = 0; i < n; i++) explained += v[i] * v[i];
    const beta = solveUpper(this.chol, v, v);

    // ∂k_i/∂x_c = 2 m'(s_i) σ_f² w_c (x_c − x_ic); the mean uses α, the variance −2 K⁻¹k.
    const meanGradient = new Float64Array(d);
    const varianceGradient = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      const a = 2 * slope[i] * this.alpha[i];
      const b = -4 * slope[i] * beta[i];
      const ri = i * d;
      for (let c = 0; c < d; c++) {
        const diff = point[c] - x[ri + c];
        meanGradient[c] += a * diff;
        varianceGradient[c] += b * diff;
      }
    }
    for (let c = 0; c < d; c++) {
      meanGradient[c] *= w[c];
      varianceGradient[c] *= w[c];
    }
    const raw = this.signal - explained;
    if (raw < MIN_VARIANCE) varianceGradient.fill(0);
    return { mean: mu, variance: Math.max(raw, MIN_VARIANCE), meanGradient, varianceGradient };
  }

  /** Posterior mean at the training points: y − σ_n² α (the smoothed observations). */
  fittedMeans(): Float64Array {
    const out = new Float64Array(this.n);
    const diagonal = this.noise + this.jitter;
    for (let i = 0; i < this.n; i++) out[i] = this.y[i] - diagonal * this.alpha[i];
    return out;
  }

  /**
   * The posterior after also observing `value` at `point`: the factor grows by one row,
   * l = L⁻¹k, l_nn = √(k(x,x) + σ_n² − |l|²), in O(n²).
   */
  condition(point: ArrayLike<number>, value: number): GaussianProcess {
    const { n, d } = this;
    const m = n + 1;
    const x = new DenseMatrix(m, d);
    x.data.set(this.x.data);
    for (let c = 0; c < d; c++) x.data[n * d + c] = point[c];
    const row = crossCovariance(new DenseMatrix(1, d, Float64Array.from({ length: d }, (_, c) => point[c])), this.x, this.w, this.signal).data;
    solveLower(this.chol, row, row);
    let explained = 0;
    let projection = 0;
    for (let i = 0; i < n; i++) {
      explained += row[i] * row[i];
      projection += row[i] * this.whitened[i];
    }
    const diagonal = Math.sqrt(Math.max(this.signal + this.noise + this.jitter - explained, MIN_VARIANCE));
    const chol = new DenseMatrix(m, m);
    for (let i = 0; i < n; i++) chol.data.set(this.chol.data.subarray(i * n, i * n + i + 1), i * m);
    chol.data.set(row, n * m);
    chol.data[n * m + n] = diagonal;
    const whitened = new Float64Array(m);
    whitened.set(this.whitened);
    whitened[n] = (value - this.mean - projection) / diagonal;
    const alpha = solveUpper(chol, whitened, new Float64Array(m));
    const y = new Float64Array(m);
    y.set(this.y);
    y[n] = value;
    return new GaussianProcess(this.theta, x, y, chol, whitened, alpha, this.jitter);
  }
}
