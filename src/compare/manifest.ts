import { existsSync, readFileSync } from 'node:fs';
import { makeDirectory } from '../util/make-dir.js';
import path from 'node:path';
import { readJournal, type JournalEvent } from '../run/journal.js';
import { writeFileAtomic } from '../run/run-dir.js';
import { historyFromJournal, type RunHistory } from './curves.js';
import type { CompareConfig } from './config.js';
import type { PlannedRun } from './plan.js';
import type { VariantRuns } from './statistics.js';

const MANIFEST_FILE = 'compare.json';

/** compare.json: what a comparison consists of, so `report` and `reproduce` can read it without the YAML. */
export interface CompareManifest {
  format: 'autombw-compare/1';
  name: string;
  description?: string;
  file: string;
  experiment: string;
  budget: number;
  seeds: number[];
  checkpoints: number[];
  threshold?: number;
  variants: Array<{ name: string; kind: string }>;
  /** Run directories relative to the comparison directory. */
  runs: Array<{ variant: string; seed: number; hash: string; dir: string }>;
}

export function writeManifest(config: CompareConfig, plan: readonly PlannedRun[]): CompareManifest {
  const manifest: CompareManifest = {
    format: 'autombw-compare/1',
    name: config.name,
    ...(config.description !== undefined ? { description: config.description } : {}),
    file: config.file,
    experiment: config.experiment,
    budget: plan[0].experiment.config.stop.budget,
    seeds: config.seeds,
    checkpoints: config.checkpoints,
    ...(config.threshold !== undefined ? { threshold: config.threshold } : {}),
    variants: config.optimizers.map((o) => ({ name: o.name, kind: String(o.section.kind) })),
    runs: plan.map((r) => ({
      variant: r.variant,
      seed: r.seed,
      hash: r.experiment.hash,
      dir: path.relative(config.dir, path.join(r.experiment.config.output.dir, r.experiment.hash.slice(0, 12))).split(path.sep).join('/'),
    })),
  };
  makeDirectory(config.dir);
  writeFileAtomic(path.join(config.dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

export function isComparisonDir(dir: string): boolean {
  return existsSync(path.join(dir, MANIFEST_FILE));
}

export function readManifest(dir: string): CompareManifest {
  return JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as CompareManifest;
}

export interface ComparisonData {
  manifest: CompareManifest;
  /** Per variant, the histories of the seeds every variant has finished, in manifest seed order. */
  variants: VariantRuns[];
  /** Seeds included: those finished by every variant. */
  seeds: number[];
  /** Runs planned, and runs finished. */
  planned: number;
  finished: number;
}

/**
 * The finished part of a comparison. A run counts once its journal ends with a stop that is not
 * an interruption; a seed counts once every variant has finished it, so the statistics always
 * compare optimizers on the same seeds. `journalOf` reads a member run's journal (the dashboard
 * passes the journals it already follows).
 */
export function readComparison(dir: string, journalOf: (runDir: string) => readonly JournalEvent[] = (runDir) => readJournal(path.join(runDir, 'journal.jsonl')).events): ComparisonData {
  const manifest = readManifest(dir);
  const histories = new Map<string, RunHistory>();
  for (const run of manifest.runs) {
    const events = journalOf(path.join(dir, run.dir));
    if (isFinished(events)) histories.set(`${run.variant}\u0000${run.seed}`, historyFromJournal(events));
  }
  const seeds = manifest.seeds.filter((s) => manifest.variants.every((v) => histories.has(`${v.name}\u0000${s}`)));
  return {
    manifest,
    variants: manifest.variants.map((v) => ({ name: v.name, runs: seeds.map((s) => histories.get(`${v.name}\u0000${s}`)!) })),
    seeds,
    planned: manifest.runs.length,
    finished: histories.size,
  };
}

function isFinished(events: readonly JournalEvent[]): boolean {
  const last = events[events.length - 1];
  return last?.type === 'stop' && last.reason !== 'interrupted';
}
