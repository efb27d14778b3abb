import type { TrialEvent } from './journal.js';

/** Running summary of finished trials: what stop conditions and progress displays need. */
export class RunStats {
  finished = 0;
  failed = 0;
  best: TrialEvent | undefined;
  /** Finished trials since the best value last improved by more than minDelta. */
  sinceImprovement = 0;
  private lastImprovementValue = -Infinity;

  constructor(private readonly minDelta: number) {}

  record(event: TrialEvent): boolean {
    this.finished++;
    if (event.status !== 'ok' || event.value === undefined) {
      this.failed++;
      this.sinceImprovement++;
      return false;
    }
    const isBest = !this.best || event.value > this.best.value!;
    if (isBest) this.best = event;
    if (event.value > this.lastImprovementValue + this.minDelta) {
      this.lastImprovementValue = event.value;
      this.sinceImprovement = 0;
    } else {
      this.sinceImprovement++;
    }
    return isBest;
  }
}
