import path from 'node:path';
import { bestSoFar, historyFromJournal } from '../compare/curves.js';
import { readComparison, readManifest, type CompareManifest, type ComparisonData } from '../compare/manifest.js';
import { comparisonStatistics, spread, type ComparisonStatistics, type CurveBand } from '../compare/statistics.js';
import type { LiveRun } from './live-run.js';

export interface LiveComparison {
  dir: string;
  manifest: CompareManifest;
  /** Member runs in manifest order, with their live state where the directory exists yet. */
  members: Array<{ variant: string; seed: number; hash: string; dir: string; run: LiveRun | undefined }>;
  /** Statistics of the seeds every optimizer has finished (what the report shows). */
  finished: { data: ComparisonData; stats: ComparisonStatistics };
  /** Bands over every run that got that far, finished or not: what is known so far. */
  bands: CurveBand[];
}

/**
 * A comparison as it runs, from the member runs the dashboard follows. The bands at evaluation k
 * use the runs with at least k finished trials, so a running comparison shows its curves growing
 * instead of the finished-only view the report (and its statistics) must use.
 */
export function liveComparison(dir: string, open: (runDir: string) => LiveRun | undefined): LiveComparison {
  const manifest = readManifest(dir);
  const members = manifest.runs.map((r) => ({ ...r, dir: path.resolve(dir, r.dir), run: open(path.resolve(dir, r.dir)) }));
  const byDir = new Map(members.map((m) => [m.dir, m.run]));
  const data = readComparison(dir, (runDir) => byDir.get(path.resolve(runDir))?.data.events ?? []);
  const bands: CurveBand[] = manifest.variants.map((v) => {
    const curves = members.filter((m) => m.variant === v.name && m.run).map((m) => bestSoFar(historyFromJournal(m.run!.data.events)));
    const points = Array.from({ length: manifest.budget }, (_, k) => spread(curves.flatMap((c) => (k < c.length && c[k] !== undefined ? [c[k]!] : []))));
    return { name: v.name, points };
  });
  return { dir, manifest, members, finished: { data, stats: comparisonStatistics(data) }, bands };
}
