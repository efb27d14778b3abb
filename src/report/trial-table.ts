import { getPreset } from '../space/presets.js';
import { isPlainObject } from '../util/json.js';
import type { TrialEvent } from '../run/journal.js';
import { payloadScores } from './payloads.js';
import type { RunData } from './run-data.js';

/** One finished trial as the trial tables (report and dashboard) list it. */
export interface TrialRow {
  id: number;
  status: 'ok' | 'failed';
  value?: number;
  /** Seconds the evaluation took. */
  duration: number;
  /** The server that rendered it, for the merge objective. */
  endpoint?: string;
  /** initial, warm-start, baseline or optimizer. */
  origin: string;
  error?: string;
  /** In the order of `trialColumns`. */
  weights: number[];
  /** When it finished (ISO time). */
  time: string;
  /** When it started (ISO time). */
  started: string;
  /** Images its payloads produced (per-payload details). */
  images: number;
}

/** The weight columns: every block of the preset, in preset order. */
export function trialColumns(run: Pick<RunData, 'config'>): string[] {
  return [...(getPreset(run.config.space.preset)?.blocks ?? [])];
}

export function trialRow(run: Pick<RunData, 'proposals'>, columns: readonly string[], t: TrialEvent): TrialRow {
  const endpoint = isPlainObject(t.details) && typeof t.details.endpoint === 'string' ? t.details.endpoint : undefined;
  return {
    id: t.id,
    status: t.status,
    ...(t.value !== undefined ? { value: t.value } : {}),
    duration: t.duration,
    ...(endpoint !== undefined ? { endpoint } : {}),
    origin: run.proposals.get(t.id)?.origin ?? '',
    ...(t.error !== undefined ? { error: t.error } : {}),
    weights: columns.map((b) => t.weights[b] ?? Number.NaN),
    time: t.time,
    started: t.started,
    images: payloadScores(t.details).reduce((n, p) => n + p.images.length, 0),
  };
}
