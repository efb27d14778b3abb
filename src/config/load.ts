import path from 'node:path';
import { existsSync } from 'node:fs';
import { SourceMap, displayPath } from './source.js';
import { experimentValidator, schemaIssues } from './schema.js';
import { UserInputError, type ConfigIssue } from './issues.js';
import type { ExperimentConfig } from './experiment.js';
import { canonicalExperiment, runHash } from './canonical.js';
import { outputDirProblem } from './output-dir.js';
import { SearchSpace, checkSpaceConfig, unknownBlockMessage, type SpaceConfig } from '../space/space.js';
import { getPreset } from '../space/presets.js';
import { convertRecipe, parseRecipeString, readRecipeFile, type Recipe, type RecipeFormat } from '../space/recipe.js';
import { defaultInitialSize } from '../optimizers/initial.js';
import { BASELINES, baselineWeights } from '../space/baselines.js';
import { objectiveKind } from '../objectives/kinds.js';
import { parseDuration } from '../util/duration.js';
import { Rng } from '../util/rng.js';
import { isPlainObject, type JsonObject, type JsonValue } from '../util/json.js';

export interface LoadedExperiment {
  /** Absolute path of the experiment file. */
  file: string;
  /** Directory relative paths in the experiment are resolved against. */
  baseDir: string;
  config: ExperimentConfig;
  space: SearchSpace;
  sources: SourceMap;
}

export interface HashedExperiment extends LoadedExperiment {
  /** The canonical form the hash is computed from (JSON text). */
  canonical: string;
  /** 64 hex digits. */
  hash: string;
}

export interface LoadOptions {
  /** Rewrites the parsed file before validation: `compare` runs one experiment with other optimizers, seeds and budgets. */
  patch?: (data: Record<string, unknown>) => Record<string, unknown>;
}

type RawRecipe = string | { weights: Record<string, number>; preset?: string } | { string: string; format: RecipeFormat };

/**
 * Reads, validates and resolves an experiment file. Every problem found — YAML syntax, schema,
 * and semantic checks that need no running (files exist, blocks known, bounds ordered, groups,
 * budget) — is reported together, each as `file:line:col: path: message`.
 */
export async function loadExperiment(file: string, options: LoadOptions = {}): Promise<LoadedExperiment> {
  const absolute = path.resolve(file);
  if (!existsSync(absolute)) throw new UserInputError(`${displayPath(absolute)}: experiment file not found`);
  if (!/\.(ya?ml|json)$/i.test(absolute)) throw new UserInputError(`${displayPath(absolute)}: expected a .yaml, .yml or .json experiment file`);
  const loaded = SourceMap.load(absolute);
  const { sources } = loaded;
  const data = options.patch && isPlainObject(loaded.data) ? options.patch(loaded.data) : loaded.data;
  const baseDir = path.dirname(absolute);
  const fail = (issues: ConfigIssue[]): never => {
    const lines = issues.map((i) => sources.format(i.path, i.message, { key: i.key }));
    throw new UserInputError(lines.length === 1 ? lines[0] : `${lines.length} problems in ${displayPath(absolute)}`, lines);
  };

  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    fail([{ path: [], message: 'expected a mapping with space, objective and optimizer sections' }]);
  }
  const validate = experimentValidator();
  if (!validate(data)) fail(schemaIssues(validate.errors ?? [], data));
  const raw = data as Record<string, any>;

  const issues: ConfigIssue[] = [];
  const space = raw.space as SpaceConfig;
  issues.push(...checkSpaceConfig(space));

  const budget = raw.stop?.budget ?? raw.optimizer.budget;
  if (raw.stop?.budget !== undefined && raw.optimizer.budget !== undefined && raw.stop.budget !== raw.optimizer.budget) {
    issues.push({ path: ['optimizer', 'budget'], message: `differs from stop.budget (${raw.stop.budget}); give the budget once` });
  }
  if (budget === undefined) issues.push({ path: ['stop'], message: 'no budget: set stop.budget (the number of evaluations)' });

  let timeLimit: number | undefined;
  if (raw.stop?.time_limit !== undefined) {
    try {
      timeLimit = parseDuration(raw.stop.time_limit);
    } catch (e) {
      issues.push({ path: ['stop', 'time_limit'], message: (e as Error).message });
    }
  }

  const outputProblem = outputDirProblem(raw.output?.dir ?? 'runs');
  if (outputProblem) issues.push({ path: ['output', 'dir'], message: `results cannot be written here: ${outputProblem}` });

  const kind = objectiveKind(raw.objective.kind);
  const rng = Rng.fromSeed(raw.seed);
  const resolved = await kind.resolve(raw.objective as JsonObject, { baseDir, rng });
  issues.push(...resolved.issues);

  if (issues.length > 0) fail(issues);
  const searchSpace = SearchSpace.fromConfig(space);
  issues.push(...(kind.checkSpace?.(resolved.section, searchSpace) ?? []));

  const warmStart: Array<{ weights: Record<string, number> }> = [];
  (raw.optimizer.warm_start as RawRecipe[]).forEach((r, i) => {
    const at = ['optimizer', 'warm_start', i];
    try {
      const recipe = readWarmStart(r, baseDir, space.preset);
      // A misspelt block would otherwise surface as "no weight for" some other block.
      const own = getPreset(recipe.preset);
      const unknown = own ? Object.keys(recipe.weights).filter((b) => !own.blocks.includes(b)) : [];
      if (own && unknown.length > 0) throw new Error(unknown.map((b) => unknownBlockMessage(b, own)).join('; '));
      const { recipe: converted } = convertRecipe(recipe, space.preset);
      searchSpace.fromWeights(converted.weights); // refuses weights outside the space
      warmStart.push({ weights: converted.weights });
    } catch (e) {
      issues.push({ path: at, message: (e as Error).message });
    }
  });

  const baselines = raw.optimizer.baselines === true ? resolveBaselines(resolved.section, searchSpace, issues) : [];
  const initialN = raw.optimizer.initial?.n ?? defaultInitialSize(raw.optimizer.kind, searchSpace.dim, budget);
  if (initialN + warmStart.length + baselines.length > budget) {
    const extra = baselines.length > 0 ? ` and baselines (${baselines.length})` : '';
    issues.push({ path: ['optimizer', 'initial', 'n'], message: `initial design (${initialN}) plus warm starts (${warmStart.length})${extra} exceed the budget (${budget})` });
  }
  if (issues.length > 0) fail(issues);

  const config: ExperimentConfig = {
    ...(raw.name !== undefined ? { name: raw.name } : {}),
    ...(raw.description !== undefined ? { description: raw.description } : {}),
    seed: raw.seed,
    space,
    objective: resolved.section as JsonObject & { kind: string },
    optimizer: {
      kind: raw.optimizer.kind,
      initial: { design: raw.optimizer.initial?.design ?? 'sobol', n: initialN },
      warm_start: warmStart,
      ...(baselines.length > 0 ? { baselines } : {}),
      options: raw.optimizer.options,
    },
    stop: {
      budget,
      ...(timeLimit !== undefined ? { time_limit: timeLimit } : {}),
      ...(raw.stop?.patience !== undefined ? { patience: raw.stop.patience } : {}),
      min_delta: raw.stop?.min_delta ?? 0,
      ...(raw.stop?.target !== undefined ? { target: raw.stop.target } : {}),
    },
    output: { dir: raw.output?.dir ?? 'runs', progress: raw.output?.progress ?? 'auto' },
  };
  return { file: absolute, baseDir, config, space: searchSpace, sources };
}

/**
 * The baseline recipes of `optimizer.baselines`. They mean A alone and B alone only for a
 * weighted-sum merge (weight 0 keeps A), and must lie in the space: a space whose bounds or
 * ranges exclude 0 or 1, or whose groups tie blocks to other blocks' values, cannot hold them.
 */
function resolveBaselines(objective: JsonValue, space: SearchSpace, issues: ConfigIssue[]): Array<{ name: string; weights: Record<string, number> }> {
  const at = ['optimizer', 'baselines'];
  if (!isPlainObject(objective) || objective.kind !== 'merge' || objective.method !== 'weighted-sum') {
    issues.push({ path: at, message: 'baselines (A alone, B alone, uniform 0.5) need the merge objective with method weighted-sum' });
    return [];
  }
  const out: Array<{ name: string; weights: Record<string, number> }> = [];
  for (const { name, weight } of BASELINES) {
    const weights = baselineWeights(space, weight);
    try {
      space.fromWeights(weights);
      out.push({ name, weights });
    } catch (e) {
      issues.push({ path: at, message: `${name} is outside the search space: ${(e as Error).message}` });
    }
  }
  return out;
}

/** Loads an experiment and computes its run hash (hashing model files by content, cached). */
export async function loadAndHashExperiment(file: string, options: LoadOptions = {}): Promise<HashedExperiment> {
  return hashExperiment(await loadExperiment(file, options));
}

/** The run hash of a loaded (or rebuilt) experiment: its canonical form, objective files by content. */
export async function hashExperiment(loaded: LoadedExperiment): Promise<HashedExperiment> {
  const kind = objectiveKind(loaded.config.objective.kind);
  const fingerprint: JsonValue = await kind.fingerprint(loaded.config.objective, { baseDir: loaded.baseDir, rng: Rng.fromSeed(loaded.config.seed) });
  const semantic = kind.semantic?.(loaded.config.objective) ?? loaded.config.objective;
  const canonical = canonicalExperiment(loaded.config, loaded.space, { section: semantic, fingerprint });
  return { ...loaded, canonical, hash: runHash(canonical) };
}

function readWarmStart(r: RawRecipe, baseDir: string, preset: string): Recipe {
  if (typeof r === 'string') {
    const recipe = readRecipeFile(path.resolve(baseDir, r));
    return { ...recipe, preset: recipe.preset || preset };
  }
  if ('string' in r) return parseRecipeString(r.string, r.format);
  return { preset: r.preset ?? preset, weights: r.weights };
}
