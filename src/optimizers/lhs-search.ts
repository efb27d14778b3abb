import { BaseOptimizer, type Proposal } from './base.js';
import { lhsPoints } from '../qmc/lhs.js';
import type { OptimizerContext } from './types.js';

export interface LhsSearchOptions {
  /** Points per hypercube; null sizes it to the budget left after warm starts and the initial design. */
  readonly batch_size: number | null;
  /** Hypercubes drawn per batch, keeping the one with the largest minimum distance (1 = plain LHS). */
  readonly candidates: number;
}

/** Batch size when neither the option nor the budget says: enough points to stratify each axis finely. */
const UNBUDGETED_POINTS_PER_DIM = 10;
/** A hypercube is built whole, so its size is bounded: a longer run (or a budget of 10^15) gets several. */
const MAX_POINTS_PER_HYPERCUBE = 100_000;

/**
 * Latin hypercube search: points of one hypercube sized to the remaining budget, so the whole run
 * is stratified on every axis; if the run goes on past it, another hypercube of the same size.
 */
export class LhsSearch extends BaseOptimizer {
  readonly kind = 'lhs';
  private readonly batchSize: number;
  private batch: number[][] = [];
  private batchIndex = 0;
  private cursor = 0;

  constructor(
    ctx: OptimizerContext,
    private readonly options: LhsSearchOptions,
  ) {
    super(ctx);
    const left = ctx.budget === undefined ? undefined : ctx.budget - (ctx.baselines?.length ?? 0) - ctx.warmStart.length - ctx.initial.n;
    this.batchSize = Math.min(MAX_POINTS_PER_HYPERCUBE, Math.max(2, options.batch_size ?? left ?? UNBUDGETED_POINTS_PER_DIM * this.dim));
  }

  protected propose(n: number): Proposal[] {
    return Array.from({ length: n }, () => {
      if (this.cursor === this.batch.length) {
        this.batch = lhsPoints(this.batchSize, this.dim, this.ctx.rng.derive('lhs', this.batchIndex++), this.options.candidates);
        this.cursor = 0;
      }
      return { x: this.batch[this.cursor++] };
    });
  }
}
