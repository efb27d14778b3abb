import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { loadExperiment, type LoadedExperiment } from '../../config/load.js';
import { UserInputError } from '../../config/issues.js';
import { SourceMap, displayPath } from '../../config/source.js';
import { supermergerNotice } from '../../export/supermerger-notice.js';
import { loadCompareConfig } from '../../compare/config.js';
import { patchExperiment } from '../../compare/plan.js';
import { objectiveKind } from '../../objectives/kinds.js';
import { isPlainObject } from '../../util/json.js';
import { Rng } from '../../util/rng.js';

export const validateCommand: Command = {
  name: 'validate',
  help: `Usage: autombw validate <experiment.yaml | comparison.yaml>...

Checks YAML syntax, the schema, and everything that can be checked without running:
files exist, block names are known, bounds are ordered, group members exist and are
not frozen, the budget is positive, a ComfyUI backend gets weights in [0, 1], and a
module objective loads and exports its function. A comparison file (autombw compare)
is checked with its experiment under every optimizer it lists. Every problem is
printed as file:line:col.

Exit codes: 0 all valid, 2 problems found.`,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('validate', argv, {});
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length === 0) throw new UserInputError('autombw validate: give at least one experiment file');
    const problems: string[] = [];
    for (const file of positionals) {
      try {
        console.log(isComparison(file) ? await validateComparison(file) : await validateExperiment(file));
      } catch (e) {
        if (!(e instanceof UserInputError)) throw e;
        problems.push(...e.issues);
      }
    }
    if (problems.length === 0) return 0;
    throw new UserInputError(problems[0], problems);
  },
};

async function validateExperiment(file: string): Promise<string> {
  const exp = await loadExperiment(file);
  await preflight(exp);
  const notice = supermergerNotice(exp.space);
  return `${displayPath(exp.file)}: ok (${exp.config.optimizer.kind}, ${exp.space.dim} variables, budget ${exp.config.stop.budget})${notice ? `\n  note: ${notice}` : ''}`;
}

/** The checks that need the objective's code loaded (a module's export), located in the experiment. */
async function preflight(exp: LoadedExperiment): Promise<void> {
  const { objective, seed } = exp.config;
  const issues = (await objectiveKind(objective.kind).preflight?.(objective, { baseDir: exp.baseDir, rng: Rng.fromSeed(seed) })) ?? [];
  if (issues.length === 0) return;
  const lines = issues.map((i) => exp.sources.format(i.path, i.message, { key: i.key }));
  throw new UserInputError(lines[0], lines);
}

/**
 * A comparison names its experiment (`experiment:`) and has no space or objective of its own.
 * A file that does not parse is taken for an experiment, whose loader reports the syntax error.
 */
function isComparison(file: string): boolean {
  try {
    const { data } = SourceMap.load(path.resolve(file));
    return isPlainObject(data) && 'experiment' in data && !('space' in data) && !('objective' in data);
  } catch {
    return false;
  }
}

/** The comparison file, then its experiment as each listed optimizer would run it (seeds change nothing a check sees). */
async function validateComparison(file: string): Promise<string> {
  const config = loadCompareConfig(file);
  const failures: Array<{ name: string; issues: readonly string[] }> = [];
  let checked: LoadedExperiment | undefined;
  for (const { name, section } of config.optimizers) {
    try {
      checked = await loadExperiment(config.experiment, { patch: (data) => patchExperiment(data, section, config.seeds[0], config.budget) });
    } catch (e) {
      if (!(e instanceof UserInputError)) throw e;
      failures.push({ name, issues: e.issues });
    }
  }
  if (failures.length > 0) {
    // A problem of the experiment itself shows under every optimizer: say it once.
    const shared = failures.length === config.optimizers.length ? failures[0].issues.filter((l) => failures.every((f) => f.issues.includes(l))) : [];
    const problems = [...shared];
    for (const { name, issues } of failures) {
      const own = issues.filter((l) => !shared.includes(l));
      if (own.length > 0) problems.push(`${displayPath(config.file)}: with optimizer "${name}":`, ...own.map((l) => `  ${l}`));
    }
    throw new UserInputError(problems[0], problems);
  }
  if (checked) await preflight(checked);
  const budget = config.budget ?? checked?.config.stop.budget;
  return `${displayPath(config.file)}: ok (comparison: ${config.optimizers.length} optimizers × ${config.seeds.length} seeds on ${displayPath(config.experiment)}, budget ${budget})`;
}
