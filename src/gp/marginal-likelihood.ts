import { choleskyInPlace, inverseFromCholesky, solveLower, solveUpper } from './cholesky.js';
import { logPrior, MEAN, NOISE, SIGNAL, type Prior } from './hyperparameters.js';
import { DenseMatrix } from './dense-matrix.js';
import { correlationMatrix } from './matern52.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The fit's objective for one data set: the negative log marginal likelihood of a constant-mean
 * Matérn-5/2 GP plus the negative log prior, with its exact gradient. Holds the n×n matrices so
 * that the hundreds of evaluations of one fit allocate nothing.
 */
export class MarginalLikelihood {
  readonly n: number;
  readonly d: number;
  private readonly corr: DenseMatrix;
  private readonly slope: DenseMatrix;
  private readonly chol: DenseMatrix;
  private readonly inverse: DenseMatrix;
  private readonly work: DenseMatrix;
  private readonly whitened: Float64Array;
  private readonly alpha: Float64Array;
  private readonly w: Float64Array;
  private readonly pairSums: Float64Array;
  private readonly priorGrad: Float64Array;

  /** `x`: one point per row; `y`: their standardized targets. */
  constructor(
    private readonly x: DenseMatrix,
    private readonly y: Float64Array,
    private readonly prior: Prior,
  ) {
    const n = (this.n = x.rows);
    const d = (this.d = x.columns);
    this.corr = new DenseMatrix(n, n);
    this.slope = new DenseMatrix(n, n);
    this.chol = new DenseMatrix(n, n);
    this.inverse = new DenseMatrix(n, n);
    this.work = new DenseMatrix(n, n);
    this.whitened = new Float64Array(n);
    this.alpha = new Float64Array(n);
    this.w = new Float64Array(d);
    this.pairSums = new Float64Array(d);
    this.priorGrad = new Float64Array(d + 3);
  }

  /**
   * −log p(y | θ) − log p(θ). With `grad`, also its gradient. Returns +∞ when the kernel matrix
   * cannot be factored at θ: the fit's line search then backs off.
   */
  evaluate(theta: Float64Array, grad?: Float64Array): number {
    const { n, d, alpha, w } = this;
    const x = this.x.data;
    const chol = this.chol.data;
    const corr = this.corr.data;
    const slope = this.slope.data;
    if (!this.factor(theta, grad !== undefined)) return Infinity;
    const signal = Math.exp(theta[d + SIGNAL]);
    const noise = Math.exp(theta[d + NOISE]);
    let value = n * HALF_LOG_2PI;
    for (let i = 0; i < n; i++) value += 0.5 * this.whitened[i] * this.whitened[i] + Math.log(chol[i * n + i]);
    value -= logPrior(theta, d, this.prior);
    if (!grad) return value;
    // d(−log p(y|θ))/dθ = −½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹.
    const inv = inverseFromCholesky(this.chol, this.inverse, this.work).data;
    const sums = this.pairSums.fill(0);
    let diagonal = 0;
    let offDiagonalSignal = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const ai = alpha[i];
      diagonal += ai * ai - inv[ri + i];
      const xi = i * d;
      // Four partners j at a time: x_i and the running sums are loaded once per four pairs, and
      // each sum still adds its terms in the order of j, so the gradient is the same bit for bit.
      let j = 0;
      for (; j + 3 < i; j += 4) {
        const w0 = ai * alpha[j] - inv[ri + j];
        const w1 = ai * alpha[j + 1] - inv[ri + j + 1];
        const w2 = ai * alpha[j + 2] - inv[ri + j + 2];
        const w3 = ai * alpha[j + 3] - inv[ri + j + 3];
        offDiagonalSignal += w0 * corr[ri + j];
        offDiagonalSignal += w1 * corr[ri + j + 1];
        offDiagonalSignal += w2 * corr[ri + j + 2];
        offDiagonalSignal += w3 * corr[ri + j + 3];
        const c0 = w0 * slope[ri + j];
        const c1 = w1 * slope[ri + j + 1];
        const c2 = w2 * slope[ri + j + 2];
        const c3 = w3 * slope[ri + j + 3];
        const x0 = j * d;
        const x1 = x0 + d;
        const x2 = x1 + d;
        const x3 = x2 + d;
        for (let k = 0; k < d; k++) {
          const v = x[xi + k];
          const e0 = v - x[x0 + k];
          const e1 = v - x[x1 + k];
          const e2 = v - x[x2 + k];
          const e3 = v - x[x3 + k];
          let sum = sums[k];
          sum += c0 * e0 * e0;
          sum += c1 * e1 * e1;
          sum += c2 * e2 * e2;
          sum += c3 * e3 * e3;
          sums[k] = sum;
        }
      }
      for (; j < i; j++) {
        const wij = ai * alpha[j] - inv[ri + j];
        offDiagonalSignal += wij * corr[ri + j];
        const c = wij * slope[ri + j];
        const xj = j * d;
        for (let k = 0; k < d; k++) {
          const diff = x[xi + k] - x[xj + k];
          sums[k] += c * diff * diff;
        }
      }
    }
    grad.fill(0);
    // ∂K_ij/∂log ℓ_k = σ_f² m'(s_ij) · (−2 w_k Δ_ijk²); each pair appears twice in the trace.
    for (let k = 0; k < d; k++) grad[k] = 2 * signal * w[k] * sums[k];
    grad[d + SIGNAL] = -0.5 * signal * (diagonal + 2 * offDiagonalSignal);
    grad[d + NOISE] = -0.5 * noise * diagonal;
    let alphaSum = 0;
    for (let i = 0; i < n; i++) alphaSum += alpha[i];
    grad[d + MEAN] = -alphaSum;
    // The prior's gradient enters with a minus sign: we minimize −log p(θ).
    const priorGrad = this.priorGrad.fill(0);
    logPrior(theta, d, this.prior, priorGrad);
    for (let i = 0; i < d + 3; i++) grad[i] -= priorGrad[i];
    return value;
  }

  /** Factors K(θ) into `chol` and solves for `whitened` = L⁻¹(y − c) and `alpha` = K⁻¹(y − c). */
  private factor(theta: Float64Array, withSlope: boolean): boolean {
    const { n, d, y, alpha, w } = this;
    for (let k = 0; k < d; k++) w[k] = Math.exp(-2 * theta[k]);
    const signal = Math.exp(theta[d + SIGNAL]);
    const noise = Math.exp(theta[d + NOISE]);
    correlationMatrix(this.x, w, this.corr, withSlope ? this.slope : undefined);
    const corr = this.corr.data;
    const chol = this.chol.data;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) chol[ri + j] = signal * corr[ri + j];
      chol[ri + i] += noise;
    }
    if (!choleskyInPlace(this.chol, this.chol)) return false;
    const mean = theta[d + MEAN];
    for (let i = 0; i < n; i++) this.whitened[i] = y[i] - mean;
    solveLower(this.chol, this.whitened, this.whitened);
    solveUpper(this.chol, this.whitened, alpha);
    return true;
  }
}
