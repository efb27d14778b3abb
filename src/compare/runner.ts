import path from 'node:path';
import { runExperiment, type RunResult } from '../run/runner.js';
import type { ProgressReporter } from '../run/progress.js';
import { writeFileAtomic } from '../run/run-dir.js';
import type { CompareConfig } from './config.js';
import { EvaluationCache } from '../runtime/cache.js';
import { countPayloadCache, withEvaluationCache, type CacheCounts } from './evaluation-cache.js';
import { observeTrials } from './observe-progress.js';
import type { Objective } from '../objectives/types.js';
import { readComparison, writeManifest } from './manifest.js';
import { compareRunsDir, type PlannedRun } from './plan.js';
import { comparisonStatistics, type ComparisonStatistics } from './statistics.js';

const SUMMARY_FILE = 'summary.json';

export interface CompareControls {
  stop?: AbortSignal;
  abort?: AbortSignal;
  /** The progress display of one run (index from 0). */
  progress(run: PlannedRun, index: number, total: number): ProgressReporter;
}

export interface CompareResult {
  dir: string;
  runs: Array<{ run: PlannedRun; result: RunResult }>;
  interrupted: boolean;
  statistics: ComparisonStatistics;
  /** Seeds every optimizer has finished (the statistics use only these). */
  seeds: number[];
  /** Cache use in this session: whole evaluations, or for merge objectives payloads. */
  cache: CacheCounts & { unit: 'evaluation' | 'payload' };
}

/**
 * Runs (or resumes) every run of a comparison, one after the other, then computes the statistics.
 * Each run is an ordinary run directory under <dir>/runs, so an interrupted comparison continues
 * where it stopped and finished runs are not repeated.
 */
export async function runComparison(config: CompareConfig, plan: readonly PlannedRun[], controls: CompareControls): Promise<CompareResult> {
  writeManifest(config, plan);
  // The directory merge objectives use by default too: one cache for everything the comparison evaluates.
  const cache = new EvaluationCache(path.join(compareRunsDir(config.dir), 'cache'));
  const counts: CacheCounts = { hits: 0, misses: 0 };
  const merge = plan[0].experiment.config.objective.kind === 'merge';
  const runs: CompareResult['runs'] = [];
  let interrupted = false;
  for (const [index, run] of plan.entries()) {
    if (controls.stop?.aborted) {
      interrupted = true;
      break;
    }
    const progress = controls.progress(run, index, plan.length);
    const result = await runExperiment(run.experiment, {
      ...(controls.stop ? { stop: controls.stop } : {}),
      ...(controls.abort ? { abort: controls.abort } : {}),
      // A merge objective caches per payload itself (by default in the same directory), finer than a whole evaluation.
      ...(merge
        ? { progress: observeTrials(progress, (e) => countPayloadCache(e.details, counts)) }
        : { progress, wrapObjective: (o: Objective) => withEvaluationCache(o, run.experiment, cache, counts) }),
    });
    runs.push({ run, result });
    if (result.reason === 'interrupted') {
      interrupted = true;
      break;
    }
  }
  const { statistics, seeds } = summarizeComparison(config.dir);
  return { dir: config.dir, runs, interrupted, statistics, seeds, cache: { ...counts, unit: merge ? 'payload' : 'evaluation' } };
}

/** Statistics of the finished part of a comparison directory, also written to summary.json. */
function summarizeComparison(dir: string): { statistics: ComparisonStatistics; seeds: number[] } {
  const data = readComparison(dir);
  const statistics = comparisonStatistics(data);
  writeFileAtomic(path.join(dir, SUMMARY_FILE), `${JSON.stringify({ seeds: data.seeds, ...statistics }, null, 2)}\n`);
  return { statistics, seeds: data.seeds };
}
