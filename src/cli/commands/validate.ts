import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { loadExperiment } from '../../config/load.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath } from '../../config/source.js';
import { supermergerNotice } from '../../export/supermerger-notice.js';

export const validateCommand: Command = {
  name: 'validate',
  help: `Usage: autombw validate <experiment.yaml>...

Checks YAML syntax, the schema, and everything that can be checked without running:
files exist, block names are known, bounds are ordered, group members exist and are
not frozen, the budget is positive. Every problem is printed as file:line:col.

Exit codes: 0 all valid, 2 problems found.`,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('validate', argv, {});
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length === 0) throw new UserInputError('autombw validate: give at least one experiment file');
    const problems: string[] = [];
    for (const file of positionals) {
      try {
        const exp = await loadExperiment(file);
        console.log(`${displayPath(exp.file)}: ok (${exp.config.optimizer.kind}, ${exp.space.dim} variables, budget ${exp.config.stop.budget})`);
        const notice = supermergerNotice(exp.space);
        if (notice) console.log(`  note: ${notice}`);
      } catch (e) {
        if (!(e instanceof UserInputError)) throw e;
        problems.push(...e.issues);
      }
    }
    if (problems.length === 0) return 0;
    throw new UserInputError(problems[0], problems);
  },
};
