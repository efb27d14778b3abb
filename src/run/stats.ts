import type { Trial } from '../optimizers/types.js';
import type { AskTime } from './eta.js';
import type { TrialEvent } from './journal.js';

/** Running summary of trials asked and finished: what stop conditions and progress displays need. */
export class RunStats {
  /** Trials asked so far: the next trial's id. */
  issued = 0;
  /** This session's asks and the optimizer's time for each (replayed asks take none). */
  readonly asks: AskTime[] = [];
  finished = 0;
  failed = 0;
  best: TrialEvent | undefined;
  /** Finished trials since the best value last improved by more than minDelta. */
  sinceImprovement = 0;
  private lastImprovementValue = -Infinity;

  constructor(private readonly minDelta: number) {}

  recordAsk(trials: readonly Trial[], seconds: number): void {
    this.asks.push({ firstTrial: trials[0].id, count: trials.length, seconds });
    this.issued = trials.at(-1)!.id + 1;
  }

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
