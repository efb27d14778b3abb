import type { Rng } from '../../util/rng.js';
import type { BenchmarkFunction } from './types.js';

/**
 * The function plus Gaussian noise of standard deviation `sd`, drawn from `rng` in call order.
 * The optimum is that of the expectation, i.e. unchanged; measure regret on the noise-free function.
 */
export function withNoise(fn: BenchmarkFunction, sd: number, rng: Rng): BenchmarkFunction {
  if (!(sd >= 0) || !Number.isFinite(sd)) throw new RangeError(`noise sd must be a finite number ≥ 0, got ${sd}`);
  return {
    ...fn,
    name: `${fn.name}+noise`,
    description: `${fn.description} Additive Gaussian noise, sd ${sd}.`,
    evaluate: (x) => fn.evaluate(x) + sd * rng.normal(),
  };
}
