import type { Rng } from '../util/rng.js';
import type { SearchSpace } from '../space/space.js';
import type { ObjectiveKind } from './kind.js';
import type { Evaluation, EvaluationContext, Objective } from './types.js';
import { getBenchmarkFunction, type BenchmarkFunction } from './functions/index.js';
import { setTimeout as sleep } from 'node:timers/promises';

interface FunctionSection {
  function: string;
  noise: number;
  delay: number;
}

/**
 * A synthetic benchmark as the objective, evaluated on the optimizer's unit cube (the free
 * variables, each mapped from its range to [0, 1]). Noise is drawn from the seed and the trial
 * number, so a resumed run sees the same noisy values as an uninterrupted one.
 */
export class FunctionObjective implements Objective {
  readonly kind = 'function';
  readonly concurrency = 1;

  constructor(
    private readonly fn: BenchmarkFunction,
    private readonly space: SearchSpace,
    private readonly noise: number,
    private readonly delaySeconds: number,
    private readonly rng: Rng,
  ) {}

  async evaluate(weights: Readonly<Record<string, number>>, ctx: EvaluationContext): Promise<Evaluation> {
    if (this.delaySeconds > 0) await sleep(this.delaySeconds * 1000, undefined, { signal: ctx.signal });
    const x = this.space.fromWeights(weights);
    const clean = this.fn.evaluate(x);
    if (this.noise === 0) return { value: clean };
    const value = clean + this.noise * this.rng.derive('noise', ctx.trial).normal();
    return { value, details: { noise_free: clean } };
  }
}

export const functionObjectiveKind: ObjectiveKind = {
  kind: 'function',
  async resolve(section) {
    return { section, issues: [] };
  },
  async fingerprint() {
    return null;
  },
  async create(section, { rng, space }) {
    const s = section as unknown as FunctionSection;
    return new FunctionObjective(getBenchmarkFunction(s.function, space.dim), space, s.noise, s.delay, rng.derive('objective', 'function'));
  },
};
