import type { TrialEvent } from '../run/journal.js';
import type { ProgressReporter } from '../run/progress.js';
import type { RunStats } from '../run/stats.js';

/** A progress display that also tells `onTrial` about every finished trial (after the display has shown it). */
export function observeTrials(progress: ProgressReporter, onTrial: (event: TrialEvent, stats: RunStats) => void): ProgressReporter {
  return {
    start: (state) => progress.start(state),
    trial(event, stats) {
      progress.trial(event, stats);
      onTrial(event, stats);
    },
    message: (text) => progress.message(text),
    stop: () => progress.stop(),
  };
}
