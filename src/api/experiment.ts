import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import { loadAndHashExperiment, type HashedExperiment } from '../config/load.js';
import type { TrialEvent } from '../run/journal.js';
import type { ProgressReporter } from '../run/progress.js';
import { runExperiment as runLoop, type RunResult } from '../run/runner.js';

export type Experiment = HashedExperiment;
export type { RunResult };

/** Reads, validates and hashes an experiment file; throws UserInputError listing every problem as `file:line:col: …`. */
export async function loadExperiment(file: string): Promise<Experiment> {
  return loadAndHashExperiment(file);
}

/** Every problem in an experiment file, as the CLI's `validate` prints them; empty when it is valid. */
export async function validateExperiment(file: string): Promise<string[]> {
  try {
    await loadAndHashExperiment(file);
    return [];
  } catch (e) {
    if (e instanceof UserInputError) return [...e.issues];
    throw e;
  }
}

/** What `runExperiment` reports while it runs. */
export type RunEvent =
  | { type: 'start'; total: number; finished: number; best: number | undefined; resumed: boolean }
  | { type: 'trial'; trial: TrialEvent; finished: number; best: number | undefined }
  | { type: 'message'; text: string };

export interface RunOptions {
  /** Aborting stops asking for trials and interrupts evaluations in flight; they are redone when the run resumes. */
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
}

/**
 * Runs (or resumes) an experiment to its stop condition, journaling into its run directory
 * exactly as `autombw run` does; the same experiment continues where it stopped.
 */
export async function runExperiment(experiment: Experiment | string, options: RunOptions = {}): Promise<RunResult> {
  const loaded = typeof experiment === 'string' ? await loadExperiment(path.resolve(experiment)) : experiment;
  const emit = options.onEvent ?? (() => undefined);
  const progress: ProgressReporter = {
    start: (state) => emit({ type: 'start', ...state }),
    trial: (trial, stats) => emit({ type: 'trial', trial, finished: stats.finished, best: stats.best?.value }),
    message: (text) => emit({ type: 'message', text }),
    stop: () => undefined,
  };
  return runLoop(loaded, { stop: options.signal, abort: options.signal, progress });
}
