import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Job } from './jobs.js';

interface PastRun {
  file: string;
  budget: number;
  cpuSeconds: Record<string, number>;
}

/** The newest result file in `dir` whose runs went to `budget` evaluations, if any. */
export function latestPastRun(dir: string, budget: number): PastRun | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => /^optimizers-.*\.json$/.test(f)).sort().reverse();
  for (const file of files) {
    const data = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    const budgets: number[] = data.summary?.budgets ?? [];
    if (budgets.at(-1) === budget && data.summary?.cpuSeconds) return { file, budget, cpuSeconds: data.summary.cpuSeconds };
  }
  return undefined;
}

/**
 * Wall-clock seconds the jobs should take on `slots` idle cores, priced at the CPU time per run
 * measured in a past result file; optimizers it lacks are listed instead of guessed.
 */
export function estimateSeconds(jobs: readonly Job[], past: PastRun, slots: number): { seconds: number; unknown: string[] } {
  let work = 0;
  const unknown = new Set<string>();
  for (const j of jobs) {
    const cost = past.cpuSeconds[j.contender.name];
    if (cost === undefined) unknown.add(j.contender.name);
    else work += cost;
  }
  return { seconds: work / slots, unknown: [...unknown] };
}
