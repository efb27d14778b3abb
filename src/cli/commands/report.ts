import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath } from '../../config/source.js';
import { isComparisonDir } from '../../compare/manifest.js';
import { DEFAULT_RUN_ROOTS, findRun } from '../../reproduce/find-run.js';
import { writeReport } from '../../report/write.js';

export const reportCommand: Command = {
  name: 'report',
  help: `Usage: autombw report <run dir | run hash | comparison dir> [--runs-dir DIR]...

Writes report.html into the run or comparison directory: one self-contained file (inline
SVG, no script, nothing fetched from the network) that opens from disk. Every figure is
also written as figures/<name>.svg and figures/<name>.png.

A run's report: values per evaluation with the best so far, the best recipe drawn as
a UNet with its supermerger / auto-MBW-rt strings, parameter importance (GP ARD
lengthscales and a permutation check), per-payload scores of the best recipe, the
saved images, the best recipe beside the baselines (with optimizer.baselines), weights
against value (parallel coordinates, slices) and every trial with its weights and
thumbnails. A comparison's: convergence curves of every optimizer with quartile
bands, the statistics table and the pairwise tests.

\`run\` and \`compare\` write the report when they finish; this command rewrites it.

Options:
  --runs-dir DIR   where to look a hash up (repeatable; default: ${DEFAULT_RUN_ROOTS.join(', ')})`,

  async run(argv) {
    const { positionals, values } = parseCommandArgs('report', argv, { 'runs-dir': { type: 'string', multiple: true } });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw report: give one run directory, run hash or comparison directory');
    const target = positionals[0];
    const dir = isComparisonDir(target) ? target : findRun(target, values['runs-dir'] ?? DEFAULT_RUN_ROOTS).dir;
    console.log(displayPath(await writeReport(dir)));
    return 0;
  },
};
