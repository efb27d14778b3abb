import { LocalSearch, type LocalSearchOptions } from './local-search.js';
import type { OptimizerContext } from './types.js';

export interface RandomRestartHillClimbingOptions extends LocalSearchOptions {
  /** Steps without improvement (of n_neighbours results each) before a restart. */
  readonly n_iter_restart: number;
}

/**
 * Hill climbing that starts over from a uniform random point once a climb has stalled for
 * n_iter_restart steps, so a run samples several basins instead of polishing one. GFO restarts
 * on a fixed schedule instead; at budgets of a few hundred evaluations that cuts off climbs
 * that are still improving. The best point of every climb stays in the observations.
 */
export class RandomRestartHillClimbing extends LocalSearch {
  readonly kind = 'random-restart-hill-climbing';
  private stalled = 0;

  constructor(
    ctx: OptimizerContext,
    private readonly restarts: RandomRestartHillClimbingOptions,
  ) {
    super(ctx, restarts);
    if (!Number.isInteger(restarts.n_iter_restart) || restarts.n_iter_restart < 1) throw new RangeError(`n_iter_restart must be a positive integer, got ${restarts.n_iter_restart}`);
  }

  protected acceptWorse(): boolean {
    return false;
  }

  protected override afterStep(improved: boolean): void {
    this.stalled = improved ? 0 : this.stalled + 1;
    if (this.stalled === this.restarts.n_iter_restart) {
      this.stalled = 0;
      this.restart();
    }
  }
}
