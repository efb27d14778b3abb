import type { Rng } from '../util/rng.js';

/**
 * GP hyperparameters are one vector θ, in the units the fit searches:
 *   θ[0..d)        log lengthscales ℓ_k (inputs live in the unit cube),
 *   θ[d + SIGNAL]  log signal variance σ_f²,
 *   θ[d + NOISE]   log noise variance σ_n²,
 *   θ[d + MEAN]    constant mean c.
 * Outputs are standardized, so σ_f², σ_n² and c are in units of the observed variance and mean.
 */
export const SIGNAL = 0;
export const NOISE = 1;
export const MEAN = 2;

/** Learned noise, or a fixed noise variance (a fraction of the observed variance). */
export type NoiseSetting = 'learned' | number;

const LOG_LENGTHSCALE_RANGE: readonly [number, number] = [Math.log(1e-2), Math.log(1e4)];
const LOG_SIGNAL_RANGE: readonly [number, number] = [Math.log(1e-3), Math.log(1e3)];
/** Noise below 1e-6 of the variance buys nothing but ill-conditioning. */
const LOG_NOISE_RANGE: readonly [number, number] = [Math.log(1e-6), Math.log(1)];
const MEAN_RANGE: readonly [number, number] = [-5, 5];

/**
 * Centres of the log noise-variance prior (in units of the standardized score variance).
 *
 * - `moderate`: BoTorch's log σ_n² ~ N(−4, 1), σ_n ≈ 14 % of the observed sd. Right for modelling
 *   data as they are (the surrogate objective, the report's importance figure) and for objectives
 *   whose scores differ between repeats (a new seed per evaluation).
 * - `low`: σ_n² ≈ 1e-4 (σ_n ≈ 1 % of the observed sd), for searching an objective whose scores
 *   repeat: a merge scored on fixed prompts and seeds. Under `moderate`, part of a rugged but
 *   deterministic objective's variation is fitted as noise, and the search stops resolving it.
 *   On the 27-D suite at 100 evaluations (6 seeds the report does not use; BENCHMARKS.md,
 *   "gp-bo's noise prior") `low` had the better median on 9 of 10 noise-free functions (sphere
 *   14×, rastrigin −317 → −235) and `moderate` on 9 of 10 noisy ones.
 */
export const NOISE_PRIORS = { low: Math.log(1e-4), moderate: -4 } as const;
export type NoisePrior = keyof typeof NOISE_PRIORS;

/**
 * The log-space priors. Lengthscales follow Hvarfner et al. 2024 ("Vanilla Bayesian optimization
 * performs great in high dimensions"), BoTorch's default since 0.12: log ℓ ~ N(√2 + ½ ln d, 3),
 * so the typical lengthscale grows like √d and a 27-D model starts smooth instead of treating
 * every point as isolated. Unlike BoTorch's independent priors, the log lengthscales are
 * exchangeable: each keeps that N(√2 + ½ ln d, 3) marginal, but they are correlated so that
 * small deviations from their average cost what a normal of sd `lengthscaleSpread` charges (a
 * shrink-to-shared-lengthscale prior; the deviations' heavy tails make the typical one about
 * three times larger, see SPREAD_DEGREES_OF_FREEDOM): with 27 free lengthscales and a few dozen points, the unconstrained MAP fit declares a
 * handful of dimensions relevant and the rest flat, and proposals then wander in the "flat" ones
 * (the default spread and the evidence for it: hyperparameter-fit.ts). Their average, the shared
 * lengthscale, keeps nearly the full prior width. (Multiplying the independent priors by a pull
 * to the average, as autombw did before, narrowed the shared lengthscale's prior to sd √(3/d):
 * at d = 27 it was pinned near ℓ ≈ 21, too smooth for a rugged function, and the fit called the
 * ruggedness noise.) A spread of at least √3 gives BoTorch's independent priors (free ARD).
 * The noise prior is log σ_n² ~ N(centre, 1) with the centre from NOISE_PRIORS; the signal
 * variance gets a weak log σ_f² ~ N(0, 1) around the standardized variance. The mean has no prior.
 */
export interface Prior {
  lengthscaleMean: number;
  lengthscaleSd: number;
  /** How far each log lengthscale may stray from their average: the sd of small deviations. */
  lengthscaleSpread: number;
  signalMean: number;
  signalSd: number;
  noiseMean: number;
  noiseSd: number;
}

export function defaultPrior(d: number, lengthscaleSpread: number, noisePrior: NoisePrior = 'low'): Prior {
  return {
    lengthscaleMean: Math.SQRT2 + 0.5 * Math.log(d),
    lengthscaleSd: Math.sqrt(3),
    lengthscaleSpread,
    signalMean: 0,
    signalSd: 1,
    noiseMean: NOISE_PRIORS[noisePrior],
    noiseSd: 1,
  };
}

export interface Bounds {
  lower: Float64Array;
  upper: Float64Array;
}

/** Box bounds of θ; a fixed noise pins its entry (lower = upper). */
export function hyperparameterBounds(d: number, noise: NoiseSetting): Bounds {
  const lower = new Float64Array(d + 3);
  const upper = new Float64Array(d + 3);
  lower.fill(LOG_LENGTHSCALE_RANGE[0], 0, d);
  upper.fill(LOG_LENGTHSCALE_RANGE[1], 0, d);
  [lower[d + SIGNAL], upper[d + SIGNAL]] = LOG_SIGNAL_RANGE;
  if (noise === 'learned') [lower[d + NOISE], upper[d + NOISE]] = LOG_NOISE_RANGE;
  else lower[d + NOISE] = upper[d + NOISE] = Math.log(noise);
  [lower[d + MEAN], upper[d + MEAN]] = MEAN_RANGE;
  return { lower, upper };
}

/**
 * The prior's centre, clipped into the bounds; with `shift`, every log lengthscale moved by that
 * many prior standard deviations.
 */
export function priorCentre(d: number, prior: Prior, bounds: Bounds, shift = 0): Float64Array {
  const theta = new Float64Array(d + 3);
  theta.fill(prior.lengthscaleMean + shift * prior.lengthscaleSd, 0, d);
  theta[d + SIGNAL] = prior.signalMean;
  theta[d + NOISE] = prior.noiseMean;
  theta[d + MEAN] = 0;
  return clip(theta, bounds);
}

/**
 * A random start for the fit: one common lengthscale drawn from the prior, spread per dimension
 * by a quarter of the prior's width (independent draws at the full width would make most starts
 * absurdly anisotropic), and signal and noise from their priors.
 */
export function samplePrior(d: number, prior: Prior, bounds: Bounds, rng: Rng): Float64Array {
  const theta = new Float64Array(d + 3);
  const common = prior.lengthscaleMean + prior.lengthscaleSd * rng.normal();
  for (let k = 0; k < d; k++) theta[k] = common + 0.25 * prior.lengthscaleSd * rng.normal();
  theta[d + SIGNAL] = prior.signalMean + prior.signalSd * rng.normal();
  theta[d + NOISE] = prior.noiseMean + prior.noiseSd * rng.normal();
  theta[d + MEAN] = 0;
  return clip(theta, bounds);
}

/**
 * How the log lengthscales stray from their average: a multivariate Student-t with these degrees
 * of freedom, i.e. Gaussian deviations whose common sd is itself uncertain (inverse-gamma).
 * Scaled so that small deviations cost what a Gaussian of sd `lengthscaleSpread` charges; when
 * the data insist that a few variables matter and the rest do not (few-blocks), the cost grows
 * only logarithmically. That makes the pull much looser than the spread suggests: the deviations
 * are a multivariate t with ν degrees of freedom and scale σ = spread·√((ν + d − 1)/ν), so each
 * one is σ·√(1 − 1/d)·T with T ~ t_ν, and the median of |T| is √(2/3) for ν = 2. At d = 27 and
 * spread 0.25 the prior's median |log ℓ_k − average| is therefore 0.75 (a factor 2.1 on the
 * lengthscale; a normal of sd 0.25 would give 0.17), its 90th percentile 2.7 (a factor 15), and
 * only a third of the lengthscales lie within a factor 1.6 of the shared one (400,000 draws agree). Against the Gaussian pull, on the 27-D suite at 100 evaluations (seeds
 * 100–109, which the report does not use), 2 degrees of freedom improved the median on 7 of 10
 * functions (ellipsoid 7×, rastrigin −256 → −243, few-blocks −2.32 → −2.20; lost Rosenbrock by
 * 14 %, Levy by 11 %, Styblinski–Tang by 1 %); 8 degrees did about as well.
 */
export const SPREAD_DEGREES_OF_FREEDOM = 2;

/** log p(θ) up to a constant; adds ∇ log p(θ) into `grad` when given. */
export function logPrior(theta: Float64Array, d: number, prior: Prior, grad?: Float64Array): number {
  let total = 0;
  const term = (index: number, mean: number, sd: number) => {
    const z = (theta[index] - mean) / sd;
    total -= 0.5 * z * z;
    if (grad) grad[index] -= z / sd;
  };
  term(d + SIGNAL, prior.signalMean, prior.signalSd);
  term(d + NOISE, prior.noiseMean, prior.noiseSd);
  // Exchangeable log lengthscales: each N(mean, sd²) at the margin, the average with variance
  // spread²/d + sd² − spread², the deviations from it drawn with one common scale (see
  // SPREAD_DEGREES_OF_FREEDOM). The deviations sum to zero, so their term's gradient needs no
  // correction for the average.
  const sdVariance = prior.lengthscaleSd ** 2;
  const spreadVariance = Math.min(prior.lengthscaleSpread ** 2, sdVariance);
  const averageVariance = spreadVariance / d + sdVariance - spreadVariance;
  let average = 0;
  for (let k = 0; k < d; k++) average += theta[k] / d;
  const averageSlope = (average - prior.lengthscaleMean) / averageVariance;
  total -= 0.5 * averageSlope * (average - prior.lengthscaleMean);
  let squares = 0;
  for (let k = 0; k < d; k++) squares += (theta[k] - average) ** 2;
  // The multivariate Student-t, or Gaussian deviations when spread ≥ sd (the independent priors).
  let slope = 1 / spreadVariance;
  if (spreadVariance < sdVariance) {
    const shape = (SPREAD_DEGREES_OF_FREEDOM + d - 1) / 2;
    const scale = 2 * shape * spreadVariance;
    total -= shape * Math.log1p(squares / scale);
    slope = (2 * shape) / (scale + squares);
  } else {
    total -= (0.5 * squares) / spreadVariance;
  }
  if (grad) for (let k = 0; k < d; k++) grad[k] -= slope * (theta[k] - average) + averageSlope / d;
  return total;
}

export function clip(theta: Float64Array, bounds: Bounds): Float64Array {
  for (let i = 0; i < theta.length; i++) theta[i] = Math.min(bounds.upper[i], Math.max(bounds.lower[i], theta[i]));
  return theta;
}
