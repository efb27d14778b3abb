import type { HashedExperiment } from '../config/load.js';
import { pointKey } from '../optimizers/base.js';
import type { Trial } from '../optimizers/types.js';
import { buildOptimizer } from '../run/runner.js';
import type { JournalEvent } from '../run/journal.js';

export interface ProposalCheck {
  ok: boolean;
  /** Proposals compared. */
  checked: number;
  detail: string;
}

/**
 * Does the optimizer, built afresh from the config, propose exactly the journaled points when it
 * is told the journaled values? Every ask is recomputed (never adopted from the journal, as a
 * resume of a model-based optimizer would), so this checks the optimizer itself, independently
 * of whether the objective gives the same values again.
 */
export function checkProposals(events: readonly JournalEvent[], experiment: HashedExperiment): ProposalCheck {
  const optimizer = buildOptimizer(experiment);
  let checked = 0;
  try {
    for (const e of events) {
      if (e.type === 'ask') {
        const asked = optimizer.ask(e.trials.length);
        for (let i = 0; i < e.trials.length; i++) {
          const difference = differs(e.trials[i], asked[i]);
          if (difference) return { ok: false, checked, detail: difference };
          checked++;
        }
      } else if (e.type === 'trial') {
        optimizer.tell(e.id, e.status === 'ok' ? { status: 'ok', value: e.value! } : { status: 'failed', error: e.error ?? 'failed' });
      }
    }
  } catch (err) {
    return { ok: false, checked, detail: `the optimizer failed after ${checked} proposals: ${(err as Error).message}` };
  }
  return { ok: true, checked, detail: `the optimizer proposes the same ${checked} points from the recorded values` };
}

function differs(journaled: Trial, now: Trial): string | undefined {
  if (journaled.id !== now.id) return `the optimizer numbers trial ${now.id} where the journal has ${journaled.id}`;
  if (journaled.origin !== now.origin) return `trial ${journaled.id}: journaled as ${journaled.origin}, now proposed as ${now.origin}`;
  if (pointKey(journaled.x) !== pointKey(now.x)) {
    const at = journaled.x.findIndex((v, i) => v !== now.x[i]);
    return `trial ${journaled.id}: coordinate ${at} was ${journaled.x[at]}, the optimizer now proposes ${now.x[at]}`;
  }
  return undefined;
}
