import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import { displayPath } from '../config/source.js';
import type { JsonObject, JsonValue } from '../util/json.js';
import { readRun, type RunData } from '../report/run-data.js';
import type { ProgressReporter } from '../run/progress.js';
import { runExperiment } from '../run/runner.js';
import { observeTrials } from '../compare/observe-progress.js';
import { formatValue } from '../compare/table.js';
import { compareTrials } from './compare-trials.js';
import { checkProposals } from './proposals.js';
import { describeDifference, jsonDifferences, rebuildExperiment } from './rebuild.js';

/** Relative tolerance on values of objectives that are not bit-reproducible (GPU rendering). */
export const DEFAULT_TOLERANCE = 1e-3;

export interface ReproduceOptions {
  /** Where relative paths of the objective point (default: the run's recorded base directory). */
  baseDir?: string;
  /** Directory the reproduction run is written to (its run directory is inside). */
  outputDir: string;
  /** Relative tolerance on values; default 0 for deterministic objectives, DEFAULT_TOLERANCE otherwise. */
  tolerance?: number;
  progress: ProgressReporter;
  stop?: AbortSignal;
  abort?: AbortSignal;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Verdict {
  match: boolean;
  checks: Check[];
  /** Notes that do not decide the verdict. */
  notes: string[];
  reproductionDir?: string;
}

/**
 * Objectives whose value is a pure function of the recipe, the seed and the trial number:
 * a reproduction must give bit-identical values. Everything else (real GPUs, external
 * programs) is compared within a tolerance.
 */
export function isDeterministic(objective: JsonObject & { kind: string }): boolean {
  if (objective.kind === 'function' || objective.kind === 'surrogate') return true;
  const runtime = objective.runtime as JsonValue | undefined;
  return objective.kind === 'merge' && typeof runtime === 'object' && runtime !== null && !Array.isArray(runtime) && runtime.backend === 'demo';
}

/**
 * Re-runs a run from its resolved config in a new directory and says whether it reproduced:
 * 1. the config and every file it reads (models, scorers) hash as they did, else which changed;
 * 2. the optimizer proposes the journaled points from the journaled values;
 * 3. the re-run proposes the same points and gets the same values (exactly for deterministic
 *    objectives, within the tolerance otherwise), for as many trials as the run has.
 */
export async function reproduceRun(run: RunData, options: ReproduceOptions): Promise<Verdict> {
  const checks: Check[] = [];
  const notes: string[] = [];
  const baseDir = chooseBaseDir(run, options.baseDir, notes);

  let experiment;
  try {
    experiment = await rebuildExperiment(run, baseDir);
  } catch (e) {
    const message = e instanceof UserInputError ? e.issues.join('; ') : (e as Error).message;
    checks.push({ name: 'config and files', ok: false, detail: `cannot rebuild the experiment: ${message}` });
    return { match: false, checks, notes };
  }
  if (experiment.hash !== run.info.hash) {
    const differences = jsonDifferences(run.info.canonical as JsonValue, JSON.parse(experiment.canonical) as JsonValue).map(describeDifference);
    checks.push({ name: 'config and files', ok: false, detail: `the run hash is now ${experiment.hash.slice(0, 12)}, was ${run.info.hash.slice(0, 12)}: ${differences.join('; ') || 'the canonical form changed'}` });
    return { match: false, checks, notes };
  }
  checks.push({ name: 'config and files', ok: true, detail: `hash ${run.info.hash.slice(0, 12)} unchanged: same settings, and every model and scorer file hashes as it did` });

  const proposals = checkProposals(run.events, experiment);
  checks.push({ name: 'proposals', ok: proposals.ok, detail: proposals.detail });

  const count = run.trials.length;
  if (count === 0) {
    notes.push('the run has no finished trials: nothing to re-run');
    return { match: checks.every((c) => c.ok), checks, notes };
  }
  const deterministic = isDeterministic(run.config.objective);
  const tolerance = options.tolerance ?? (deterministic ? 0 : DEFAULT_TOLERANCE);
  const target = path.join(path.resolve(options.outputDir), run.info.hash.slice(0, 12));
  if (existsSync(target)) throw new UserInputError(`${displayPath(target)} already exists; a reproduction needs a new directory (--output-dir)`);

  delete experiment.config.stop.time_limit; // the reproduction runs as many trials as the run has, however long they take
  experiment.config.output.dir = path.resolve(options.outputDir);
  const enough = new AbortController();
  const stop = options.stop ? AbortSignal.any([options.stop, enough.signal]) : enough.signal;
  const concurrencies = [...new Set(run.events.flatMap((e) => (e.type === 'start' && e.concurrency !== undefined ? [e.concurrency] : [])))];
  if (concurrencies.length > 1) notes.push(`the run's sessions kept ${concurrencies.join(', ')} evaluations in flight; the reproduction asks the optimizer in the batches the journal recorded`);
  const result = await runExperiment(experiment, {
    followJournal: run.events,
    stop,
    ...(options.abort ? { abort: options.abort } : {}),
    progress: stopAfter(options.progress, count, enough),
  });
  const reproduction = readRun(result.runDir);
  const comparison = compareTrials(run, reproduction, count, tolerance);
  const how = tolerance === 0 ? 'exact match required' : `tolerance ${tolerance} relative${deterministic ? '' : ' (objective not bit-reproducible)'}`;
  if (!comparison.ok) {
    checks.push({ name: 'values', ok: false, detail: comparison.problem! });
  } else if (comparison.divergedAt !== undefined && (deterministic || comparison.compared === 0)) {
    checks.push({ name: 'values', ok: false, detail: `the reproduction proposed another point at trial ${comparison.divergedAt} after ${comparison.compared} matching trials` });
  } else {
    checks.push({ name: 'values', ok: true, detail: `${comparison.compared} of ${count} trials compared, ${how}: ${comparison.identical} bit-identical, largest difference ${formatValue(comparison.maxDifference)}` });
    if (comparison.divergedAt !== undefined) {
      notes.push(`from trial ${comparison.divergedAt} on the reproduction explored other points: values within tolerance still steer an adaptive optimizer elsewhere`);
    }
  }
  const interrupted = options.stop?.aborted === true && reproduction.trials.length < count;
  if (interrupted) notes.push('the reproduction was interrupted before all trials were re-run');
  return { match: checks.every((c) => c.ok) && !interrupted, checks, notes, reproductionDir: result.runDir };
}

function chooseBaseDir(run: RunData, given: string | undefined, notes: string[]): string {
  if (given !== undefined) return path.resolve(given);
  if (existsSync(run.info.base_dir)) return run.info.base_dir;
  notes.push(`the run's base directory ${run.info.base_dir} does not exist here; objective files are looked up relative to ${process.cwd()} (--base-dir)`);
  return process.cwd();
}

/** The progress display, plus a stop once the reproduction has as many trials as the run. */
function stopAfter(progress: ProgressReporter, count: number, stop: AbortController): ProgressReporter {
  const observed = observeTrials(progress, (_event, stats) => {
    if (stats.finished >= count) stop.abort();
  });
  return { ...observed, start: (s) => progress.start({ ...s, total: Math.min(s.total, count) }) };
}
