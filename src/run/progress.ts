import { SingleBar } from 'cli-progress';
import type { Writable } from 'node:stream';
import type { TrialEvent } from './journal.js';
import type { RunStats } from './stats.js';
import { formatDuration } from '../util/duration.js';

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

const fmt = (v: number | undefined) => (v === undefined ? '—' : Number(v.toPrecision(6)).toString());

class PlainProgress implements ProgressReporter {
  private total = 0;
  private started = Date.now();
  private startFinished = 0;

  constructor(private readonly out: Writable) {}

  start(state: { total: number; finished: number; best: number | undefined; resumed: boolean }): void {
    this.total = state.total;
    this.started = Date.now();
    this.startFinished = state.finished;
    if (state.resumed) this.out.write(`resuming: ${state.finished}/${state.total} trials done, best ${fmt(state.best)}\n`);
  }

  trial(e: TrialEvent, stats: RunStats): void {
    const width = String(this.total).length;
    const value = e.status === 'ok' ? fmt(e.value) : `failed: ${e.error}`;
    const eta = etaSeconds(this.started, stats.finished - this.startFinished, this.total - stats.finished);
    this.out.write(
      `trial ${String(e.id).padStart(width)}  [${String(stats.finished).padStart(width)}/${this.total}]  ${value}  best ${fmt(stats.best?.value)} (#${stats.best?.id ?? '—'})  ${e.duration.toFixed(2)}s  eta ${formatDuration(eta)}\n`,
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

  constructor(out: Writable) {
    this.bar = new SingleBar({
      format: 'trials {bar} {value}/{total} | best {best} | last {last} | eta {eta_formatted}',
      stream: out as NodeJS.WritableStream,
      hideCursor: true,
      etaBuffer: 20,
    });
  }

  start(state: { total: number; finished: number; best: number | undefined }): void {
    this.bar.start(state.total, state.finished, { best: fmt(state.best), last: '—' });
    this.active = true;
  }

  trial(e: TrialEvent, stats: RunStats): void {
    this.bar.update(stats.finished, { best: fmt(stats.best?.value), last: e.status === 'ok' ? fmt(e.value) : 'failed' });
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

function etaSeconds(startedMs: number, doneThisSession: number, remaining: number): number {
  if (doneThisSession <= 0) return NaN;
  return ((Date.now() - startedMs) / 1000 / doneThisSession) * remaining;
}
