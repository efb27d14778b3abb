import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { ExperimentConfig } from '../config/experiment.js';
import type { TrialEvent } from '../run/journal.js';
import { runStatus } from '../run/run-status.js';
import type { RunData, RunInfo } from '../report/run-data.js';
import { trialColumns, trialRow, type TrialRow } from '../report/trial-table.js';
import { JournalTail } from './journal-tail.js';

/**
 * A run directory kept up to date as its journal grows: the same RunData the report reads, built
 * once and then extended by the appended lines only, so a 5,000-trial run costs one read at first
 * and a few bytes per trial after.
 */
export class LiveRun {
  readonly data: RunData;
  readonly columns: string[];
  /** One row per finished trial, in journal order. */
  readonly rows: TrialRow[] = [];
  /** Bumped whenever anything visible changed. */
  version = 0;
  private readonly tail: JournalTail;

  private constructor(dir: string, info: RunInfo, config: ExperimentConfig) {
    this.tail = new JournalTail(path.join(dir, 'journal.jsonl'));
    this.data = { dir, info, config, events: [], trials: [], proposals: new Map(), best: undefined, status: 'new' };
    this.columns = trialColumns(this.data);
    this.refresh();
  }

  /** Opens a run directory; undefined when it is not one (yet). */
  static open(dir: string): LiveRun | undefined {
    const absolute = path.resolve(dir);
    try {
      const info = JSON.parse(readFileSync(path.join(absolute, 'run.json'), 'utf8')) as RunInfo;
      const config = parse(readFileSync(path.join(absolute, 'config.resolved.yaml'), 'utf8')) as ExperimentConfig;
      return new LiveRun(absolute, info, config);
    } catch {
      return undefined;
    }
  }

  static isRunDir(dir: string): boolean {
    return existsSync(path.join(dir, 'run.json'));
  }

  get name(): string {
    return this.data.config.name ?? `run ${this.data.info.hash.slice(0, 12)}`;
  }

  /** Reads what was appended and rechecks the status; true when something changed. */
  refresh(): boolean {
    const { events, reset } = this.tail.read();
    const run = this.data;
    if (reset) {
      run.events.length = 0;
      run.trials.length = 0;
      run.proposals.clear();
      run.best = undefined;
      this.rows.length = 0;
    }
    for (const e of events) {
      run.events.push(e);
      if (e.type === 'ask') for (const t of e.trials) run.proposals.set(t.id, t);
      else if (e.type === 'trial') this.addTrial(e);
    }
    const status = runStatus(run.dir, run.events);
    const changed = reset || events.length > 0 || status !== run.status;
    run.status = status;
    if (changed) this.version++;
    return changed;
  }

  private addTrial(t: TrialEvent): void {
    const run = this.data;
    run.trials.push(t);
    this.rows.push(trialRow(run, this.columns, t));
    if (t.status === 'ok' && t.value !== undefined && (!run.best || t.value > run.best.value!)) run.best = t;
  }
}
