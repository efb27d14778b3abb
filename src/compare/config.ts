import { existsSync } from 'node:fs';
import path from 'node:path';
import { SourceMap, displayPath } from '../config/source.js';
import { schemaIssues, schemaValidator } from '../config/schema.js';
import { UserInputError, type ConfigIssue } from '../config/issues.js';
import { outputDirProblem } from '../config/output-dir.js';
import { isPlainObject, type JsonObject } from '../util/json.js';

export type CompareProgress = 'auto' | 'bar' | 'plain' | 'none';

/** A comparison as written, validated: which experiment, which optimizers, which seeds. */
export interface CompareConfig {
  /** Absolute path of the comparison file. */
  file: string;
  name: string;
  description?: string;
  /** Absolute path of the experiment every optimizer runs. */
  experiment: string;
  /** Optimizer sections as written (kind, options, initial), by display name, in file order. */
  optimizers: Array<{ name: string; section: JsonObject }>;
  seeds: number[];
  /** Evaluations per run; undefined: the experiment's budget. */
  budget?: number;
  checkpoints: number[];
  threshold?: number;
  /** Directory of the comparison, absolute. */
  dir: string;
  progress: CompareProgress;
}

/** Keys of an optimizer section that belong to the experiment, so every optimizer gets the same. */
const SHARED_KEYS: Record<string, string> = {
  budget: 'the budget is set once for all optimizers: use the top-level "budget"',
  warm_start: 'warm starts belong in the experiment, so every optimizer starts from the same recipes',
  baselines: 'baselines belong in the experiment, so every optimizer spends the same budget on them',
};

/** Reads and validates a comparison file; every problem is reported as file:line:col. */
export function loadCompareConfig(file: string): CompareConfig {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new UserInputError(`${displayPath(absolute)}: comparison file not found`);
  const { data, sources } = SourceMap.load(absolute);
  const fail = (issues: ConfigIssue[]): never => {
    const lines = issues.map((i) => sources.format(i.path, i.message, { key: i.key }));
    throw new UserInputError(lines.length === 1 ? lines[0] : `${lines.length} problems in ${displayPath(absolute)}`, lines);
  };
  if (!isPlainObject(data)) fail([{ path: [], message: 'expected a mapping with experiment and optimizers' }]);
  // Validation fills defaults in place; the sections handed on are the ones the user wrote.
  const validated = structuredClone(data) as Record<string, any>;
  const validate = schemaValidator('compare.schema.json');
  if (!validate(validated)) fail(schemaIssues(validate.errors ?? [], validated));
  const raw = data as Record<string, any>;

  const issues: ConfigIssue[] = [];
  const experiment = path.resolve(path.dirname(absolute), raw.experiment);
  if (!existsSync(experiment)) issues.push({ path: ['experiment'], message: `experiment file not found (looked for ${displayPath(experiment)})` });
  const optimizers = Object.entries(raw.optimizers as Record<string, JsonObject>).map(([name, section]) => {
    for (const key of Object.keys(section)) {
      if (key in SHARED_KEYS) issues.push({ path: ['optimizers', name, key], message: SHARED_KEYS[key], key: true });
    }
    return { name, section };
  });
  const seeds: number[] = typeof validated.seeds === 'number' ? Array.from({ length: validated.seeds }, (_, i) => i) : validated.seeds;
  const checkpoints = [...(validated.checkpoints as number[])].sort((a, b) => a - b);
  (validated.checkpoints as number[]).forEach((c, i) => {
    if (raw.budget !== undefined && c > raw.budget) issues.push({ path: ['checkpoints', i], message: `checkpoint ${c} is beyond the budget (${raw.budget})` });
  });
  const stem = path.basename(absolute).replace(/\.(ya?ml|json)$/i, '');
  const dir = path.resolve(raw.output?.dir ?? path.join('compare', stem));
  const outputProblem = outputDirProblem(dir);
  if (outputProblem) issues.push({ path: ['output', 'dir'], message: `results cannot be written here: ${outputProblem}` });
  if (issues.length > 0) fail(issues);

  return {
    file: absolute,
    name: raw.name ?? stem,
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    experiment,
    optimizers,
    seeds,
    ...(raw.budget !== undefined ? { budget: raw.budget } : {}),
    checkpoints,
    ...(raw.threshold !== undefined ? { threshold: raw.threshold } : {}),
    dir,
    progress: validated.output?.progress ?? 'auto',
  };
}
