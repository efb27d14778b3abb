import { choleskyInPlace, inverseFromCholesky, solveLower, solveUpper } from './cholesky.js';
import { logPrior, MEAN, NOISE, SIGNAL, type Prior } from './hyperparameters.js';
import { correlationMatrix } from './matern52.js';

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The fit's objective for one data set: the negative log marginal likelihood of a constant-mean
 * Matérn-5/2 GP plus the negative log prior, with its exact gradient. Holds the n×n buffers so
 * that the hundreds of evaluations of one fit allocate nothing.
 */
export class MarginalLikelihood {
  private readonly corr: Float64Array;
  private readonly slope: Float64Array;
  private readonly chol: Float64Array;
  private readonly inverse: Float64Array;
  private readonly work: Float64Array;
  private readonly whitened: Float64Array;
  private readonly alpha: Float64Array;
  private readonly w: Float64Array;
  private readonly pairSums: Float64Array;
  private readonly priorGrad: Float64Array;

  /** `x`: n points × d coordinates, row-major; `y`: standardized targets. */
  constructor(
    private readonly x: Float64Array,
    readonly n: number,
    readonly d: number,
    private readonly y: Float64Array,
    private readonly prior: Prior,
  ) {
    this.corr = new Float64Array(n * n);
    this.slope = new Float64Array(n * n);
    this.chol = new Float64Array(n * n);
    this.inverse = new Float64Array(n * n);
    this.work = new Float64Array(n * n);
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
    const { n, d, x, chol, alpha, corr, slope, w } = this;
    if (!this.factor(theta, grad !== undefined)) return Infinity;
    const signal = Math.exp(theta[d + SIGNAL]);
    const noise = Math.exp(theta[d + NOISE]);
    let value = n * HALF_LOG_2PI;
    for (let i = 0; i < n; i++) value += 0.5 * this.whitened[i] * this.whitened[i] + Math.log(chol[i * n + i]);
    value -= logPrior(theta, d, this.prior);
    if (!grad) return value;
    // d(−log p(y|θ))/dθ = −½ tr(W ∂K/∂θ) with W = ααᵀ − K⁻¹.
    const inv = inverseFromCholesky(chol, n, this.inverse, this.work);
    const sums = this.pairSums.fill(0);
    let diagonal = 0;
    let offDiagonalSignal = 0;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const ai = alpha[i];
      diagonal += ai * ai - inv[ri + i];
      const xi = i * d;
      for (let j = 0; j < i; j++) {
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
    const { n, d, x, y, corr, slope, chol, alpha, w } = this;
    for (let k = 0; k < d; k++) w[k] = Math.exp(-2 * theta[k]);
    const signal = Math.exp(theta[d + SIGNAL]);
    const noise = Math.exp(theta[d + NOISE]);
    correlationMatrix(x, n, d, w, corr, withSlope ? slope : undefined);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      for (let j = 0; j <= i; j++) chol[ri + j] = signal * corr[ri + j];
      chol[ri + i] += noise;
    }
    if (!choleskyInPlace(chol, n, chol)) return false;
    const mean = theta[d + MEAN];
    for (let i = 0; i < n; i++) this.whitened[i] = y[i] - mean;
    solveLower(chol, n, this.whitened, this.whitened);
    solveUpper(chol, n, this.whitened, alpha);
    return true;
  }
}
