import { hashExperiment, type HashedExperiment } from '../config/load.js';
import type { ExperimentConfig } from '../config/experiment.js';
import { SourceMap } from '../config/source.js';
import { formatPath } from '../config/issues.js';
import type { RunData } from '../report/run-data.js';
import { SearchSpace } from '../space/space.js';
import type { JsonValue } from '../util/json.js';
import { isPlainObject } from '../util/json.js';
import path from 'node:path';

/**
 * The experiment of a run, rebuilt from its resolved config (config.resolved.yaml) rather than
 * from the experiment file, which may have changed or be on another machine. Files the objective
 * names are found relative to `baseDir` and hashed again, so the new hash says whether the
 * models and scorers are still the same bytes.
 */
export async function rebuildExperiment(run: RunData, baseDir: string): Promise<HashedExperiment> {
  const file = path.join(run.dir, 'config.resolved.yaml');
  const { data, sources } = SourceMap.load(file);
  const config = data as ExperimentConfig;
  const space = SearchSpace.fromConfig(config.space);
  return hashExperiment({ file, baseDir, config, space, sources });
}

export interface Difference {
  path: string;
  was: JsonValue | undefined;
  now: JsonValue | undefined;
}

/** Every leaf where two JSON values differ, by path. */
export function jsonDifferences(was: JsonValue | undefined, now: JsonValue | undefined, at: Array<string | number> = []): Difference[] {
  if (isPlainObject(was) && isPlainObject(now)) {
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
    return keys.flatMap((k) => jsonDifferences(was[k] as JsonValue | undefined, now[k] as JsonValue | undefined, [...at, k]));
  }
  if (Array.isArray(was) && Array.isArray(now) && was.length === now.length) {
    return was.flatMap((v, i) => jsonDifferences(v, now[i], [...at, i]));
  }
  return JSON.stringify(was) === JSON.stringify(now) ? [] : [{ path: formatPath(at), was, now }];
}

/**
 * What a changed path of the canonical experiment means to a user: a model file, the scorer, a
 * workflow template (all from the objective's fingerprint), or a setting.
 */
export function describeDifference(d: Difference): string {
  const show = (v: JsonValue | undefined) => (v === undefined ? 'absent' : shorten(JSON.stringify(v)));
  const model = /^objective\.fingerprint\.models\.([a-z])\b/.exec(d.path);
  if (model) return `model ${model[1].toUpperCase()} changed (${d.path}: was ${show(d.was)}, now ${show(d.now)})`;
  if (d.path.startsWith('objective.fingerprint.scorer')) return `the scorer changed (${d.path}: was ${show(d.was)}, now ${show(d.now)})`;
  if (d.path.startsWith('objective.fingerprint.workflow')) return `the workflow template changed (was ${show(d.was)}, now ${show(d.now)})`;
  if (d.path.startsWith('objective.fingerprint')) return `a file the objective reads changed (${d.path}: was ${show(d.was)}, now ${show(d.now)})`;
  const setting = d.path.replace(/^objective\.section\b/, 'objective');
  return `config changed: ${setting} was ${show(d.was)}, now ${show(d.now)}`;
}

function shorten(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}
