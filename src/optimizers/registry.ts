import type { Optimizer, OptimizerContext } from './types.js';
import { RandomSearch } from './random-search.js';

/**
 * Every optimizer kind the experiment schema accepts, with its constructor. Options arrive already
 * validated and defaulted by schemas/optimizer.schema.json (`optimizer.options` in the YAML).
 */
export type OptimizerFactory = (ctx: OptimizerContext, options: Record<string, unknown>) => Optimizer;

export const OPTIMIZERS: Readonly<Record<string, OptimizerFactory>> = {
  random: (ctx) => new RandomSearch(ctx),
};

export function createOptimizer(kind: string, ctx: OptimizerContext, options: Record<string, unknown>): Optimizer {
  const factory = OPTIMIZERS[kind];
  if (!factory) throw new Error(`unknown optimizer kind "${kind}"`);
  return factory(ctx, options);
}
