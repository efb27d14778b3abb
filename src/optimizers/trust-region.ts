import { Matrix } from 'ml-matrix';
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
  const logs = Matrix.rowVector(Array.from({ length: d }, (_, k) => logLengthscales[k]));
  // Summed term by term rather than logs.mean(), which rounds differently: proposals stay bit for
  // bit those of earlier versions, so benchmark tables and resumed runs stay comparable.
  let meanLog = 0;
  for (let k = 0; k < d; k++) meanLog += logs.get(0, k) / d;
  const half = Matrix.exp(Matrix.sub(logs, meanLog)).mul(length / 2);
  const c = Matrix.rowVector([...center]);
  return {
    lower: Float64Array.from(Matrix.sub(c, half).to1DArray(), (v) => Math.max(0, v)),
    upper: Float64Array.from(Matrix.add(c, half).to1DArray(), (v) => Math.min(1, v)),
  };
}
