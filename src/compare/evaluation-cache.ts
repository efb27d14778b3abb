import type { HashedExperiment } from '../config/load.js';
import type { Evaluation, Objective } from '../objectives/types.js';
import { EvaluationCache } from '../runtime/cache.js';
import { isPlainObject, type JsonValue } from '../util/json.js';

export interface CacheCounts {
  hits: number;
  misses: number;
}

/**
 * Counts the merge objective's own cache use from a finished trial's details: `cached` payloads
 * of `payloads` came from its per-payload cache.
 */
export function countPayloadCache(details: JsonValue | undefined, counts: CacheCounts): void {
  if (!isPlainObject(details) || typeof details.cached !== 'number' || !Array.isArray(details.payloads)) return;
  counts.hits += details.cached;
  counts.misses += details.payloads.length - details.cached;
}

/**
 * The run's objective behind the comparison's evaluation cache (the runtime's content-addressed
 * store), so a candidate another run already evaluated costs nothing. The key is what decides an
 * evaluation: the objective section with its fingerprint (model and scorer hashes), the seed and
 * the trial number (objectives draw their noise from both), and the weights. Runs with the same
 * seed ask the same initial design, so those evaluations are done once for all optimizers.
 * Failed evaluations are not stored: they may be transient.
 */
export function withEvaluationCache(objective: Objective, experiment: HashedExperiment, cache: EvaluationCache, counts: CacheCounts): Objective {
  const canonical = JSON.parse(experiment.canonical) as { objective: JsonValue; seed: JsonValue };
  return {
    kind: objective.kind,
    concurrency: objective.concurrency,
    async evaluate(weights, context) {
      const key = EvaluationCache.key({ scope: 'objective', objective: canonical.objective, seed: canonical.seed, trial: context.trial, weights: { ...weights } });
      const stored = (await cache.get(key)) as unknown as Evaluation | undefined;
      if (stored !== undefined && typeof stored.value === 'number') {
        counts.hits++;
        return stored;
      }
      const evaluation = await objective.evaluate(weights, context);
      counts.misses++;
      await cache.put(key, evaluation as unknown as JsonValue);
      return evaluation;
    },
    ...(objective.close ? { close: () => objective.close!() } : {}),
  };
}
