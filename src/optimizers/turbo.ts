import type { Region } from '../gp/acquisition-search.js';
import type { GaussianProcess } from '../gp/gaussian-process.js';
import { TrustRegion, trustRegionBox } from './trust-region.js';
import { GpBo, type GpBoOptions } from './gp-bo.js';
import type { OptimizerContext, Outcome, Trial } from './types.js';

export interface TurboOptions extends GpBoOptions {
  readonly length_init: number;
  readonly length_min: number;
  readonly length_max: number;
  readonly success_tolerance: number;
  /** Consecutive failures that halve the region; null: max(4, d), TuRBO's default for one point per ask. */
  readonly failure_tolerance: number | null;
}

/**
 * TuRBO-1 (Eriksson et al. 2019, "Scalable global optimization via local Bayesian
 * optimization"): gp-bo's model and acquisition, with proposals confined to a trust region
 * around the best point whose size follows the run of successes and failures (trust-region.ts).
 * Global BO over-explores the faces and corners of a 27-D cube, where the posterior variance is
 * largest; a region that starts at most of the cube and shrinks when proposals stop improving
 * keeps the search where the model can be right.
 *
 * The region's state changes only in `observe`, which replay also runs, so proposals stay pure.
 * Only results of the optimizer's own proposals move the schedule; failed trials do not.
 */
export class Turbo extends GpBo {
  override readonly kind: string = 'turbo';
  private readonly trustRegion: TrustRegion;

  constructor(ctx: OptimizerContext, options: TurboOptions) {
    super(ctx, options);
    this.trustRegion = new TrustRegion({
      initial: options.length_init,
      min: options.length_min,
      max: options.length_max,
      successTolerance: options.success_tolerance,
      failureTolerance: options.failure_tolerance ?? Math.max(4, ctx.space.dim),
    });
  }

  protected override observe(trial: Trial, outcome: Outcome): void {
    if (outcome.status === 'ok') this.trustRegion.record(outcome.value, trial.origin === 'optimizer');
  }

  protected override searchArea(gp: GaussianProcess): { region: Region; anchors: Array<readonly number[]> } {
    const [center] = this.bestPoints(gp, 1);
    return { region: trustRegionBox(center, gp.theta.subarray(0, this.dim), this.trustRegion.length), anchors: [center] };
  }
}
