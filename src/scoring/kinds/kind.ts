import { existsSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { ConfigIssue } from '../../config/issues.js';
import type { JsonValue } from '../../util/json.js';
import { fromBase, relativeToBase } from '../../util/paths.js';
import type { ScorerSection } from '../config.js';
import type { Scorer } from '../types.js';

/** What a scorer may need from where it runs. */
export interface ScorerEnvironment {
  /** The run's directory: the manual scorer keeps its ratings there. */
  runDir?: string;
  /** Progress and fallback notices (CUDA unavailable, the rating page's address). */
  log: (line: string) => void;
  /** Where the terminal manual scorer asks. */
  terminal: { input: Readable; output: Writable };
}

/** One `kind` of scorer in the `scorers` list. */
export interface ScorerKind<S extends ScorerSection> {
  /**
   * Paths made relative to the experiment file (POSIX), and the problems `autombw validate` can find
   * without running (missing files). Issue paths are relative to the scorer item.
   */
  resolve(section: S, baseDir: string): { section: S; issues: ConfigIssue[] };
  /** What decides the scores: file contents and score-changing options, never paths or speed settings. */
  fingerprint(section: S, baseDir: string): Promise<JsonValue>;
  /** `identity` is the canonical JSON of fingerprint(), which the scorer reports as its own. */
  create(section: S, context: { name: string; baseDir: string; identity: string; env: ScorerEnvironment }): Promise<Scorer>;
}

/**
 * A path of the section made relative to the experiment file, with an issue when no file is there.
 * `issues` collects the problem under `at`.
 */
export function resolveFile(baseDir: string, value: string, at: Array<string | number>, issues: ConfigIssue[]): string {
  const relative = relativeToBase(baseDir, value);
  if (!existsSync(fromBase(baseDir, relative))) issues.push({ path: at, message: `file not found: ${relative} (relative to the experiment file)` });
  return relative;
}
