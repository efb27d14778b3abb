import { UserInputError, type ConfigIssue } from '../config/issues.js';
import { canonicalJson } from '../config/canonical.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { configError, scorerNames, validateScoringSection, type ScoringSection } from './config.js';
import type { ScorerEnvironment } from './kinds/kind.js';
import { ScorerPanel, type PanelMember } from './panel.js';
import { scorerKind } from './registry.js';

export type { ScorerEnvironment } from './kinds/kind.js';

type Path = ReadonlyArray<string | number>;

/**
 * The `scorer` section normalized for the canonical config: defaults filled, file paths relative to
 * the experiment file (POSIX). Returns every problem `autombw validate` can find without running,
 * located under `at` (the section's path in the experiment, e.g. ['objective', 'scorer']).
 */
export async function resolveScoring(section: unknown, baseDir: string, at: Path): Promise<{ section: JsonObject; issues: ConfigIssue[] }> {
  const checked = validateScoringSection(section);
  if (checked.issues.length > 0) return { section: section as JsonObject, issues: prefix(checked.issues, at) };
  const issues: ConfigIssue[] = [];
  const scorers = checked.section.scorers.map((s, i) => {
    const r = scorerKind(s).resolve(s, baseDir);
    issues.push(...prefix(r.issues, [...at, 'scorers', i]));
    return r.section;
  });
  return { section: { ...checked.section, scorers } as unknown as JsonObject, issues };
}

/**
 * What decides the scores, for the run hash and the evaluation cache: model and script contents
 * (not their paths), score-changing options, weights, transforms and aggregation. Speed settings
 * (batch, provider, threads) and where ratings are typed are left out.
 */
export async function fingerprintScoring(section: unknown, baseDir: string): Promise<JsonValue> {
  const s = await resolved(section, baseDir);
  return panelFingerprint(s, await judgeFingerprints(s, baseDir));
}

async function judgeFingerprints(s: ScoringSection, baseDir: string): Promise<JsonValue[]> {
  const out: JsonValue[] = [];
  for (const item of s.scorers) out.push(await scorerKind(item).fingerprint(item, baseDir));
  return out;
}

function panelFingerprint(s: ScoringSection, judges: readonly JsonValue[]): JsonValue {
  const names = scorerNames(s);
  return {
    scorers: s.scorers.map((item, i) => ({ name: names[i], weight: item.weight, transform: { ...item.transform }, judge: judges[i] })),
    combine: s.combine,
    tally: s.tally,
    penalty: { ...s.penalty },
  };
}

/**
 * Builds the judge for a `scorer` section: every scorer loaded and checked (models exist and fit
 * their preprocessing, tokenizers load). Config problems throw UserInputError naming the scorer;
 * problems while scoring later throw plain Errors, which fail a trial.
 */
export async function createScorer(section: unknown, baseDir: string, env: Partial<ScorerEnvironment> = {}): Promise<ScorerPanel> {
  const s = await resolved(section, baseDir);
  const full: ScorerEnvironment = {
    log: env.log ?? ((line) => process.stderr.write(`${line}\n`)),
    terminal: env.terminal ?? { input: process.stdin, output: process.stderr },
    ...(env.runDir !== undefined ? { runDir: env.runDir } : {}),
  };
  const names = scorerNames(s);
  const judges = await judgeFingerprints(s, baseDir);
  const members: PanelMember[] = [];
  try {
    for (const [i, item] of s.scorers.entries()) {
      try {
        const scorer = await scorerKind(item).create(item, { name: names[i], baseDir, identity: canonicalJson(judges[i]), env: full });
        members.push({ scorer, weight: item.weight, transform: item.transform });
      } catch (e) {
        if (e instanceof UserInputError) throw new UserInputError(`scorer "${names[i]}": ${e.message}`, e.issues.map((l) => `scorer "${names[i]}": ${l}`));
        throw e;
      }
    }
  } catch (e) {
    await Promise.allSettled(members.map((m) => m.scorer.close?.()));
    throw e;
  }
  return new ScorerPanel(members, { combine: s.combine, tally: s.tally, penalty: s.penalty, identity: canonicalJson(panelFingerprint(s, judges)) });
}

/** The section resolved against `baseDir`, or a UserInputError listing its problems. */
async function resolved(section: unknown, baseDir: string): Promise<ScoringSection> {
  const r = await resolveScoring(section, baseDir, ['scorer']);
  if (r.issues.length > 0) throw configError(r.issues, []);
  return r.section as unknown as ScoringSection;
}

function prefix(issues: readonly ConfigIssue[], at: Path): ConfigIssue[] {
  return issues.map((i) => ({ ...i, path: [...at, ...i.path] }));
}
