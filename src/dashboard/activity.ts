import { payloadScores } from '../report/payloads.js';
import type { TrialEvent } from '../run/journal.js';
import { isPlainObject } from '../util/json.js';

export interface EndpointActivity {
  endpoint: string;
  /** busy: finished a trial lately while the run runs; failed: its last trial failed; idle otherwise. */
  state: 'busy' | 'idle' | 'failed';
  trials: number;
  failed: number;
  images: number;
  /** Images per minute over the last `WINDOW_MS` of the run's activity. */
  imagesPerMinute: number;
  last: string;
}

/** Images per minute are counted over this window, so the rate follows the run as it goes. */
const WINDOW_MS = 10 * 60_000;
/** A server counts as busy while its last trial ended within this many of its typical durations. */
const BUSY_DURATIONS = 3;

/**
 * What each rendering server did, from the journal alone (the merge objective records the server
 * of each trial in its details). Trials without a server (other objectives, trials that failed
 * before reaching one) are not counted.
 */
export function endpointActivity(trials: readonly TrialEvent[], running: boolean, now: number): EndpointActivity[] {
  const by = new Map<string, TrialEvent[]>();
  for (const t of trials) {
    const endpoint = isPlainObject(t.details) && typeof t.details.endpoint === 'string' ? t.details.endpoint : undefined;
    if (endpoint === undefined) continue;
    const list = by.get(endpoint);
    if (list) list.push(t);
    else by.set(endpoint, [t]);
  }
  return [...by].map(([endpoint, list]) => {
    const last = list[list.length - 1];
    const lastEnd = Date.parse(last.time);
    const durations = list.map((t) => t.duration).sort((a, b) => a - b);
    const typical = durations[Math.floor(durations.length / 2)] * 1000;
    const images = (t: TrialEvent) => payloadScores(t.details).reduce((n, p) => n + p.images.length, 0);
    const recent = list.filter((t) => Date.parse(t.time) > lastEnd - WINDOW_MS);
    const span = Math.max(60_000, Math.min(WINDOW_MS, lastEnd - Math.min(...recent.map((t) => Date.parse(t.started)))));
    const state = last.status === 'failed' ? 'failed' : running && now - lastEnd <= BUSY_DURATIONS * Math.max(typical, 1000) ? 'busy' : 'idle';
    return {
      endpoint,
      state,
      trials: list.length,
      failed: list.filter((t) => t.status === 'failed').length,
      images: list.reduce((n, t) => n + images(t), 0),
      imagesPerMinute: (recent.reduce((n, t) => n + images(t), 0) * 60_000) / span,
      last: last.time,
    };
  });
}
