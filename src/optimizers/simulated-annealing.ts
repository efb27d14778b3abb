import type { Rng } from '../util/rng.js';
import { LocalSearch, type LocalSearchOptions } from './local-search.js';
import type { OptimizerContext } from './types.js';

export interface SimulatedAnnealingOptions extends LocalSearchOptions {
  readonly start_temp: number;
  /** Factor applied to the temperature after every step. */
  readonly annealing_rate: number;
}

/**
 * Simulated annealing (GFO defaults): a worse best neighbour is accepted with the Metropolis
 * probability e^(−loss / T), and T = start_temp · annealing_rate^step cools after each step.
 */
export class SimulatedAnnealing extends LocalSearch {
  readonly kind = 'simulated-annealing';

  constructor(
    ctx: OptimizerContext,
    private readonly annealing: SimulatedAnnealingOptions,
  ) {
    super(ctx, annealing);
    if (!(annealing.start_temp > 0)) throw new RangeError(`start_temp must be > 0, got ${annealing.start_temp}`);
    if (!(annealing.annealing_rate > 0 && annealing.annealing_rate <= 1)) throw new RangeError(`annealing_rate must be in (0, 1], got ${annealing.annealing_rate}`);
  }

  get temperature(): number {
    return this.annealing.start_temp * this.annealing.annealing_rate ** this.steps;
  }

  protected acceptWorse(loss: number, rng: Rng): boolean {
    return rng.float() < Math.exp(-loss / this.temperature);
  }
}
