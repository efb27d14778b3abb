import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { LiveRun } from './live-run.js';

/** Runs kept in memory at most; the least recently used one nobody watches is dropped first. */
const MAX_RUNS = 256;
/** Writes closer together than this are handled as one change. */
const DEBOUNCE_MS = 40;

type Listener = () => void;

interface Watched {
  watcher: FSWatcher;
  listeners: Set<Listener>;
  timer: NodeJS.Timeout | undefined;
}

/**
 * The runs the dashboard has opened, each followed with fs.watch on its directory (the journal
 * grows, the lock comes and goes) while a page listens, and brought up to date on every request.
 * Watchers are closed when their last listener leaves.
 */
export class RunStore {
  private readonly runs = new Map<string, LiveRun>();
  private readonly watched = new Map<string, Watched>();

  /** The run in `dir`, refreshed; undefined when `dir` is not a run directory. */
  get(dir: string): LiveRun | undefined {
    const key = path.resolve(dir);
    let run = this.runs.get(key);
    if (run) {
      this.runs.delete(key); // re-inserted below: Map order is the recency order
      run.refresh();
    } else {
      if (!LiveRun.isRunDir(key)) return undefined;
      run = LiveRun.open(key);
      if (!run) return undefined;
    }
    this.runs.set(key, run);
    this.evict();
    return run;
  }

  /**
   * Calls `listener` after the run in `dir` changed (debounced; the run is already refreshed when
   * it is called). Returns the function that stops listening.
   */
  subscribe(dir: string, listener: Listener): () => void {
    const key = path.resolve(dir);
    let w = this.watched.get(key);
    if (!w) {
      const entry: Watched = { watcher: watch(key, { persistent: false }), listeners: new Set(), timer: undefined };
      entry.watcher.on('change', () => {
        if (entry.timer) return;
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          const run = this.runs.get(key);
          if (run?.refresh()) for (const l of [...entry.listeners]) l();
        }, DEBOUNCE_MS);
      });
      entry.watcher.on('error', () => this.unwatch(key));
      this.watched.set(key, (w = entry));
    }
    w.listeners.add(listener);
    return () => {
      const current = this.watched.get(key);
      if (!current) return;
      current.listeners.delete(listener);
      if (current.listeners.size === 0) this.unwatch(key);
    };
  }

  /** Watchers open now (the tests check that pages that close leave none behind). */
  get watchers(): number {
    return this.watched.size;
  }

  close(): void {
    for (const key of [...this.watched.keys()]) this.unwatch(key);
    this.runs.clear();
  }

  private unwatch(key: string): void {
    const w = this.watched.get(key);
    if (!w) return;
    clearTimeout(w.timer);
    w.watcher.close();
    this.watched.delete(key);
  }

  private evict(): void {
    for (const key of this.runs.keys()) {
      if (this.runs.size <= MAX_RUNS) return;
      if (!this.watched.has(key)) this.runs.delete(key);
    }
  }
}
