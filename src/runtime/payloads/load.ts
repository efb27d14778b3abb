import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserInputError, type ConfigIssue } from '../../config/issues.js';
import { schemaIssues, schemaValidator } from '../../config/schema.js';
import { SourceMap } from '../../config/source.js';
import type { Rng } from '../../util/rng.js';
import { resolvePayloadSet, type PayloadResolution } from './resolve.js';
import type { PayloadSetInput } from './types.js';

type JsonPath = ReadonlyArray<string | number>;

/**
 * The payloads of `objective.payloads`: an inline set (issues located under `at`) or the path of
 * a YAML/JSON file (issues located under `at` too, their messages naming file:line:col inside
 * the payload file, since the experiment's source map does not cover it).
 */
export function loadPayloads(section: string | PayloadSetInput, baseDir: string, rng: Rng, at: JsonPath): PayloadResolution {
  const issues: ConfigIssue[] = [];
  if (typeof section !== 'string') {
    const payloads = resolvePayloadSet(section, { baseDir, rng, report: (p, message) => issues.push({ path: [...at, ...p], message }) });
    return { payloads, issues };
  }
  const file = path.resolve(baseDir, section);
  if (!existsSync(file)) return { payloads: [], issues: [{ path: at, message: `payload file not found: ${section} (relative to the experiment file)` }] };
  let data: unknown;
  let sources: SourceMap;
  try {
    ({ data, sources } = SourceMap.load(file));
  } catch (e) {
    if (!(e instanceof UserInputError)) throw e;
    return { payloads: [], issues: e.issues.map((message) => ({ path: at, message: `payload file: ${message}` })) };
  }
  const validate = schemaValidator('merge-objective.schema.json#/$defs/payloadSet');
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return { payloads: [], issues: [{ path: at, message: `${sources.format([], 'a payload file holds a mapping with items (and optional defaults, wildcards)')}` }] };
  }
  if (!validate(data)) {
    const found = schemaIssues(validate.errors ?? [], data);
    return { payloads: [], issues: found.map((i) => ({ path: at, message: sources.format(i.path, i.message, { key: i.key }) })) };
  }
  const payloads = resolvePayloadSet(data as PayloadSetInput, {
    baseDir: path.dirname(file),
    rng,
    report: (p, message) => issues.push({ path: at, message: sources.format(p, message) }),
  });
  return { payloads, issues };
}
