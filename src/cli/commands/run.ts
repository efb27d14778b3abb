import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { loadAndHashExperiment } from '../../config/load.js';
import { UserInputError } from '../../config/issues.js';
import { runExperiment } from '../../run/runner.js';
import { createProgress, formatScore, type ProgressMode } from '../../run/progress.js';
import { RunDir } from '../../run/run-dir.js';
import { displayPath } from '../../config/source.js';

const MODES: ProgressMode[] = ['auto', 'bar', 'plain', 'none'];

export const runCommand: Command = {
  name: 'run',
  help: `Usage: autombw run <experiment.yaml> [options]
       autombw run --resume <run directory>

Runs the optimizer against the objective and journals every trial to
<output.dir>/<hash12>/journal.jsonl. Running the same experiment again continues
where it stopped: the optimizer is rebuilt from the journal and proposes exactly what
an uninterrupted run would have. best.json always holds the best recipe so far.

Ctrl-C (or SIGTERM) once: start no new trials and finish the ones in flight; the
proposals for the slots they free are journaled and evaluated first on resume, so a
resumed run equals an uninterrupted one.
Ctrl-C twice: interrupt those too (they are redone on resume).

Options:
  --resume <dir>      continue the run in <dir> (uses the experiment file recorded there)
  --progress <mode>   auto | bar | plain | none (default: the experiment's output.progress)
  --output-dir <dir>  where runs live (default: the experiment's output.dir, "runs")

Exit codes: 0 finished, 1 the run failed (every trial failed, an error, or the
objective ended the process), 2 bad input, 130 interrupted by Ctrl-C (SIGINT),
143 interrupted by SIGTERM.`,
  async run(argv) {
    const { positionals, values } = parseCommandArgs('run', argv, {
      resume: { type: 'string' },
      progress: { type: 'string' },
      'output-dir': { type: 'string' },
    });
    if (values.help) return (console.log(this.help), 0);
    let file: string;
    let expectedHash: string | undefined;
    if (values.resume !== undefined) {
      if (positionals.length > 0) throw new UserInputError('autombw run: give either an experiment file or --resume <run directory>, not both');
      const info = path.join(values.resume, 'run.json');
      if (!existsSync(info)) throw new UserInputError(`autombw run --resume: ${values.resume} is not a run directory (no run.json)`);
      const recorded = JSON.parse(readFileSync(info, 'utf8')) as { experiment: string; hash: string };
      file = recorded.experiment;
      expectedHash = recorded.hash;
    } else {
      if (positionals.length !== 1) throw new UserInputError('autombw run: give exactly one experiment file (see autombw run --help)');
      file = positionals[0];
    }
    const progressMode = values.progress as ProgressMode | undefined;
    if (progressMode !== undefined && !MODES.includes(progressMode)) {
      throw new UserInputError(`autombw run: --progress must be one of ${MODES.join(', ')}, got "${progressMode}"`);
    }

    const experiment = await loadAndHashExperiment(file);
    if (expectedHash && experiment.hash !== expectedHash) {
      throw new UserInputError(`${displayPath(experiment.file)} has changed since run ${expectedHash.slice(0, 12)} started (hash is now ${experiment.hash.slice(0, 12)}); restore it, or run it as a new experiment`);
    }
    if (values['output-dir'] !== undefined) experiment.config.output.dir = values['output-dir'];
    else if (values.resume !== undefined) experiment.config.output.dir = path.dirname(path.resolve(values.resume));

    const stop = new AbortController();
    const abort = new AbortController();
    const progress = createProgress(progressMode ?? experiment.config.output.progress, process.stdout);
    // SIGTERM (a service manager, `kill`) stops the run as Ctrl-C does; the exit code says which came first.
    let stoppedBy: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      if (!stop.signal.aborted) {
        stoppedBy = signal;
        progress.message(`\nstopping (${signal}): no new trials; finishing the ones in flight (Ctrl-C again to interrupt them)`);
        stop.abort();
      } else {
        abort.abort();
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const dir = displayPath(new RunDir(experiment.config.output.dir, experiment.hash).dir);
      console.log(`run ${experiment.hash}\n  directory ${dir}\n  report    ${dir}/report.html (written when the run stops)`);
      const r = await runExperiment(experiment, { stop: stop.signal, abort: abort.signal, progress });
      const best = r.best ? `best ${formatScore(r.best.value)} (trial ${r.best.id})` : 'no successful trial';
      console.log(`run ${r.hash.slice(0, 12)}: ${r.reason}; ${r.finished} trials (${r.failed} failed), ${best}`);
      if (r.best) console.log(`  ${displayPath(r.runDir)}/best.json`);
      // Only a session that added trials rewrites the report: rerunning a finished run stays instant.
      if (r.newTrials > 0) {
        const warn = (m: string) => console.error(`warning: ${m}`);
        const report = await import('../../report/write.js').then(
          (m) => m.writeReportQuietly(r.runDir, warn),
          (e: Error) => warn(`no report: ${e.message}`),
        );
        if (report) console.log(`  ${displayPath(report)}`);
      }
      if (r.reason === 'interrupted') return stoppedBy === 'SIGTERM' ? 143 : 130;
      return r.finished > 0 && r.failed === r.finished ? 1 : 0;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
