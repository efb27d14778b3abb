import { BaseOptimizer, type Proposal, type ProposeContext } from './base.js';
import { uniformPoints } from '../qmc/index.js';

/** Uniform random search: the baseline every other optimizer must beat. */
export class RandomSearch extends BaseOptimizer {
  readonly kind = 'random';
  protected override readonly proposalsArePure = true;

  protected propose(n: number, { rng }: ProposeContext): Proposal[] {
    return uniformPoints(n, this.dim, rng).map((x) => ({ x }));
  }
}
