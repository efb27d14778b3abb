import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import type { TrialEvent } from './journal.js';
import type { RunStats } from './stats.js';
import { formatDuration } from '../util/duration.js';
import { estimateRemaining } from './eta.js';

export interface ProgressReporter {
  start(state: { total: number; finished: number; best: number | undefined; resumed: boolean }): void;
  trial(event: TrialEvent, stats: RunStats): void;
  message(text: string): void;
  stop(): void;
}

export type ProgressMode = 'auto' | 'bar' | 'plain' | 'none';

/** A bar on a terminal, one line per trial otherwise (logs, CI, pipes). */
export function createProgress(mode: ProgressMode, out: Writable & { isTTY?: boolean }): ProgressReporter {
  const resolved = mode === 'auto' ? (out.isTTY ? 'bar' : 'plain') : mode;
  if (resolved === 'bar') return new BarProgress(out);
  if (resolved === 'plain') return new PlainProgress(out);
  return { start() {}, trial() {}, message: (t) => out.write(`${t}\n`), stop() {} };
}

/** A value as every run display shows it: 6 significant digits (best.json and the journal keep them all). */
export const formatScore = (v: number | undefined) => (v === undefined ? '—' : Number(v.toPrecision(6)).toString());

class PlainProgress implements ProgressReporter {
  private total = 0;
  private started = Date.now();
  private startFinished = 0;

  constructor(private readonly out: Writable) {}

  start(state: { total: number; finished: number; best: number | undefined; resumed: boolean }): void {
    this.total = state.total;
    this.started = Date.now();
    this.startFinished = state.finished;
    if (state.resumed) this.out.write(`resuming: ${state.finished}/${state.total} trials done, best ${formatScore(state.best)}\n`);
  }

  trial(e: TrialEvent, stats: RunStats): void {
    const width = String(this.total).length;
    const value = e.status === 'ok' ? formatScore(e.value) : `failed: ${e.error}`;
    const eta = sessionEta(this.started, stats.finished - this.startFinished, this.total, stats);
    this.out.write(
      `trial ${String(e.id).padStart(width)}  [${String(stats.finished).padStart(width)}/${this.total}]  ${value}  best ${formatScore(stats.best?.value)} (#${stats.best?.id ?? '—'})  ${e.duration.toFixed(2)}s  eta ${formatDuration(eta)}\n`,
    );
  }

  message(text: string): void {
    this.out.write(`${text}\n`);
  }

  stop(): void {}
}

class BarProgress implements ProgressReporter {
  private readonly bar: SingleBar;
  private active = false;
  private total = 0;
  private started = Date.now();
  private startFinished = 0;

  constructor(out: Writable) {
    this.bar = new SingleBar({
      format: 'trials {bar} {value}/{total} | best {best} | last {last} | eta {left}',
      stream: out as NodeJS.WritableStream,
      hideCursor: true,
    });
  }

  start(state: { total: number; finished: number; best: number | undefined }): void {
    this.total = state.total;
    this.started = Date.now();
    this.startFinished = state.finished;
    this.bar.start(state.total, state.finished, { best: formatScore(state.best), last: '—', left: '?' });
    this.active = true;
  }

  trial(e: TrialEvent, stats: RunStats): void {
    const left = formatDuration(sessionEta(this.started, stats.finished - this.startFinished, this.total, stats));
    this.bar.update(stats.finished, { best: formatScore(stats.best?.value), last: e.status === 'ok' ? formatScore(e.value) : 'failed', left });
  }

  message(text: string): void {
    if (this.active) this.bar.stop();
    process.stderr.write(`${text}\n`);
    this.active = false;
  }

  stop(): void {
    if (this.active) this.bar.stop();
    this.active = false;
  }
}

function sessionEta(startedMs: number, finishedThisSession: number, total: number, stats: RunStats): number {
  return estimateRemaining({
    elapsed: (Date.now() - startedMs) / 1000,
    finished: finishedThisSession,
    remaining: total - stats.finished,
    issued: stats.issued,
    toPropose: Math.max(0, total - stats.issued),
    asks: stats.asks,
  });
}
