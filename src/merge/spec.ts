import { UserInputError } from '../config/issues.js';
import { closest } from '../util/suggest.js';
import { Rng } from '../util/rng.js';
import { getMergeMethod, MERGE_METHOD_IDS } from './methods/index.js';
import { DEFAULT_METHOD_OPTIONS, type MergeMethod, type MergeMethodId, type MethodOptions, type TensorJob } from './methods/types.js';

/** What to compute, independent of where the tensors live (files or memory). */
export interface MergeSpec {
  method: MergeMethodId | string;
  /** Named block weights: every block of the preset, nothing else. */
  weights: Readonly<Record<string, number>>;
  /** Block preset id; by default the one for the detected architecture. */
  preset?: string;
  /** Seed of the methods that draw random numbers (DARE); default 0. */
  seed?: number | string;
  options?: Partial<MethodOptions>;
}

export interface ResolvedSpec {
  method: MergeMethod;
  options: MethodOptions;
  seed: number | string;
  /** Only the options and seed the method reads, as recorded in the output's recipe. */
  recorded: { options?: Partial<MethodOptions>; seed?: number | string };
}

export function resolveSpec(spec: MergeSpec): ResolvedSpec {
  const method = getMergeMethod(spec.method);
  if (!method) {
    const hint = closest(spec.method, MERGE_METHOD_IDS);
    throw new UserInputError(`unknown merge method "${spec.method}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${MERGE_METHOD_IDS.join(', ')}`);
  }
  const options = { ...DEFAULT_METHOD_OPTIONS, ...definedOnly(spec.options ?? {}) };
  if (!(options.density > 0 && options.density <= 1)) throw new UserInputError(`TIES density must be in (0, 1], got ${options.density}`);
  if (!(options.dropRate >= 0 && options.dropRate < 1)) throw new UserInputError(`DARE drop rate must be in [0, 1), got ${options.dropRate}`);
  const seed = spec.seed ?? 0;
  // The seed is recorded in the output's metadata and read back to reproduce the merge: a fraction,
  // a negative number or one past 2^53 − 1 (where neighbouring integers share a double) would not
  // come back as the seed the config schema allows.
  if (typeof seed === 'number' && !(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new UserInputError(`merge seed must be an integer from 0 to ${Number.MAX_SAFE_INTEGER} (2^53 − 1), got ${seed}`);
  }
  const used = Object.fromEntries(method.uses.map((k) => [k, options[k]])) as Partial<MethodOptions>;
  return {
    method,
    options,
    seed,
    recorded: { ...(method.uses.length > 0 ? { options: used } : {}), ...(method.random ? { seed } : {}) },
  };
}

/** The per-tensor job; its random stream depends on the seed and the key only. */
export function tensorJob(resolved: ResolvedSpec, root: Rng, key: string, alpha: number): TensorJob {
  return { key, alpha, options: resolved.options, rng: root.derive('merge', key) };
}

export function mergeRng(resolved: ResolvedSpec): Rng {
  return Rng.fromSeed(resolved.seed);
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
