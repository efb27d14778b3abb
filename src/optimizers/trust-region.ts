import type { Region } from '../gp/acquisition-search.js';

export interface TrustRegionSettings {
  /** Side length at the start and after a restart, in units of the unit cube (before lengthscale weighting). */
  initial: number;
  /** Below this the region restarts at `initial`. */
  min: number;
  max: number;
  /** Consecutive improvements that double the side. */
  successTolerance: number;
  /** Consecutive non-improvements that halve it. */
  failureTolerance: number;
}

/**
 * TuRBO's trust-region schedule (Eriksson et al. 2019): the side length doubles after a run of
 * improvements on the best value, halves after a run of failures, and restarts when it has
 * shrunk below the minimum. An improvement must beat the best by 1e-3 of its magnitude.
 */
export class TrustRegion {
  length: number;
  private best = -Infinity;
  private successes = 0;
  private failures = 0;

  constructor(private readonly settings: TrustRegionSettings) {
    this.length = settings.initial;
  }

  /** Records a told value. Values of the initial design set the best without moving the schedule. */
  record(value: number, counts: boolean): void {
    // Before any value the best is −∞, and −∞ + 1e-3·∞ is NaN: the margin applies to a finite best only.
    const margin = Number.isFinite(this.best) ? 1e-3 * Math.abs(this.best) : 0;
    const improved = value > this.best + margin;
    this.best = Math.max(this.best, value);
    if (!counts) return;
    if (improved) {
      this.successes++;
      this.failures = 0;
    } else {
      this.failures++;
      this.successes = 0;
    }
    const s = this.settings;
    if (this.successes >= s.successTolerance) {
      this.length = Math.min(2 * this.length, s.max);
      this.successes = 0;
    } else if (this.failures >= s.failureTolerance) {
      this.length /= 2;
      this.failures = 0;
      if (this.length < s.min) this.length = s.initial;
    }
  }
}

/**
 * The box of side `length` around `center`, stretched per dimension in proportion to its
 * lengthscale (normalized to a geometric mean of 1, so the volume is length^d before clipping to
 * the cube): the model is trusted further along directions in which it varies slowly.
 */
export function trustRegionBox(center: readonly number[], logLengthscales: ArrayLike<number>, length: number): Region {
  const d = center.length;
  let meanLog = 0;
  for (let k = 0; k < d; k++) meanLog += logLengthscales[k] / d;
  const lower = new Float64Array(d);
  const upper = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const half = (length / 2) * Math.exp(logLengthscales[k] - meanLog);
    lower[k] = Math.max(0, center[k] - half);
    upper[k] = Math.min(1, center[k] + half);
  }
  return { lower, upper };
}
