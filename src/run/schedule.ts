import type { JournalEvent } from './journal.js';

/**
 * When the run loop asks the optimizer for trials, how many, and in which order it tells it the
 * results. Proposals depend on both (a batch of 2 is not the same draw as two asks of 1, and a
 * model told a result proposes differently), so a run is reproducible exactly when its schedule is.
 */
export interface Schedule {
  /** Trials to ask now (0: none), with `outstanding` trials asked and not yet told and `issued` asked in all. */
  askSize(outstanding: number, issued: number): number;
  /**
   * The trial to tell next among `finished` (evaluated, not yet told; in the order they finished),
   * or undefined to wait for more. `idle`: nothing is being evaluated, so none will finish.
   */
  nextTell(finished: readonly number[], idle: boolean): number | undefined;
  asked(count: number): void;
  told(id: number): void;
}

/** Keeps `concurrency` trials asked and untold, and tells results as they finish. */
export function liveSchedule(concurrency: number, budget: number): Schedule {
  return {
    askSize: (outstanding, issued) => Math.max(0, Math.min(concurrency - outstanding, budget - issued)),
    nextTell: (finished) => finished[0],
    asked() {},
    told() {},
  };
}

type Step = { ask: number } | { tell: number };

/**
 * Asks and tells in the order a journal recorded them, so a re-run proposes the recorded points
 * whatever its concurrency and whatever order its evaluations finish in. Past the recorded steps
 * (or where the re-run cannot follow them: a trial it never evaluated), `then` decides.
 */
export function recordedSchedule(events: readonly JournalEvent[], then: Schedule): Schedule {
  const steps: Step[] = [];
  for (const e of events) {
    if (e.type === 'ask') steps.push({ ask: e.trials.length });
    else if (e.type === 'trial') steps.push({ tell: e.id });
  }
  let cursor = 0;
  const step = () => steps[cursor] as Step | undefined;
  return {
    askSize(outstanding, issued) {
      const s = step();
      if (s === undefined) return then.askSize(outstanding, issued);
      return 'ask' in s ? s.ask : 0;
    },
    nextTell(finished, idle) {
      const s = step();
      if (s !== undefined && 'tell' in s && finished.includes(s.tell)) return s.tell;
      if (s !== undefined && !idle) return undefined;
      cursor = steps.length; // the recording cannot be followed further
      return then.nextTell(finished, idle);
    },
    asked(count) {
      const s = step();
      if (s !== undefined && 'ask' in s && s.ask === count) cursor++;
      else then.asked(count);
    },
    told(id) {
      const s = step();
      if (s !== undefined && 'tell' in s && s.tell === id) cursor++;
      else then.told(id);
    },
  };
}
