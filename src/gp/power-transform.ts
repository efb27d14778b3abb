import { standardize } from './standardize.js';

/**
 * Scores made fit for a Gaussian likelihood: standardized, passed through the Yeo–Johnson power
 * transform with λ chosen by maximum likelihood (as scikit-learn's PowerTransformer and HEBO
 * do), and standardized again.
 *
 * Why: scores of a maximization typically have a long bad tail (a few recipes that ruin the
 * image, a test function's far corners). Standardized, that tail squeezes every good score into
 * a sliver at the top, where the model then cannot tell them apart from noise. λ > 1 compresses
 * the lower tail (logarithmically at λ = 2) and spreads the top; λ < 1 tames a long upper tail;
 * λ = 1 is the identity. The transform is monotone, so the best score stays the best.
 */
export function powerTransform(values: readonly number[]): Float64Array {
  const y = standardize(values);
  const lambda = fitLambda(y);
  return standardize(Array.from(y, (v) => yeoJohnson(v, lambda)));
}

const LAMBDA_RANGE: readonly [number, number] = [-2, 4];

export function yeoJohnson(y: number, lambda: number): number {
  if (y >= 0) return Math.abs(lambda) < 1e-12 ? Math.log1p(y) : (Math.pow(y + 1, lambda) - 1) / lambda;
  return Math.abs(lambda - 2) < 1e-12 ? -Math.log1p(-y) : -(Math.pow(1 - y, 2 - lambda) - 1) / (2 - lambda);
}

/**
 * Profile log-likelihood of λ for normal transformed data: −(n/2) log σ̂²(λ) plus the log
 * Jacobian (λ − 1) Σ sign(y) log(1 + |y|).
 */
export function yeoJohnsonLogLikelihood(y: ArrayLike<number>, lambda: number): number {
  const n = y.length;
  let mean = 0;
  let jacobian = 0;
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    t[i] = yeoJohnson(y[i], lambda);
    mean += t[i] / n;
    jacobian += Math.sign(y[i]) * Math.log1p(Math.abs(y[i]));
  }
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (t[i] - mean) ** 2 / n;
  if (!(variance > 0) || !Number.isFinite(variance)) return -Infinity;
  return -0.5 * n * Math.log(variance) + (lambda - 1) * jacobian;
}

/** Golden-section search of the (unimodal in practice) profile likelihood over LAMBDA_RANGE. */
function fitLambda(y: Float64Array): number {
  if (y.every((v) => v === 0)) return 1;
  const ratio = (Math.sqrt(5) - 1) / 2;
  let [a, b] = LAMBDA_RANGE;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = yeoJohnsonLogLikelihood(y, c);
  let fd = yeoJohnsonLogLikelihood(y, d);
  while (b - a > 1e-4) {
    if (fc > fd) {
      [b, d, fd] = [d, c, fc];
      c = b - ratio * (b - a);
      fc = yeoJohnsonLogLikelihood(y, c);
    } else {
      [a, c, fc] = [c, d, fd];
      d = a + ratio * (b - a);
      fd = yeoJohnsonLogLikelihood(y, d);
    }
  }
  return (a + b) / 2;
}
