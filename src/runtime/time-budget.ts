/**
 * A time limit that only runs while started: the merge objective's per-recipe timeout counts the
 * time a recipe holds a server (and its retry backoff), not the time it waits for a free one.
 * `signal` aborts once the running time reaches the limit.
 */
export class TimeBudget {
  private readonly controller = new AbortController();
  private remainingMs: number;
  private startedAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly limitMs: number) {
    this.remainingMs = limitMs;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  start(): void {
    if (this.startedAt !== undefined || this.controller.signal.aborted) return;
    this.startedAt = performance.now();
    this.timer = setTimeout(() => this.controller.abort(new Error(`time limit of ${this.limitMs / 1000}s reached`)), Math.max(0, this.remainingMs));
  }

  pause(): void {
    if (this.startedAt === undefined) return;
    clearTimeout(this.timer);
    this.remainingMs -= performance.now() - this.startedAt;
    this.startedAt = undefined;
  }
}
