import path from 'node:path';
import { Matrix } from 'ml-matrix';
import { canonicalJson, canonicalSpace } from '../config/canonical.js';
import { UserInputError, type ConfigIssue } from '../config/issues.js';
import { readRun } from '../report/run-data.js';
import type { SearchSpace } from '../space/space.js';
import type { JsonValue } from '../util/json.js';
import { fromBase, relativeToBase } from '../util/paths.js';
import { Rng } from '../util/rng.js';
import { sha256Hex } from '../util/sha256.js';
import type { ObjectiveKind } from './kind.js';
import { SurrogateModel } from './surrogate-model.js';
import type { Evaluation, EvaluationContext, Objective } from './types.js';

interface SurrogateSection {
  from: string[];
  noise: boolean;
  max_points: number;
}

/** The evaluations of finished runs: what the surrogate is fitted to. */
interface Training {
  /** Canonical JSON of the space the runs searched. */
  space: string;
  weights: Array<Record<string, number>>;
  values: number[];
  /** Hash of space and data: identifies the surrogate, whatever the runs' paths. */
  hash: string;
}

/**
 * A Gaussian process fitted to the evaluations of finished runs, answering for new recipes with
 * its posterior mean (optionally plus its fitted observation noise). Comparing optimizers on it
 * costs no GPU time and keeps the shape of the real landscape where the runs looked, the way
 * HPO benchmarks use surrogates. Away from the data it reverts to the data's mean: see
 * docs/compare-report-reproduce.md for what that means for results.
 */
export class SurrogateObjective implements Objective {
  readonly kind = 'surrogate';
  readonly concurrency = 1;

  constructor(
    private readonly model: SurrogateModel,
    private readonly space: SearchSpace,
    private readonly noise: boolean,
    private readonly rng: Rng,
  ) {}

  async evaluate(weights: Readonly<Record<string, number>>, ctx: EvaluationContext): Promise<Evaluation> {
    const { mean, sd } = this.model.predict(Matrix.rowVector(this.space.fromWeights(weights)));
    // Noise is drawn from the seed and the trial number, so a resumed run sees the same values.
    const value = this.noise ? mean[0] + this.model.noiseSd * this.rng.derive('noise', ctx.trial).normal() : mean[0];
    return { value, details: { posterior_mean: mean[0], posterior_sd: sd[0] } };
  }
}

/**
 * Fitted models by training data: a comparison creates the objective once per run, and the fit
 * depends only on the data, so every run of it shares one fit.
 */
const fitted = new Map<string, SurrogateModel>();

export const surrogateObjectiveKind: ObjectiveKind = {
  kind: 'surrogate',

  async resolve(section, { baseDir }) {
    const s = section as unknown as SurrogateSection;
    const from = s.from.map((p) => relativeToBase(baseDir, p));
    const issues: ConfigIssue[] = [];
    let first: { space: string; index: number } | undefined;
    from.forEach((rel, i) => {
      try {
        const t = readTraining(fromBase(baseDir, rel));
        if (first && t.space !== first.space) {
          issues.push({ path: ['objective', 'from', i], message: `searched another space than ${from[first.index]}; a surrogate is fitted on runs of one space` });
        }
        first ??= { space: t.space, index: i };
      } catch (e) {
        issues.push({ path: ['objective', 'from', i], message: (e as Error).message });
      }
    });
    return { section: { ...section, from }, issues };
  },

  // The runs enter by their evaluations (the fingerprint), so where they lie does not change the hash.
  semantic({ from: _from, ...rest }) {
    return rest;
  },

  async fingerprint(section, { baseDir }) {
    const training = readAll(section as unknown as SurrogateSection, baseDir);
    return { training: training.hash, points: training.values.length };
  },

  async create(section, { baseDir, rng, space }) {
    const s = section as unknown as SurrogateSection;
    const training = readAll(s, baseDir);
    if (training.space !== canonicalJson(canonicalSpace(space))) {
      throw new UserInputError('objective.from: the runs searched another space than this experiment (preset, variables, ranges, steps or frozen blocks differ); a surrogate answers only where it was fitted');
    }
    const key = `${training.hash}/${s.max_points}`;
    let model = fitted.get(key);
    if (!model) {
      const data = Rng.fromSeed(training.hash);
      const order = data.derive('subsample').shuffle(training.values.map((_, i) => i)).slice(0, s.max_points).sort((a, b) => a - b);
      const points = new Matrix(order.map((i) => space.fromWeights(training.weights[i])));
      model = SurrogateModel.fit(points, order.map((i) => training.values[i]), data.derive('fit'));
      fitted.set(key, model);
    }
    return new SurrogateObjective(model, space, s.noise, rng.derive('objective', 'surrogate'));
  },
};

/** Successful evaluations of one run directory, with the space it searched. */
function readTraining(dir: string): Omit<Training, 'hash'> {
  let run;
  try {
    run = readRun(dir);
  } catch (e) {
    throw new Error(`${dir}: not a readable run directory (${(e as Error).message})`);
  }
  const ok = run.trials.filter((t) => t.status === 'ok' && t.value !== undefined);
  if (ok.length < 2) throw new Error(`${path.basename(dir)}: the run has ${ok.length} successful trial${ok.length === 1 ? '' : 's'}; a surrogate needs at least 2`);
  return { space: canonicalJson(run.info.canonical.space as JsonValue), weights: ok.map((t) => t.weights), values: ok.map((t) => t.value!) };
}

function readAll(s: SurrogateSection, baseDir: string): Training {
  const parts = s.from.map((rel) => readTraining(fromBase(baseDir, rel)));
  const weights = parts.flatMap((p) => p.weights);
  const values = parts.flatMap((p) => p.values);
  const space = parts[0].space;
  return { space, weights, values, hash: sha256Hex(canonicalJson({ space: JSON.parse(space), weights, values } as JsonValue)) };
}
