/**
 * One optimization run of the benchmark, as sent to a worker process (TypeScript or Python, one
 * JSON object per line both ways; the Python side is bench/python/optuna_worker.py).
 */
export interface OptimizeRequest {
  id: number;
  cmd: 'optimize';
  /** A registry kind (TypeScript worker) or an Optuna sampler: tpe, cmaes, random (Python worker). */
  optimizer: string;
  function: string;
  dim: number;
  seed: number;
  /** Ascending; the run goes to the last one and reports the best value at each. */
  budgets: number[];
  /** Additive Gaussian noise on what the optimizer sees; 0 for the noise-free functions. */
  noise_sd: number;
  /** The optimizer's options (TypeScript only), read once per benchmark so every run of a kind gets the same. */
  options: Record<string, unknown>;
}

export interface EvaluateRequest {
  id: number;
  cmd: 'evaluate';
  function: string;
  dim: number;
  points: number[][];
}

export type WorkerRequest = OptimizeRequest | EvaluateRequest | { id: number; cmd: 'versions' };

/**
 * `best[i]`: the noise-free value of the best *observed* trial within budgets[i] evaluations, the
 * same rule on both sides, so an optimizer whose recommendation differs from its best observation
 * is neither helped nor hurt.
 */
export interface OptimizeReply {
  id: number;
  best?: number[];
  seconds?: number;
  /** CPU time of the worker process for the run: robust to other load on a shared machine. */
  cpu_seconds?: number;
  error?: string;
}
