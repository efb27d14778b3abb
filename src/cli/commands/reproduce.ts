import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath } from '../../config/source.js';
import { readRun } from '../../report/run-data.js';
import { DEFAULT_RUN_ROOTS, findRun } from '../../reproduce/find-run.js';
import { DEFAULT_TOLERANCE, reproduceRun } from '../../reproduce/reproduce.js';
import { createProgress, type ProgressMode } from '../../run/progress.js';

const MODES: ProgressMode[] = ['auto', 'bar', 'plain', 'none'];

export const reproduceCommand: Command = {
  name: 'reproduce',
  help: `Usage: autombw reproduce <run dir | run hash | hash prefix> [options]

Re-runs a run from its resolved config (config.resolved.yaml) in a new directory and
checks, in order:
  1. config and files: the resolved config and every file it reads (models, scorers,
     workflow) hash as they did; otherwise it says which changed, and stops there
  2. proposals: the optimizer, fed the recorded values, proposes the recorded points
  3. values: the re-run proposes the same points and gets the same values, bit for bit
     for deterministic objectives (function, surrogate, the demo backend), within
     --tolerance otherwise, for as many trials as the run has; it asks the optimizer
     in the batches and tells it results in the order the journal recorded, whatever
     concurrency the run's sessions had
It ends with REPRODUCED or NOT REPRODUCED. A moved run directory works: give its path.

Options:
  --runs-dir DIR      where to look a hash up (repeatable; default: ${DEFAULT_RUN_ROOTS.join(', ')})
  --base-dir DIR      where the objective's relative paths (models, payload files) point
                      (default: the run's recorded base directory)
  --output-dir DIR    where the reproduction is written (default:
                      reproductions/<hash12>-<time>/)
  --tolerance X       relative tolerance on values (default 0 for deterministic
                      objectives, ${DEFAULT_TOLERANCE} otherwise)
  --progress <mode>   auto | bar | plain | none (default auto)

Exit codes: 0 reproduced, 1 not reproduced, 2 bad input, 130 interrupted by Ctrl-C,
143 interrupted by SIGTERM.`,

  async run(argv) {
    const { positionals, values } = parseCommandArgs('reproduce', argv, {
      'runs-dir': { type: 'string', multiple: true },
      'base-dir': { type: 'string' },
      'output-dir': { type: 'string' },
      tolerance: { type: 'string' },
      progress: { type: 'string' },
    });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw reproduce: give one run directory, run hash or hash prefix');
    const mode = (values.progress ?? 'auto') as ProgressMode;
    if (!MODES.includes(mode)) throw new UserInputError(`autombw reproduce: --progress must be one of ${MODES.join(', ')}, got "${mode}"`);
    const tolerance = values.tolerance === undefined ? undefined : Number(values.tolerance);
    if (tolerance !== undefined && !(tolerance >= 0)) throw new UserInputError(`autombw reproduce: --tolerance must be a number ≥ 0, got "${values.tolerance}"`);

    const found = findRun(positionals[0], values['runs-dir'] ?? DEFAULT_RUN_ROOTS);
    const run = readRun(found.dir);
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
    const outputDir = values['output-dir'] ?? path.join('reproductions', `${found.hash.slice(0, 12)}-${stamp}`);
    console.log(`reproducing run ${found.hash.slice(0, 12)} (${displayPath(found.dir)}, ${run.trials.length} trials) in ${displayPath(path.resolve(outputDir))}`);

    const stop = new AbortController();
    const abort = new AbortController();
    let stoppedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return abort.abort();
      stoppedBy = signal;
      stop.abort();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const verdict = await reproduceRun(run, {
        outputDir,
        ...(values['base-dir'] !== undefined ? { baseDir: values['base-dir'] } : {}),
        ...(tolerance !== undefined ? { tolerance } : {}),
        progress: createProgress(mode, process.stdout),
        stop: stop.signal,
        abort: abort.signal,
      });
      for (const c of verdict.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name}: ${c.detail}`);
      for (const n of verdict.notes) console.log(`note  ${n}`);
      if (verdict.reproductionDir) console.log(`reproduction: ${displayPath(verdict.reproductionDir)}`);
      console.log(verdict.match ? 'REPRODUCED' : 'NOT REPRODUCED');
      if (stoppedBy !== undefined && !verdict.match) return stoppedBy === 'SIGTERM' ? 143 : 130;
      return verdict.match ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
