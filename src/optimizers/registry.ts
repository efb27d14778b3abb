import type { Optimizer, OptimizerContext } from './types.js';
import { RandomSearch } from './random-search.js';
import { SobolSearch, type SobolSearchOptions } from './sobol-search.js';
import { LhsSearch, type LhsSearchOptions } from './lhs-search.js';
import { HillClimbing } from './hill-climbing.js';
import type { LocalSearchOptions } from './local-search.js';
import { StochasticHillClimbing, type StochasticHillClimbingOptions } from './stochastic-hill-climbing.js';
import { SimulatedAnnealing, type SimulatedAnnealingOptions } from './simulated-annealing.js';
import { RandomRestartHillClimbing, type RandomRestartHillClimbingOptions } from './random-restart-hill-climbing.js';
import { Pgpe, type PgpeOptions } from './pgpe.js';
import { CmaEs, type CmaEsOptions } from './cma-es.js';
import { BinaryMidPass, type BinaryMidPassOptions } from './binary-mid-pass.js';
import { GpBo, type GpBoOptions } from './gp-bo.js';
import { Turbo, type TurboOptions } from './turbo.js';

/**
 * Every optimizer kind the experiment schema accepts, with its constructor. Options arrive already
 * validated and defaulted by schemas/optimizer.schema.json (`optimizer.options` in the YAML).
 */
export type OptimizerFactory = (ctx: OptimizerContext, options: Record<string, unknown>) => Optimizer;

export const OPTIMIZERS: Readonly<Record<string, OptimizerFactory>> = {
  random: (ctx) => new RandomSearch(ctx),
  sobol: (ctx, o) => new SobolSearch(ctx, o as unknown as SobolSearchOptions),
  lhs: (ctx, o) => new LhsSearch(ctx, o as unknown as LhsSearchOptions),
  'hill-climbing': (ctx, o) => new HillClimbing(ctx, o as unknown as LocalSearchOptions),
  'stochastic-hill-climbing': (ctx, o) => new StochasticHillClimbing(ctx, o as unknown as StochasticHillClimbingOptions),
  'simulated-annealing': (ctx, o) => new SimulatedAnnealing(ctx, o as unknown as SimulatedAnnealingOptions),
  'random-restart-hill-climbing': (ctx, o) => new RandomRestartHillClimbing(ctx, o as unknown as RandomRestartHillClimbingOptions),
  pgpe: (ctx, o) => new Pgpe(ctx, o as unknown as PgpeOptions),
  'cma-es': (ctx, o) => new CmaEs(ctx, o as unknown as CmaEsOptions),
  'binary-mid-pass': (ctx, o) => new BinaryMidPass(ctx, o as unknown as BinaryMidPassOptions),
  'gp-bo': (ctx, o) => new GpBo(ctx, o as unknown as GpBoOptions),
  turbo: (ctx, o) => new Turbo(ctx, o as unknown as TurboOptions),
};

export function createOptimizer(kind: string, ctx: OptimizerContext, options: Record<string, unknown>): Optimizer {
  const factory = OPTIMIZERS[kind];
  if (!factory) throw new Error(`unknown optimizer kind "${kind}"`);
  return factory(ctx, options);
}
