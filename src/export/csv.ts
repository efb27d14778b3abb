import type { RunData } from '../report/run-data.js';
import { getPreset } from '../space/presets.js';
import { payloadScores } from '../report/payloads.js';

/**
 * Every finished trial as CSV (RFC 4180, comma-separated, CRLF line ends): id, status, value,
 * origin, timing, error, one column per block weight in preset order, and one per payload score
 * where the details have them. Text cells that a spreadsheet would run as a formula are prefixed
 * with an apostrophe.
 */
export function trialsCsv(run: RunData): string {
  const blocks = getPreset(run.config.space.preset)?.blocks ?? Object.keys(run.trials[0]?.weights ?? {});
  const payloads: string[] = [];
  for (const t of run.trials) for (const p of payloadScores(t.details)) if (!payloads.includes(p.name)) payloads.push(p.name);
  const header = ['trial', 'status', 'value', 'origin', 'started', 'duration_s', 'error', ...blocks, ...payloads.map((p) => `payload:${p}`)];
  const rows = run.trials.map((t) => {
    const scores = new Map(payloadScores(t.details).map((p) => [p.name, p.score]));
    return [
      t.id,
      t.status,
      t.value ?? '',
      run.proposals.get(t.id)?.origin ?? '',
      t.started,
      t.duration,
      t.error ?? '',
      ...blocks.map((b) => t.weights[b] ?? ''),
      ...payloads.map((p) => scores.get(p) ?? ''),
    ];
  });
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

export function csvCell(v: string | number): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}
