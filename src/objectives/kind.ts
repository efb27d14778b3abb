import type { ConfigIssue } from '../config/issues.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import type { Rng } from '../util/rng.js';
import type { SearchSpace } from '../space/space.js';
import type { Objective } from './types.js';

/** Where an objective section came from, for resolving relative paths and deriving randomness. */
export interface ObjectiveSetting {
  /** Directory of the experiment file; relative paths in the section are relative to it. */
  baseDir: string;
  /** The experiment's generator; an objective derives its own streams from it (`rng.derive('objective', …)`). */
  rng: Rng;
}

/** What a run adds when it builds its objective. */
export interface ObjectiveRunSetting {
  /** Where the objective may save images and caches. */
  runDir: string;
  space: SearchSpace;
  /** Status lines for the user (a server went down, came back); the run shows them with its progress. */
  log(line: string): void;
}

/**
 * One `objective.kind` of the experiment YAML (function, command, module, merge). The schema has
 * already checked the section's shape and filled its defaults; a kind adds what the schema cannot.
 */
export interface ObjectiveKind {
  readonly kind: string;
  /**
   * Normalizes the section for the canonical config: paths made relative to the experiment file
   * (POSIX separators), included files inlined, wildcards expanded. Returns the problems
   * `autombw validate` should report (missing files, unknown names), located under `objective`.
   */
  resolve(section: JsonObject, setting: ObjectiveSetting): Promise<{ section: JsonObject; issues: ConfigIssue[] }>;
  /**
   * What the section means beyond its text: content hashes of model and scorer files, so the
   * run hash follows the bytes and not the paths. Called on the resolved section.
   */
  fingerprint(section: JsonObject, setting: ObjectiveSetting): Promise<JsonValue>;
  /**
   * The part of the resolved section that decides results, for the run hash. Operational settings
   * (servers, concurrency, timeouts, caching, saved images) are left out, so they can change between
   * sessions of one run; so are paths whose content the fingerprint already covers. Default: the
   * whole section.
   */
  semantic?(section: JsonObject): JsonObject;
  /**
   * What only loading the objective's code can show (a module's export), for `autombw validate`;
   * a run finds the same when it creates the objective. Called on the resolved section.
   */
  preflight?(section: JsonObject, setting: ObjectiveSetting): Promise<ConfigIssue[]>;
  /** Problems between the section and the search space (weights a backend cannot take), located under `objective` or `space`. */
  checkSpace?(section: JsonObject, space: SearchSpace): ConfigIssue[];
  /** Builds the objective for a run. `runDir` is where it may save images and caches. */
  create(section: JsonObject, setting: ObjectiveSetting & ObjectiveRunSetting): Promise<Objective>;
}
