import type { ConfigIssue } from '../../config/issues.js';
import { canonicalJson } from '../../config/canonical.js';
import type { ImageResult } from '../../scoring/aggregate.js';
import { combineScores } from '../../scoring/combine.js';
import { configError, scorerNames, validateScoringSection, type ScoringSection } from '../../scoring/config.js';
import { scorerKind } from '../../scoring/registry.js';
import { applyTransform } from '../../scoring/transform.js';
import type { Scorer } from '../../scoring/types.js';
import type { JsonObject, JsonValue } from '../../util/json.js';
import type { Judge } from './objective.js';

/**
 * The `scorer` section of the merge objective, wired from the scoring module's parts: every
 * scorer item of its kind, their outputs transformed and combined per image; the section's
 * tally and penalty go to the aggregation.
 */

export function resolveScorer(section: JsonObject, baseDir: string): { section: JsonObject; issues: ConfigIssue[] } {
  const { section: filled, issues } = validateScoringSection(section);
  if (issues.length > 0) return { section, issues };
  const all: ConfigIssue[] = [];
  const scorers = filled.scorers.map((item, i) => {
    const r = scorerKind(item).resolve(item, baseDir);
    all.push(...r.issues.map((issue) => ({ ...issue, path: ['scorers', i, ...issue.path] })));
    return r.section;
  });
  return { section: { ...filled, scorers } as unknown as JsonObject, issues: all };
}

export async function fingerprintScorer(section: JsonObject, baseDir: string): Promise<JsonValue> {
  const s = parse(section);
  return {
    combine: s.combine,
    scorers: await Promise.all(s.scorers.map(async (item) => ({ weight: item.weight, transform: item.transform, ...(await fingerprintOf(item, baseDir)) } as JsonObject))),
  };
}

async function fingerprintOf(item: ScoringSection['scorers'][number], baseDir: string): Promise<JsonObject> {
  const f = await scorerKind(item).fingerprint(item, baseDir);
  return { fingerprint: f };
}

export async function createJudge(section: JsonObject, context: { baseDir: string; runDir: string; log: (line: string) => void }): Promise<Judge> {
  const s = parse(section);
  const names = scorerNames(s);
  const scorers: Scorer[] = [];
  try {
    for (let i = 0; i < s.scorers.length; i++) {
      const item = s.scorers[i];
      const identity = canonicalJson(await scorerKind(item).fingerprint(item, context.baseDir));
      scorers.push(await scorerKind(item).create(item, { name: names[i], baseDir: context.baseDir, identity, env: { runDir: context.runDir, log: context.log, terminal: { input: process.stdin, output: process.stderr } } }));
    }
  } catch (e) {
    await Promise.allSettled(scorers.map((x) => x.close?.()));
    throw e;
  }
  const weights = s.scorers.map((item) => item.weight);
  return {
    aggregate: { tally: s.tally, penalty: s.penalty },
    async judge(images, signal) {
      const perScorer = await Promise.all(scorers.map((x) => x.score(images, signal)));
      return images.map((image, i): ImageResult => {
        const raw = perScorer.map((values) => values[i]);
        const transformed = raw.map((v, k) => applyTransform(v, s.scorers[k].transform));
        const rawShown = Object.fromEntries(names.flatMap((n, k) => (s.scorers[k].transform.kind === 'raw' ? [] : [[n, raw[k]]])));
        return {
          index: image.index,
          ...(image.path !== undefined ? { path: image.path } : {}),
          score: combineScores(transformed, weights, s.combine),
          scores: Object.fromEntries(names.map((n, k) => [n, transformed[k]])),
          ...(Object.keys(rawShown).length > 0 ? { raw: rawShown } : {}),
        };
      });
    },
    async fingerprint() {
      return canonicalJson(await fingerprintScorer(section, context.baseDir));
    },
    async close() {
      await Promise.allSettled(scorers.map((x) => x.close?.()));
    },
  };
}

function parse(section: JsonObject): ScoringSection {
  const { section: s, issues } = validateScoringSection(section);
  if (issues.length > 0) throw configError(issues, ['objective', 'scorer']);
  return s;
}
