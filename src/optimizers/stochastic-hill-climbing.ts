import type { Rng } from '../util/rng.js';
import { LocalSearch, type LocalSearchOptions } from './local-search.js';
import type { OptimizerContext } from './types.js';

export interface StochasticHillClimbingOptions extends LocalSearchOptions {
  /** Probability of accepting a worse point that is only marginally worse. */
  readonly p_accept: number;
}

/**
 * Hill climbing that sometimes steps down: a worse best neighbour is accepted with probability
 * p_accept · 2 / (1 + e^loss), which is p_accept for a marginal loss and falls off for larger
 * ones (GFO's rule, on a loss normalised by the typical step loss instead of by the scores).
 */
export class StochasticHillClimbing extends LocalSearch {
  readonly kind = 'stochastic-hill-climbing';

  constructor(
    ctx: OptimizerContext,
    private readonly stochastic: StochasticHillClimbingOptions,
  ) {
    super(ctx, stochastic);
    if (!(stochastic.p_accept >= 0 && stochastic.p_accept <= 1)) throw new RangeError(`p_accept must be in [0, 1], got ${stochastic.p_accept}`);
  }

  protected acceptWorse(loss: number, rng: Rng): boolean {
    return rng.float() < (this.stochastic.p_accept * 2) / (1 + Math.exp(loss));
  }
}
