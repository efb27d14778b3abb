import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath } from '../../config/source.js';
import { loadCompareConfig, type CompareProgress } from '../../compare/config.js';
import { planComparison } from '../../compare/plan.js';
import { runComparison } from '../../compare/runner.js';
import { alignColumns, pairwiseLines, significanceNote, statisticsTable } from '../../compare/table.js';
import { createProgress } from '../../run/progress.js';
import { writeReportQuietly } from '../../report/write.js';

const MODES: CompareProgress[] = ['auto', 'bar', 'plain', 'none'];

export const compareCommand: Command = {
  name: 'compare',
  help: `Usage: autombw compare <compare.yaml> [options]

Runs one experiment with every optimizer listed, once per seed, at the same budget,
then prints per optimizer: the best value at the budget (median and interquartile
range over seeds) and at the checkpoints, the mean rank, the area under the
best-so-far curve, evaluations needed to reach the threshold, and a pairwise
Mann–Whitney U test (two-sided, Holm-adjusted). Runs share an evaluation cache,
so a candidate evaluated once is never paid for again.

Everything lives in the comparison directory (output.dir, default compare/<file name>):
compare.json, runs/<hash12>/ per run, runs/cache/, summary.json and report.html. Running
the same file again continues an interrupted comparison.

Options:
  --progress <mode>   auto | bar | plain | none (default: the file's output.progress)
  --output-dir <dir>  the comparison directory
  --no-report         do not write report.html

Exit codes: 0 finished, 1 failed, 2 bad input, 130 interrupted.`,

  async run(argv) {
    const { positionals, values } = parseCommandArgs('compare', argv, {
      progress: { type: 'string' },
      'output-dir': { type: 'string' },
      'no-report': { type: 'boolean' },
    });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw compare: give exactly one comparison file (see autombw compare --help)');
    const mode = values.progress as CompareProgress | undefined;
    if (mode !== undefined && !MODES.includes(mode)) throw new UserInputError(`autombw compare: --progress must be one of ${MODES.join(', ')}, got "${mode}"`);

    const config = loadCompareConfig(positionals[0]);
    if (values['output-dir'] !== undefined) config.dir = path.resolve(values['output-dir']);
    if (mode !== undefined) config.progress = mode;
    const plan = await planComparison(config);
    console.log(`comparison ${config.name}: ${config.optimizers.length} optimizers × ${config.seeds.length} seeds, budget ${plan[0].experiment.config.stop.budget} → ${displayPath(config.dir)}`);

    const stop = new AbortController();
    const abort = new AbortController();
    const onSigint = () => {
      if (!stop.signal.aborted) {
        console.error('\nstopping: finishing the evaluations in flight (Ctrl-C again to interrupt them); run the comparison again to continue');
        stop.abort();
      } else abort.abort();
    };
    process.on('SIGINT', onSigint);
    process.on('SIGTERM', onSigint);
    try {
      const result = await runComparison(config, plan, {
        stop: stop.signal,
        abort: abort.signal,
        progress(run, index, total) {
          const reporter = createProgress(config.progress, process.stdout);
          if (config.progress !== 'none') console.log(`[${index + 1}/${total}] ${run.variant}, seed ${run.seed} (run ${run.experiment.hash.slice(0, 12)})`);
          return reporter;
        },
      });
      const { header, rows } = statisticsTable(result.statistics);
      console.log('');
      const { hits, misses, unit } = result.cache;
      console.log(`${result.seeds.length} of ${config.seeds.length} seeds finished by every optimizer; ${hits} of ${hits + misses} ${unit}s this session came from the cache`);
      if (result.seeds.length > 0) {
        for (const line of alignColumns([header, ...rows])) console.log(line);
        const pairs = pairwiseLines(result.statistics);
        if (pairs.length > 0) {
          console.log(`\npairwise, on the best value at ${result.statistics.budget}:`);
          for (const line of pairs) console.log(`  ${line}`);
          const note = significanceNote(result.statistics);
          if (note) console.log(`  ${note}`);
        }
      }
      if (!values['no-report']) {
        const report = await writeReportQuietly(config.dir, (m) => console.error(`warning: ${m}`));
        if (report) console.log(`\n  ${displayPath(report)}`);
      }
      return result.interrupted ? 130 : 0;
    } finally {
      process.off('SIGINT', onSigint);
      process.off('SIGTERM', onSigint);
    }
  },
};
