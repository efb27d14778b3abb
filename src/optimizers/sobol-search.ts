import { BaseOptimizer, type Proposal } from './base.js';
import { sobolSequence, type SobolSequence } from '../qmc/sobol.js';
import type { OptimizerContext } from './types.js';

export interface SobolSearchOptions {
  /** Scramble the sequence (seeded); false gives the classical sequence, shared by every seed. */
  readonly scramble: boolean;
}

/**
 * Quasi-random search: the points of one Sobol' sequence in order. When the initial design is
 * Sobol' too, the optimizer continues that very sequence after the design's last point, so the
 * whole run is one low-discrepancy sequence rather than two interleaved ones.
 */
export class SobolSearch extends BaseOptimizer {
  readonly kind = 'sobol';
  private readonly sequence: SobolSequence;
  private next: number;

  constructor(ctx: OptimizerContext, options: SobolSearchOptions) {
    super(ctx);
    if (!options.scramble) {
      this.sequence = sobolSequence(this.dim);
      this.next = 1; // the unscrambled sequence starts at the origin, a corner not worth an evaluation
    } else if (ctx.initial.design === 'sobol') {
      // BaseOptimizer draws its initial design from rng.derive('initial'); the same key gives the same scramble.
      this.sequence = sobolSequence(this.dim, ctx.rng.derive('initial'));
      this.next = ctx.initial.n;
    } else {
      this.sequence = sobolSequence(this.dim, ctx.rng.derive('sobol'));
      this.next = 0;
    }
  }

  protected propose(n: number): Proposal[] {
    return Array.from({ length: n }, () => ({ x: this.sequence.point(this.next++) }));
  }
}
