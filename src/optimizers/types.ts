import type { Rng } from '../util/rng.js';
import type { JsonValue } from '../util/json.js';

/**
 * The ask/tell contract every optimizer implements. Points live in the unit cube of the free
 * variables; the SearchSpace maps them to block weights. Direction is always maximize.
 */

/** What an optimizer knows of the space: its size, variable names, and the quantization grid. */
export interface UnitSpace {
  readonly dim: number;
  readonly names: readonly string[];
  /** Moves a point onto the grid the objective will actually see (identity without `step`). */
  snap(x: readonly number[]): number[];
}

/** Why a trial exists: a baseline recipe, the initial design, a user's warm-start recipe, or the optimizer proper. */
export type TrialOrigin = 'baseline' | 'initial' | 'warm-start' | 'optimizer';

export interface Trial {
  /** Sequential from 0 in ask order. */
  readonly id: number;
  readonly x: readonly number[];
  readonly origin: TrialOrigin;
  /** Optimizer bookkeeping that must survive a resume (e.g. PGPE's perturbation). Journaled as is. */
  readonly meta?: JsonValue;
}

export type Outcome = { status: 'ok'; value: number } | { status: 'failed'; error: string };

/** A completed trial as the optimizer sees it. */
export interface Observation {
  readonly trial: Trial;
  readonly value: number;
}

export interface Optimizer {
  readonly kind: string;
  /** Proposes n new points. Points already pending or observed are never proposed again. */
  ask(n: number): Trial[];
  /** Reports a result for a trial returned by ask. Each trial is told once. */
  tell(id: number, outcome: Outcome): void;
  /**
   * Rebuilds state from a journaled ask: leaves the optimizer exactly as if `ask(trials.length)`
   * had returned `trials`. Throws ReplayMismatchError when the optimizer would have proposed
   * something else (a changed config or a non-deterministic optimizer).
   */
  replayAsk(trials: readonly Trial[]): void;
  /** The point the optimizer would return as its answer now (best observed, or best posterior mean). */
  recommend(): readonly number[] | undefined;
  readonly pending: ReadonlyMap<number, Trial>;
  readonly observations: readonly Observation[];
}

/** Everything an optimizer is built from. */
export interface OptimizerContext {
  space: UnitSpace;
  /** This optimizer's own generator, derived from the experiment seed. */
  rng: Rng;
  /** Total evaluation budget, when known (some optimizers size their schedule by it). */
  budget: number | undefined;
  /** Initial design run before the optimizer proper. */
  initial: InitialDesignConfig;
  /** Unit-cube points of user-supplied recipes, evaluated first. */
  warmStart: readonly (readonly number[])[];
  /** Unit-cube points of the baselines (A alone, B alone, uniform 0.5), evaluated before the warm starts. */
  baselines?: readonly (readonly number[])[];
}

export type DesignKind = 'sobol' | 'lhs' | 'random';

export interface InitialDesignConfig {
  design: DesignKind;
  n: number;
}

export class ReplayMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReplayMismatchError';
  }
}
