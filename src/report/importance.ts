import { Matrix } from 'ml-matrix';
import { SurrogateModel } from '../objectives/surrogate-model.js';
import { SearchSpace } from '../space/space.js';
import { Rng } from '../util/rng.js';
import type { RunData } from './run-data.js';

/** What the importance fit reads of a run (a RunData is one; the dashboard's worker gets only this). */
export interface ImportanceInput {
  info: Pick<RunData['info'], 'hash'>;
  config: Pick<RunData['config'], 'space'>;
  trials: ReadonlyArray<Pick<RunData['trials'][number], 'status' | 'value' | 'weights'>>;
}

/** How much each search variable matters to the value, by two independent measures (shares summing to 1). */
export interface Importance {
  names: string[];
  /** Inverse ARD lengthscales of the fitted GP, as shares. */
  ard: number[];
  /** Permutation importance of the GP mean, as shares. */
  permutation: number[];
  /** The fitted lengthscales on the unit cube. */
  lengthscales: number[];
  /** Successful trials the GP was fitted to. */
  trials: number;
}

/**
 * Successful trials needed per variable: with fewer, the lengthscales stay where the prior put
 * them and the bars would only show noise.
 */
const TRIALS_PER_VARIABLE = 2;
const MIN_TRIALS = 10;
/** Trials used at most: bounds the cost of the fit, so a report never slows a long run's end. */
const MAX_TRIALS = 300;

/**
 * Parameter importance of a run: fit the GP to its successful trials, read the ARD lengthscales,
 * and check them by permutation: shuffle one variable across the trials and measure how far the
 * GP's prediction moves (root mean square). Undefined when there are too few trials (fewer than
 * two per variable) or the values do not vary.
 */
export function runImportance(run: ImportanceInput): Importance | undefined {
  const ok = run.trials.filter((t) => t.status === 'ok' && t.value !== undefined);
  const space = SearchSpace.fromConfig(run.config.space);
  if (space.dim === 0 || ok.length < Math.max(MIN_TRIALS, TRIALS_PER_VARIABLE * space.dim) || new Set(ok.map((t) => t.value)).size < 2) return undefined;
  const rng = Rng.fromSeed(run.info.hash).derive('importance');
  const chosen = ok.length > MAX_TRIALS ? rng.derive('subsample').shuffle([...ok]).slice(0, MAX_TRIALS) : ok;
  const points = new Matrix(chosen.map((t) => space.fromWeights(t.weights)));
  const model = SurrogateModel.fit(points, chosen.map((t) => t.value!), rng.derive('fit'));
  const lengthscales = model.lengthscales;
  const base = model.predict(points).mean;
  const permutation = space.names.map((_, k) => {
    const order = rng.derive('permute', k).shuffle(Array.from({ length: points.rows }, (_, i) => i));
    const column = points.getColumn(k);
    const shuffled = points.clone().setColumn(k, order.map((i) => column[i]));
    const moved = model.predict(shuffled).mean;
    return Math.sqrt(moved.reduce((s, m, i) => s + (m - base[i]) ** 2, 0) / points.rows);
  });
  return { names: space.names, ard: shares(lengthscales.map((l) => 1 / l)), permutation: shares(permutation), lengthscales, trials: chosen.length };
}

function shares(values: readonly number[]): number[] {
  const total = values.reduce((a, b) => a + b, 0);
  return total > 0 ? values.map((v) => v / total) : values.map(() => 1 / values.length);
}
