import { mkdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { isComparisonDir, readComparison } from '../compare/manifest.js';
import { comparisonStatistics } from '../compare/statistics.js';
import { writeFileAtomic } from '../run/run-dir.js';
import { buildCompareReport, type CompareRunRow } from './compare-report.js';
import { collectGallery, collectTrialThumbnails } from './gallery.js';
import { runImportance } from './importance.js';
import { readRun } from './run-data.js';
import { buildRunReport, type BuiltReport } from './run-report.js';

const REPORT_FILE = 'report.html';
const FIGURES_DIR = 'figures';

/** PNG figures have twice the SVG's pixel size, to stay sharp on high-density screens. */
const PNG_SCALE = 2;

/**
 * Writes `<dir>/report.html` for a run or a comparison directory, and every figure as
 * `<dir>/figures/<name>.svg` and `.png`. Returns the report's path.
 */
export async function writeReport(dir: string): Promise<string> {
  const report = isComparisonDir(dir) ? buildComparison(dir) : await buildRun(dir);
  const figuresDir = path.join(dir, FIGURES_DIR);
  mkdirSync(figuresDir, { recursive: true });
  for (const f of report.figures) {
    writeFileAtomic(path.join(figuresDir, `${f.name}.svg`), f.svg);
    const png = await sharp(Buffer.from(f.svg), { density: 72 * PNG_SCALE }).png().toBuffer();
    writeFileAtomic(path.join(figuresDir, `${f.name}.png`), png);
  }
  const file = path.join(dir, REPORT_FILE);
  writeFileAtomic(file, report.html);
  return file;
}

/** writeReport for the end of `run` and `compare`: a report that cannot be written is a warning, never a failed run. */
export async function writeReportQuietly(dir: string, warn: (message: string) => void): Promise<string | undefined> {
  try {
    return await writeReport(dir);
  } catch (e) {
    warn(`could not write the report of ${dir}: ${(e as Error).message}`);
    return undefined;
  }
}

async function buildRun(dir: string): Promise<BuiltReport> {
  const run = readRun(dir);
  const gallery = await collectGallery(run.dir, run.trials, run.best);
  const thumbnails = await collectTrialThumbnails(run.dir, run.trials, run.best);
  return buildRunReport({ run, gallery, thumbnails, importance: runImportance(run) });
}

function buildComparison(dir: string): BuiltReport {
  const data = readComparison(dir);
  const { manifest } = data;
  const stats = comparisonStatistics(data);
  const rows: CompareRunRow[] = manifest.runs.map((r) => {
    try {
      const run = readRun(path.join(dir, r.dir));
      return { variant: r.variant, seed: r.seed, hash: r.hash, status: run.status, trials: run.trials.length, best: run.best?.value };
    } catch {
      return { variant: r.variant, seed: r.seed, hash: r.hash, status: 'not started', trials: 0, best: undefined };
    }
  });
  return buildCompareReport(data, stats, rows);
}
