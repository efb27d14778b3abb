import { isPlainObject } from '../util/json.js';
import type { OutputDtype } from './dtype.js';
import { getMergeMethod } from './methods/index.js';
import type { MergeMethodId, MethodOptions } from './methods/types.js';

/**
 * How a merged checkpoint records its recipe in the safetensors `__metadata__` (string values
 * only, so structured parts are JSON strings):
 * - `autombw.recipe`: {preset, preset_version, method, weights, dtype, options?, seed?}
 * - `autombw.models`: {a: {file, sha256?}, b: …, c?: …}
 * - `autombw.run_hash`: the run the recipe came from, when it came from one
 */

export interface ModelRef {
  /** File name (no directories: paths are private and differ between machines). */
  file: string;
  sha256?: string;
}

export interface MergeRecipe {
  preset: string;
  presetVersion: number;
  method: MergeMethodId;
  weights: Record<string, number>;
  dtype: OutputDtype;
  /** Only the options the method uses. */
  options?: Partial<MethodOptions>;
  /** Present for methods that draw random numbers. */
  seed?: number | string;
  models: { a: ModelRef; b: ModelRef; c?: ModelRef };
  runHash?: string;
}

export const RECIPE_KEY = 'autombw.recipe';
export const MODELS_KEY = 'autombw.models';
export const RUN_HASH_KEY = 'autombw.run_hash';

export function recipeMetadata(recipe: MergeRecipe): Record<string, string> {
  const body = {
    preset: recipe.preset,
    preset_version: recipe.presetVersion,
    method: recipe.method,
    weights: recipe.weights,
    dtype: recipe.dtype,
    ...(recipe.options && Object.keys(recipe.options).length > 0 ? { options: recipe.options } : {}),
    ...(recipe.seed !== undefined ? { seed: recipe.seed } : {}),
  };
  return {
    [RECIPE_KEY]: JSON.stringify(body),
    [MODELS_KEY]: JSON.stringify(recipe.models),
    ...(recipe.runHash ? { [RUN_HASH_KEY]: recipe.runHash } : {}),
  };
}

/** The recipe a merged checkpoint carries, or undefined when it carries none (or a damaged one). */
export function readRecipeMetadata(metadata: Readonly<Record<string, string>>): MergeRecipe | undefined {
  const body = parseJson(metadata[RECIPE_KEY]);
  const models = parseJson(metadata[MODELS_KEY]);
  if (!isPlainObject(body) || !isPlainObject(models)) return undefined;
  const { preset, preset_version: presetVersion, method, weights, dtype, options, seed } = body;
  if (typeof preset !== 'string' || typeof presetVersion !== 'number' || typeof method !== 'string' || !getMergeMethod(method)) return undefined;
  if (!isPlainObject(weights) || !Object.values(weights).every((w) => typeof w === 'number')) return undefined;
  if (dtype !== 'f16' && dtype !== 'bf16' && dtype !== 'f32') return undefined;
  if (!isModelRef(models.a) || !isModelRef(models.b) || (models.c !== undefined && !isModelRef(models.c))) return undefined;
  return {
    preset,
    presetVersion,
    method: method as MergeMethodId,
    weights: weights as Record<string, number>,
    dtype,
    ...(isPlainObject(options) ? { options: options as Partial<MethodOptions> } : {}),
    ...(typeof seed === 'number' || typeof seed === 'string' ? { seed } : {}),
    models: { a: models.a, b: models.b, ...(models.c ? { c: models.c as ModelRef } : {}) },
    ...(metadata[RUN_HASH_KEY] ? { runHash: metadata[RUN_HASH_KEY] } : {}),
  };
}

function isModelRef(v: unknown): v is ModelRef {
  return isPlainObject(v) && typeof v.file === 'string' && (v.sha256 === undefined || typeof v.sha256 === 'string');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
