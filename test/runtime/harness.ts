import path from 'node:path';
import { UserInputError } from '../../src/config/issues.js';
import { experimentValidator, schemaIssues } from '../../src/config/schema.js';
import { mergeObjectiveKind } from '../../src/objectives/merge/index.js';
import type { MergeObjective } from '../../src/objectives/merge/objective.js';
import type { Evaluation } from '../../src/objectives/types.js';
import { SearchSpace, type SpaceConfig } from '../../src/space/space.js';
import type { JsonObject } from '../../src/util/json.js';
import { Rng } from '../../src/util/rng.js';
import { tempDir } from '../support/tmp.js';

// Model hashes are cached per user; tests keep theirs out of the home directory.
process.env.AUTOMBW_CACHE_DIR ??= tempDir('autombw-hash-cache-');

/** The scorer used where the score itself is not under test: the built-in demo scorer. */
export const DEMO_SCORER = { scorers: [{ kind: 'builtin', model: 'demo' }] };

export interface Built {
  objective: MergeObjective;
  runDir: string;
  baseDir: string;
  space: SearchSpace;
}

/**
 * Builds the merge objective the way a run does: the experiment schema fills the section's
 * defaults, the kind resolves it (paths, payloads) and creates the objective for the space.
 */
export async function buildObjective(
  objective: Record<string, unknown>,
  options: { space?: Partial<SpaceConfig>; baseDir?: string; seed?: number; log?: (line: string) => void } = {},
): Promise<Built> {
  const baseDir = options.baseDir ?? tempDir('autombw-runtime-');
  const experiment = {
    seed: options.seed ?? 0,
    space: { preset: 'sd1-27', bounds: [0, 1], ...options.space },
    objective: { kind: 'merge', ...objective },
    optimizer: { kind: 'random' },
    stop: { budget: 10 },
  };
  const validate = experimentValidator();
  if (!validate(experiment)) throw new UserInputError('schema', schemaIssues(validate.errors ?? [], experiment).map((i) => `${i.path.join('.')}: ${i.message}`));
  const rng = Rng.fromSeed(experiment.seed);
  const resolved = await mergeObjectiveKind.resolve(experiment.objective as JsonObject, { baseDir, rng });
  if (resolved.issues.length > 0) throw new UserInputError('resolve', resolved.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const space = SearchSpace.fromConfig(experiment.space as SpaceConfig);
  const runDir = path.join(baseDir, 'runs', 'r1');
  const built = await mergeObjectiveKind.create(resolved.section, { baseDir, rng, runDir, space, log: options.log ?? (() => {}) });
  return { objective: built as MergeObjective, runDir, baseDir, space };
}

/** Uniform weights for every block of the space's preset, with overrides. */
export function weightsFor(space: SearchSpace, value: number, overrides: Record<string, number> = {}): Record<string, number> {
  return { ...Object.fromEntries(space.preset.blocks.map((b) => [b, value])), ...overrides };
}

/** A ramp over the blocks, so each block's weight is distinct and a mix-up shows. */
export function rampWeights(space: SearchSpace): Record<string, number> {
  const blocks = space.preset.blocks;
  return Object.fromEntries(blocks.map((b, i) => [b, Math.round((0.05 + (0.9 * i) / (blocks.length - 1)) * 1000) / 1000]));
}

export function evaluate(built: Built, weights: Record<string, number>, trial = 0, signal = new AbortController().signal): Promise<Evaluation> {
  return built.objective.evaluate(weights, { trial, signal, runDir: built.runDir });
}
