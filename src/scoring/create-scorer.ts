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
  const s = parsed(section, []);
  const names = scorerNames(s);
  const scorers: JsonValue[] = [];
  for (const [i, item] of s.scorers.entries()) {
    scorers.push({ name: names[i], weight: item.weight, transform: { ...item.transform }, judge: await scorerKind(item).fingerprint(item, baseDir) });
  }
  return { scorers, combine: s.combine, tally: s.tally, penalty: { ...s.penalty } };
}

/**
 * Builds the judge for a `scorer` section: every scorer loaded and checked (models exist and fit
 * their preprocessing, tokenizers load). Config problems throw UserInputError naming the scorer;
 * problems while scoring later throw plain Errors, which fail a trial.
 */
export async function createScorer(section: unknown, baseDir: string, env: Partial<ScorerEnvironment> = {}): Promise<ScorerPanel> {
  const resolved = await resolveScoring(section, baseDir, ['scorer']);
  if (resolved.issues.length > 0) throw configError(resolved.issues, []);
  const s = resolved.section as unknown as ScoringSection;
  const full: ScorerEnvironment = {
    log: env.log ?? ((line) => process.stderr.write(`${line}\n`)),
    terminal: env.terminal ?? { input: process.stdin, output: process.stderr },
    ...(env.runDir !== undefined ? { runDir: env.runDir } : {}),
  };
  const names = scorerNames(s);
  const identity = canonicalJson(await fingerprintScoring(s, baseDir));
  const members: PanelMember[] = [];
  try {
    for (const [i, item] of s.scorers.entries()) {
      const kind = scorerKind(item);
      const judgeIdentity = canonicalJson(await kind.fingerprint(item, baseDir));
      try {
        members.push({ scorer: await kind.create(item, { name: names[i], baseDir, identity: judgeIdentity, env: full }), weight: item.weight, transform: item.transform });
      } catch (e) {
        if (e instanceof UserInputError) throw new UserInputError(`scorer "${names[i]}": ${e.message}`, e.issues.map((l) => `scorer "${names[i]}": ${l}`));
        throw e;
      }
    }
  } catch (e) {
    await Promise.allSettled(members.map((m) => m.scorer.close?.()));
    throw e;
  }
  return new ScorerPanel(members, { combine: s.combine, tally: s.tally, penalty: s.penalty, identity });
}

function parsed(section: unknown, at: Path): ScoringSection {
  const { section: s, issues } = validateScoringSection(section);
  if (issues.length > 0) throw configError(issues, at);
  return s;
}

function prefix(issues: readonly ConfigIssue[], at: Path): ConfigIssue[] {
  return issues.map((i) => ({ ...i, path: [...at, ...i.path] }));
}
