import type { Rng } from '../util/rng.js';
import { DenseMatrix } from './dense-matrix.js';
import { clip, defaultPrior, hyperparameterBounds, priorCentre, samplePrior, type NoisePrior, type NoiseSetting, type Prior } from './hyperparameters.js';
import { minimizeBox } from './lbfgsb.js';
import { MarginalLikelihood } from './marginal-likelihood.js';

export interface FitOptions {
  noise: NoiseSetting;
  /** How far each log lengthscale may stray from their average (see Prior); DEFAULT_LENGTHSCALE_SPREAD when absent. */
  lengthscaleSpread?: number;
  /** Where the learned noise's prior is centred (NOISE_PRIORS); `low` when absent. */
  noisePrior?: NoisePrior;
  /** Random starts drawn from the prior, besides the warm start and the prior's centre. */
  restarts: number;
  /** The previous fit's θ, when there is one: usually a few iterations from the new optimum. */
  warmStart?: ArrayLike<number>;
  rng: Rng;
}

/**
 * Pulls the lengthscales towards a shared one unless the data insist: suits functions of many
 * roughly equally important variables. The pull is looser than the number suggests: it is the
 * sd of small deviations only, and under the prior the median deviation of a log lengthscale
 * from the average is 0.75 at d = 27, a factor 2.1 (hyperparameters.ts, SPREAD_DEGREES_OF_FREEDOM). On the 27-D benchmark suite at
 * 100 evaluations (3 seeds) it improved the median best value over free ARD on 7 of 10
 * functions for both gp-bo and turbo (the sphere, Rosenbrock and Griewank by 5–100×); it lost
 * on the ellipsoid, whose variables differ in scale by 10³, and on few-blocks, where 5 of 27
 * variables matter. Choosing the spread per fit by leave-one-out likelihood (0.25 against 1.5)
 * picked free ARD too often and did worse than this fixed value. Rechecked after the prior's
 * shared lengthscale was freed (hyperparameters.ts; Gaussian pull, seeds 100–109): 0.5 was 5×
 * better on the ellipsoid and 3.4× worse on Rosenbrock; 1 solved few-blocks (−2.3 → −0.6) but
 * lost 46× on the sphere and 29× on Griewank.
 */
export const DEFAULT_LENGTHSCALE_SPREAD = 0.25;

/**
 * Work budget of one fit in units of n³ (an evaluation with gradient costs about n³/2
 * multiply-adds for the Cholesky factor and the inverse): about 25 evaluations at the largest
 * subset. A warm start from the previous fit is usually within a few iterations of the optimum.
 */
const FIT_WORK = 1e8;
/**
 * Larger data sets are fitted on a subset of this size, so an ask stays well under a second at
 * 500 observations (the posterior itself always uses every point): the better half of the subset
 * are the best-scoring points, where the model must be right, the rest a random sample.
 */
const MAX_FIT_POINTS = 160;
const MIN_EVALUATIONS = 8;
const MAX_EVALUATIONS = 200;
/** Evaluations given to each start before the most promising one gets the rest of the budget. */
const PROBE_EVALUATIONS = 12;

/**
 * Hyperparameters for standardized data (the points in the rows of `x`, their values in `y`): the
 * MAP estimate under the priors of hyperparameters.ts. Deterministic for a given rng and warm start.
 */
export function fitHyperparameters(x: DenseMatrix, y: Float64Array, options: FitOptions): Float64Array {
  const n = x.rows;
  if (n > MAX_FIT_POINTS) {
    const subset = fitSubset(y, MAX_FIT_POINTS, options.rng);
    return fitHyperparameters(DenseMatrix.from(x.subMatrixRow(subset)), Float64Array.from(subset, (i) => y[i]), options);
  }
  const prior = defaultPrior(x.columns, options.lengthscaleSpread ?? DEFAULT_LENGTHSCALE_SPREAD, options.noisePrior);
  const budget = Math.max(MIN_EVALUATIONS, Math.min(MAX_EVALUATIONS, Math.floor(FIT_WORK / (n * n * n))));
  return maximumAPosteriori(new MarginalLikelihood(x, y, prior), prior, options, budget);
}

/**
 * The MAP estimate under one prior. The posterior is multimodal (typically a smooth low-noise
 * explanation against an "everything is noise" one), and the start with the best initial value
 * is often in the wrong basin, so every start (warm start, prior centre and a
 * shorter-lengthscale variant, random prior draws) first gets a short L-BFGS probe, best initial
 * values first, as far as half the evaluation budget allows; the best probe then runs on with
 * the rest.
 */
function maximumAPosteriori(objective: MarginalLikelihood, prior: Prior, options: FitOptions, evaluations: number): Float64Array {
  const d = objective.d;
  const bounds = hyperparameterBounds(d, options.noise);
  const fg = (theta: Float64Array, grad: Float64Array) => objective.evaluate(theta, grad);
  const minimize = (start: Float64Array, maxEvaluations: number) =>
    minimizeBox(fg, start, { lower: bounds.lower, upper: bounds.upper, maxEvaluations, gradientTolerance: 1e-3, relativeTolerance: 1e-7 });

  // The prior centre (ℓ ≈ 21 at d = 27) tends to drain into the "everything is noise" basin;
  // a start one prior standard deviation shorter (ℓ ≈ 3.8) reaches the smooth explanations.
  const starts = [priorCentre(d, prior, bounds), priorCentre(d, prior, bounds, -1)];
  if (options.warmStart && options.warmStart.length === d + 3) starts.unshift(clip(Float64Array.from(options.warmStart), bounds));
  for (let r = 0; r < options.restarts; r++) starts.push(samplePrior(d, prior, bounds, options.rng));
  const screened = starts
    .map((theta, index) => ({ theta, index, value: objective.evaluate(theta) }))
    .filter((s) => Number.isFinite(s.value))
    .sort((a, b) => a.value - b.value || a.index - b.index);
  if (screened.length === 0) return starts[0];

  let budget = evaluations;
  const probes = Math.max(1, Math.min(screened.length, Math.floor(budget / 2 / PROBE_EVALUATIONS)));
  let best = { x: screened[0].theta, f: screened[0].value };
  for (const start of screened.slice(0, probes)) {
    const result = minimize(start.theta, Math.min(PROBE_EVALUATIONS, budget));
    budget -= result.evaluations;
    if (result.f < best.f) best = result;
  }
  if (budget > 0) {
    const result = minimize(best.x, budget);
    if (result.f < best.f) best = result;
  }
  return best.x;
}

/** Indices of the m best-scoring points' better half plus a random sample of the others, in index order. */
function fitSubset(y: Float64Array, m: number, rng: Rng): number[] {
  const byScore = Array.from(y.keys()).sort((a, b) => y[b] - y[a] || a - b);
  const best = byScore.slice(0, Math.ceil(m / 2));
  const rest = rng.shuffle(byScore.slice(best.length)).slice(0, m - best.length);
  return [...best, ...rest].sort((a, b) => a - b);
}
