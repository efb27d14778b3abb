import type { TrialRow } from '../report/trial-table.js';

export interface EndpointActivity {
  endpoint: string;
  /** busy: finished a trial lately while the run runs; failed: its last trial failed; idle otherwise. */
  state: 'busy' | 'idle' | 'failed';
  trials: number;
  failed: number;
  images: number;
  /** Images per minute over the last `WINDOW_MS` of its activity. */
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
export function endpointActivity(rows: readonly TrialRow[], running: boolean, now: number): EndpointActivity[] {
  const by = new Map<string, TrialRow[]>();
  for (const r of rows) {
    if (r.endpoint === undefined) continue;
    const list = by.get(r.endpoint);
    if (list) list.push(r);
    else by.set(r.endpoint, [r]);
  }
  return [...by].map(([endpoint, list]) => {
    const last = list[list.length - 1];
    const lastEnd = Date.parse(last.time);
    const durations = list.map((r) => r.duration).sort((a, b) => a - b);
    const typical = durations[Math.floor(durations.length / 2)] * 1000;
    const recent: TrialRow[] = [];
    for (let i = list.length - 1; i >= 0 && Date.parse(list[i].time) > lastEnd - WINDOW_MS; i--) recent.push(list[i]);
    const firstStart = Math.min(...recent.map((r) => Date.parse(r.started)));
    const span = Math.max(60_000, Math.min(WINDOW_MS, lastEnd - firstStart));
    const state = last.status === 'failed' ? 'failed' : running && now - lastEnd <= BUSY_DURATIONS * Math.max(typical, 1000) ? 'busy' : 'idle';
    return {
      endpoint,
      state,
      trials: list.length,
      failed: list.filter((r) => r.status === 'failed').length,
      images: list.reduce((n, r) => n + r.images, 0),
      imagesPerMinute: (recent.reduce((n, r) => n + r.images, 0) * 60_000) / span,
      last: last.time,
    };
  });
}
