import type { ExperimentConfig } from './experiment.js';
import type { SearchSpace } from '../space/space.js';
import type { JsonValue } from '../util/json.js';
import { sha256Hex } from '../util/sha256.js';

/** Version of the canonical form; bump it when its meaning changes so old hashes stay honest. */
const CANONICAL_FORMAT = 'autombw-experiment/1';

/**
 * The part of an experiment that decides its results, as canonical JSON: sorted keys, numbers in
 * shortest round-trip form. Cosmetic fields (name, description, output), the session's
 * time limit and the objective's operational settings are left out. The space enters as the variables it produces, so writing a default
 * explicitly, reordering groups or restating a range as [min, max] vs {min, max} changes nothing.
 */
export function canonicalExperiment(config: ExperimentConfig, space: SearchSpace, objective: { section: JsonValue; fingerprint: JsonValue }): string {
  const { time_limit: _timeLimit, ...stop } = config.stop;
  const value = {
    format: CANONICAL_FORMAT,
    seed: config.seed,
    space: canonicalSpace(space),
    objective,
    optimizer: config.optimizer,
    stop,
  };
  return canonicalJson(value as unknown as JsonValue);
}

/** The space as the variables it produces (the part of the canonical experiment that says which recipes exist). */
export function canonicalSpace(space: SearchSpace): JsonValue {
  return {
    preset: space.preset.id,
    preset_version: space.preset.version,
    variables: space.variables.map((v) => ({ name: v.name, blocks: [...v.blocks], min: v.min, max: v.max, ...(v.step !== undefined ? { step: v.step } : {}) })),
    frozen: { ...space.frozen },
  };
}

export function runHash(canonical: string): string {
  return sha256Hex(canonical);
}

/** JSON with object keys sorted at every level and -0 written as 0. */
export function canonicalJson(value: JsonValue): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
      return Object.is(value, -0) ? '0' : JSON.stringify(value);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
}
