import path from 'node:path';
import { readJournal, type JournalEvent, type TrialEvent } from '../run/journal.js';
import { readRunRecipe, type RunRecipe } from '../merge/run-recipe.js';

export type { JournalEvent, TrialEvent, RunRecipe };

/** A run directory's journal: every session, ask and trial in order, and its finished trials. */
export function readRun(runDir: string): { events: JournalEvent[]; trials: TrialEvent[] } {
  const { events } = readJournal(path.join(runDir, 'journal.jsonl'));
  return { events, trials: events.filter((e): e is TrialEvent => e.type === 'trial') };
}

/** The best recipe of a run with what it merges (models, method, options), as `autombw merge RUN_DIR` uses it. */
export function readBestRecipe(runDir: string): RunRecipe {
  return readRunRecipe(runDir);
}
