import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { UserInputError } from '../config/issues.js';
import { isPlainObject } from '../util/json.js';
import type { Recipe } from '../space/recipe.js';
import type { MethodOptions } from './methods/types.js';

/** What a run directory says about the merge its best recipe stands for. */
export interface RunRecipe {
  recipe: Recipe;
  runHash: string;
  /** Model paths of a merge objective, absolute; absent for other objectives and server-only models. */
  models: { a?: string; b?: string; c?: string };
  method?: string;
  options: Partial<MethodOptions>;
  seed?: number;
}

/**
 * Reads a run directory (runs/<hash12>/): best.json for the recipe and the run hash, run.json for
 * the directory relative paths are based on, and config.resolved.yaml for the merge objective's
 * `models: {a, b, c}` (paths, or objects with a `path`), `method` and `method_options`.
 */
export function readRunRecipe(dir: string): RunRecipe {
  const bestFile = path.join(dir, 'best.json');
  if (!existsSync(bestFile)) {
    throw new UserInputError(existsSync(dir)
      ? `${dir} has no best.json: the run has no successful trial yet (or this is not a run directory)`
      : `run directory ${dir} does not exist`);
  }
  const best = readJson(bestFile);
  if (!isPlainObject(best) || typeof best.preset !== 'string' || !isPlainObject(best.weights)) {
    throw new UserInputError(`${bestFile} is not a best-recipe file: expected {"preset": "...", "weights": {...}}`);
  }
  for (const [k, v] of Object.entries(best.weights)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserInputError(`${bestFile}: weight ${k} is not a finite number`);
  }
  const infoFile = path.join(dir, 'run.json');
  const info = existsSync(infoFile) ? readJson(infoFile) : undefined;
  const runHash = typeof best.hash === 'string' ? best.hash : isPlainObject(info) && typeof info.hash === 'string' ? info.hash : undefined;
  if (!runHash) throw new UserInputError(`${dir}: neither best.json nor run.json records the run hash`);
  const baseDir = isPlainObject(info) && typeof info.base_dir === 'string' ? info.base_dir : dir;

  const result: RunRecipe = { recipe: { preset: best.preset, weights: best.weights as Record<string, number> }, runHash, models: {}, options: {} };
  const configFile = path.join(dir, 'config.resolved.yaml');
  if (!existsSync(configFile)) return result;
  let config: unknown;
  try {
    config = parse(readFileSync(configFile, 'utf8'));
  } catch (e) {
    throw new UserInputError(`${configFile}: ${(e as Error).message}`);
  }
  const objective = isPlainObject(config) && isPlainObject(config.objective) ? config.objective : undefined;
  if (!objective || objective.kind !== 'merge') return result;
  if (isPlainObject(objective.models)) {
    for (const slot of ['a', 'b', 'c'] as const) {
      const model = objective.models[slot];
      const file = typeof model === 'string' ? model : isPlainObject(model) && typeof model.path === 'string' ? model.path : undefined;
      if (file !== undefined) result.models[slot] = path.resolve(baseDir, file);
    }
  }
  if (typeof objective.method === 'string') result.method = objective.method;
  const options = isPlainObject(objective.method_options) ? objective.method_options : {};
  if (typeof options.density === 'number') result.options.density = options.density;
  if (typeof options.drop_rate === 'number') result.options.dropRate = options.drop_rate;
  if (typeof options.seed === 'number') result.seed = options.seed;
  return result;
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserInputError(`${file}: ${(e as Error).message}`);
  }
}
