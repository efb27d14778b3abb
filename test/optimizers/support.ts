import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { schemasDir } from '../../src/config/schema.js';
import { createOptimizer } from '../../src/optimizers/registry.js';
import type { InitialDesignConfig, Optimizer, OptimizerContext, Trial, UnitSpace } from '../../src/optimizers/types.js';
import { Rng } from '../../src/util/rng.js';

/** The kinds this suite covers (gp-bo and turbo have their own tests). */
export const KINDS = ['sobol', 'lhs', 'hill-climbing', 'stochastic-hill-climbing', 'simulated-annealing', 'random-restart-hill-climbing', 'pgpe', 'cma-es', 'binary-mid-pass'] as const;
export type Kind = (typeof KINDS)[number] | 'random';

export function optionsSchema(kind: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${schemasDir()}/optimizers/${kind}.schema.json`, 'utf8'));
}

const ajv = new Ajv2020({ useDefaults: true, strict: true, allowUnionTypes: true });
const validators = new Map<string, ValidateFunction>();

/** The options object the registry receives for `options` in the YAML: validated and defaulted by the kind's schema. */
export function resolvedOptions(kind: string, options: Record<string, unknown> = {}): Record<string, unknown> {
  let validate = validators.get(kind);
  if (!validate) {
    validate = ajv.compile(optionsSchema(kind));
    validators.set(kind, validate);
  }
  const data = structuredClone(options);
  if (!validate(data)) throw new Error(`${kind} options invalid: ${ajv.errorsText(validate.errors)}`);
  return data;
}

/** The unit cube itself: no quantization. */
export function unitCube(dim: number): UnitSpace {
  return { dim, names: Array.from({ length: dim }, (_, i) => `x${i}`), snap: (x) => x.map((u) => Math.min(1, Math.max(0, u))) };
}

export interface ContextSpec {
  space?: UnitSpace;
  dim?: number;
  seed?: number | string;
  budget?: number;
  initial?: InitialDesignConfig;
  warmStart?: number[][];
}

export function context(spec: ContextSpec = {}): OptimizerContext {
  const space = spec.space ?? unitCube(spec.dim ?? 5);
  return {
    space,
    rng: Rng.fromSeed(spec.seed ?? 1).derive('optimizer'),
    budget: spec.budget,
    initial: spec.initial ?? { design: 'sobol', n: 0 },
    warmStart: spec.warmStart ?? [],
  };
}

export function make(kind: Kind, spec: ContextSpec = {}, options: Record<string, unknown> = {}): Optimizer {
  return createOptimizer(kind, context(spec), resolvedOptions(kind, options));
}

/** Runs ask/tell sequentially (or in batches of `batch`, told in order) and returns the best value seen. */
export function run(opt: Optimizer, f: (x: readonly number[]) => number, budget: number, batch = 1): number {
  let best = -Infinity;
  for (let used = 0; used < budget; ) {
    const trials = opt.ask(Math.min(batch, budget - used));
    for (const t of trials) {
      const value = f(t.x);
      best = Math.max(best, value);
      opt.tell(t.id, { status: 'ok', value });
    }
    used += trials.length;
  }
  return best;
}

/** What a run journals, in order: each ask's trials and each tell. */
export type JournalEvent = { ask: Trial[] } | { tell: number; value: number | null };

export function replay(opt: Optimizer, events: readonly JournalEvent[]): void {
  for (const e of events) {
    if ('ask' in e) opt.replayAsk(e.ask);
    else opt.tell(e.tell, e.value === null ? { status: 'failed', error: 'journaled failure' } : { status: 'ok', value: e.value });
  }
}

export interface ParallelRunSpec {
  /** Label of the run's own generator (batch sizes, completion order). */
  seed: string;
  /** Largest batch asked at once (each ask takes 1 to this many points). */
  maxBatch: number;
  /** Trials left pending while the next ask is made. */
  keepPending: number;
  /** Trials that fail instead of returning a value. */
  fails: (id: number) => boolean;
}

/**
 * A parallel run as the runtime drives it: batches of random size, results told out of order
 * while a few trials stay pending, some trials failing. Returns the journal it would write.
 */
export function parallelRun(opt: Optimizer, asks: number, f: (x: readonly number[]) => number, spec: ParallelRunSpec): JournalEvent[] {
  const rng = Rng.fromSeed(spec.seed);
  const events: JournalEvent[] = [];
  const pending: Trial[] = [];
  for (let a = 0; a < asks; a++) {
    const trials = opt.ask(1 + rng.int(spec.maxBatch));
    events.push({ ask: trials });
    pending.push(...trials);
    while (pending.length > spec.keepPending) {
      const [t] = pending.splice(rng.int(pending.length), 1);
      const value = spec.fails(t.id) ? null : f(t.x);
      opt.tell(t.id, value === null ? { status: 'failed', error: 'merge crashed' } : { status: 'ok', value });
      events.push({ tell: t.id, value });
    }
  }
  return events;
}
