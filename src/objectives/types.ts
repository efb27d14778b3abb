import type { JsonValue } from '../util/json.js';

/**
 * The contract between the run loop and whatever produces a score for a recipe: a benchmark
 * function, an external command, a user module, or the merge → generate → score pipeline.
 */
export interface EvaluationContext {
  /** Trial number in the run. */
  trial: number;
  /** Aborted when the run is interrupted or the evaluation times out. */
  signal: AbortSignal;
  /** The run's directory, for objectives that save artifacts (images). */
  runDir: string;
}

export interface Evaluation {
  /** The value to maximize. Non-finite values make the trial failed. */
  value: number;
  /** Per-payload / per-image scores and anything else worth journaling. */
  details?: JsonValue;
}

export interface Objective {
  readonly kind: string;
  /** How many evaluations may run at once (the endpoint pool's total slots; 1 for most). */
  readonly concurrency: number;
  /** Evaluates one recipe. Throws EvaluationError (or any error) for a failed trial. */
  evaluate(weights: Readonly<Record<string, number>>, context: EvaluationContext): Promise<Evaluation>;
  /** Releases servers, processes and files. */
  close?(): Promise<void>;
}

/** A failed evaluation with a message fit for the journal; the run goes on. */
export class EvaluationError extends Error {
  constructor(message: string, readonly details?: JsonValue) {
    super(message);
    this.name = 'EvaluationError';
  }
}
