import path from 'node:path';
import { loadAndHashExperiment, type HashedExperiment } from '../config/load.js';
import { UserInputError } from '../config/issues.js';
import { displayPath } from '../config/source.js';
import { isPlainObject } from '../util/json.js';
import type { CompareConfig } from './config.js';

/** One run of a comparison: an optimizer variant with one seed. */
export interface PlannedRun {
  variant: string;
  seed: number;
  experiment: HashedExperiment;
}

/** Where a comparison keeps its runs. */
export function compareRunsDir(compareDir: string): string {
  return path.join(compareDir, 'runs');
}

/**
 * Every optimizer × seed as a full experiment: the comparison's experiment with its optimizer
 * section, seed and budget replaced, loaded through the normal loader so each run has the hash
 * and defaults it would have as a standalone experiment. Seed-major order: an interrupted
 * comparison has whole seeds done for every optimizer.
 */
export async function planComparison(config: CompareConfig): Promise<PlannedRun[]> {
  const plan: PlannedRun[] = [];
  for (const seed of config.seeds) {
    for (const { name, section } of config.optimizers) {
      let experiment: HashedExperiment;
      try {
        experiment = await loadAndHashExperiment(config.experiment, { patch: (data) => patchExperiment(data, section, seed, config.budget) });
      } catch (e) {
        if (!(e instanceof UserInputError)) throw e;
        const context = `${displayPath(config.file)}: optimizer "${name}" with seed ${seed}:`;
        throw new UserInputError(`${context} ${e.message}`, [context, ...e.issues.map((l) => `  ${l}`)]);
      }
      experiment.config.output = { dir: compareRunsDir(config.dir), progress: config.progress };
      plan.push({ variant: name, seed, experiment });
    }
  }
  return plan;
}

/** The comparison's experiment with one optimizer section, seed and budget in place of its own. */
export function patchExperiment(data: Record<string, unknown>, optimizer: Record<string, unknown>, seed: number, budget: number | undefined): Record<string, unknown> {
  const base = isPlainObject(data.optimizer) ? data.optimizer : {};
  const stop = isPlainObject(data.stop) ? { ...data.stop } : {};
  const total = budget ?? stop.budget ?? base.budget;
  return {
    ...data,
    seed,
    // An explicit options mapping, so the schema fills the kind's option defaults into it.
    optimizer: { options: {}, ...structuredClone(optimizer), ...(base.warm_start !== undefined ? { warm_start: base.warm_start } : {}), ...(base.baselines !== undefined ? { baselines: base.baselines } : {}) },
    stop: { ...stop, ...(total !== undefined ? { budget: total } : {}) },
  };
}
