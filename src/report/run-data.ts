import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ExperimentConfig } from '../config/experiment.js';
import { readJournal, type JournalEvent, type TrialEvent } from '../run/journal.js';
import type { Trial } from '../optimizers/types.js';
import { UserInputError } from '../config/issues.js';
import { runStatus, type RunStatus } from '../run/run-status.js';

/** run.json as RunDir writes it. */
export interface RunInfo {
  hash: string;
  experiment: string;
  base_dir: string;
  created?: string;
  autombw?: string;
  canonical: Record<string, unknown>;
}

/** Everything a report, an export or a reproduction reads from a run directory. */
export interface RunData {
  dir: string;
  info: RunInfo;
  config: ExperimentConfig;
  events: JournalEvent[];
  /** Finished evaluations in the order they finished. */
  trials: TrialEvent[];
  /** Every proposed trial by id (origin, unit-cube point). */
  proposals: Map<number, Trial>;
  best: TrialEvent | undefined;
  status: RunStatus;
}

export function readRun(dir: string): RunData {
  const absolute = path.resolve(dir);
  const infoFile = path.join(absolute, 'run.json');
  if (!existsSync(infoFile)) throw new UserInputError(`${dir} is not a run directory (no run.json)`);
  const info = JSON.parse(readFileSync(infoFile, 'utf8')) as RunInfo;
  const config = parse(readFileSync(path.join(absolute, 'config.resolved.yaml'), 'utf8')) as ExperimentConfig;
  const { events } = readJournal(path.join(absolute, 'journal.jsonl'));
  const trials = events.filter((e): e is TrialEvent => e.type === 'trial');
  const proposals = new Map<number, Trial>();
  for (const e of events) if (e.type === 'ask') for (const t of e.trials) proposals.set(t.id, t);
  let best: TrialEvent | undefined;
  for (const t of trials) if (t.status === 'ok' && t.value !== undefined && (!best || t.value > best.value!)) best = t;
  return { dir: absolute, info, config, events, trials, proposals, best, status: runStatus(absolute, events) };
}
