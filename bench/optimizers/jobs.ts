import { BENCHMARK_FUNCTIONS } from '../../src/objectives/functions/index.js';
import type { OptimizeRequest } from './protocol.js';

export type Engine = 'ts' | 'optuna';

/** An optimizer in the comparison: a registry kind, or an Optuna sampler run through Python. */
export interface Contender {
  /** As shown in the tables: the registry kind, or optuna-<sampler>. */
  name: string;
  engine: Engine;
  kind: string;
  /** For registry kinds: the options every run gets (the schema's defaults, with a variant's changes). */
  options: Record<string, unknown>;
}

export const OPTUNA_SAMPLERS = ['tpe', 'cmaes', 'random'] as const;

export function optunaContenders(): Contender[] {
  return OPTUNA_SAMPLERS.map((kind) => ({ name: `optuna-${kind}`, engine: 'optuna', kind, options: {} }));
}

/** A function of the suite, noise-free or with the family's documented noise. */
export interface Problem {
  /** `levy`, or `levy+noise` for the noisy variant. */
  label: string;
  function: string;
  noiseSd: number;
}

export function problems(functions: readonly string[], withNoisy: boolean): Problem[] {
  const clean = functions.map((f) => ({ label: f, function: f, noiseSd: 0 }));
  const noisy = withNoisy ? functions.map((f) => ({ label: `${f}+noise`, function: f, noiseSd: BENCHMARK_FUNCTIONS[f].noiseSd })) : [];
  return [...clean, ...noisy];
}

export interface Job {
  id: number;
  contender: Contender;
  problem: Problem;
  seed: number;
}

export interface JobResult {
  optimizer: string;
  problem: string;
  seed: number;
  /** Noise-free value of the best observed point at each budget; absent when the run failed. */
  best?: number[];
  /** Wall-clock seconds of the run. */
  seconds: number;
  cpuSeconds?: number;
  error?: string;
}

/** Optimizers whose cost grows with the number of observations. */
const SLOW_FIRST = ['gp-bo', 'turbo', 'optuna-tpe'];

/**
 * Every contender × problem × seed, seed by seed, the slow optimizers first within a seed: after
 * the first seed every optimizer has been timed (so the ETA is right early), and the long runs
 * never all land at the end.
 */
export function planJobs(contenders: readonly Contender[], problemList: readonly Problem[], seeds: number, firstSeed = 0): Job[] {
  const slowRank = (c: Contender) => {
    const i = SLOW_FIRST.indexOf(c.engine === 'ts' ? c.kind : c.name);
    return i < 0 ? SLOW_FIRST.length : i;
  };
  const ordered = [...contenders].sort((a, b) => slowRank(a) - slowRank(b));
  const jobs: Job[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    for (const contender of ordered) {
      for (const problem of problemList) jobs.push({ id: jobs.length, contender, problem, seed });
    }
  }
  return jobs;
}

export function toRequest(job: Job, dim: number, budgets: readonly number[]): OptimizeRequest {
  return {
    id: job.id,
    cmd: 'optimize',
    optimizer: job.contender.kind,
    function: job.problem.function,
    dim,
    seed: job.seed,
    budgets: [...budgets],
    noise_sd: job.problem.noiseSd,
    options: job.contender.options,
  };
}
