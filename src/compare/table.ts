import { smallestExactP } from './rank-test.js';
import type { ComparisonStatistics, Spread } from './statistics.js';

const ALPHA = 0.05;

/** Numbers in tables: 4 significant digits, no exponent for ordinary magnitudes. */
export function formatValue(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return '—';
  return Number(v.toPrecision(4)).toString();
}

export function formatSpread(s: Spread | undefined): string {
  return s ? `${formatValue(s.median)} [${formatValue(s.q1)}, ${formatValue(s.q3)}]` : '—';
}

export function formatP(p: number): string {
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}

/** Header and rows of the per-optimizer table (the CLI prints it aligned; the report as HTML). */
export function statisticsTable(stats: ComparisonStatistics): { header: string[]; rows: string[][] } {
  const header = [
    'optimizer',
    'runs',
    `best @${stats.budget}  median [IQR]`,
    ...stats.checkpoints.map((c) => `@${c}`),
    'mean rank',
    'AUC',
    ...(stats.threshold !== undefined ? [`evals to ≥ ${formatValue(stats.threshold)}`] : []),
  ];
  const rows = stats.variants.map((v) => [
    v.name,
    v.failedRuns > 0 ? `${v.runs} (${v.failedRuns} without success)` : String(v.runs),
    formatSpread(v.atBudget),
    ...v.atCheckpoints.map(formatSpread),
    Number.isNaN(v.meanRank) ? '—' : v.meanRank.toFixed(2),
    formatValue(v.auc),
    ...(v.toThreshold ? [`${v.toThreshold.median === undefined ? 'not reached' : formatValue(v.toThreshold.median)} (${v.toThreshold.reached}/${v.runs})`] : []),
  ]);
  return { header, rows };
}

/** One line per pair: which optimizer tends to end higher, and whether the difference is significant. */
export function pairwiseLines(stats: ComparisonStatistics): string[] {
  return stats.pairwise.map((t) => {
    const [better, worse, share] = t.effect >= 0.5 ? [t.a, t.b, t.effect] : [t.b, t.a, 1 - t.effect];
    return `${better} beats ${worse} in ${Math.round(share * 100)}% of run pairs (ties half); p = ${formatP(t.p)} (Holm ${formatP(t.pHolm)}, ${t.method})`;
  });
}

/**
 * Says so when no pair can reach p < 0.05 after Holm's adjustment however the runs come out.
 * Holm multiplies the smallest p-value by the number of pairs, and the smallest p the exact test
 * gives is fixed by the sample sizes, so with few seeds and many optimizers a table of
 * "not significant" results would say nothing about the optimizers.
 */
export function significanceNote(stats: ComparisonStatistics): string | undefined {
  const pairs = stats.pairwise.length;
  if (pairs === 0) return undefined;
  const tightest = stats.pairwise.reduce((best, t) => (smallestExactP(t.n1, t.n2) < smallestExactP(best.n1, best.n2) ? t : best));
  const smallest = smallestExactP(tightest.n1, tightest.n2);
  if (pairs * smallest < ALPHA) return undefined;
  let enough = Math.max(tightest.n1, tightest.n2);
  while (pairs * smallestExactP(enough, enough) >= ALPHA) enough++;
  const seeds = tightest.n1 === tightest.n2 ? `${tightest.n1}` : `${tightest.n1} and ${tightest.n2}`;
  const adjusted = pairs > 1 ? `, and Holm's adjustment over ${pairs} pairs raises it to ${formatValue(Math.min(1, pairs * smallest))}` : '';
  return `Too few seeds for any pair to reach p < ${ALPHA}: with ${seeds} seeds per optimizer the smallest p of the exact rank test is ${formatValue(smallest)}${adjusted}; ${enough} seeds per optimizer would allow it.`;
}

export function alignColumns(rows: readonly string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => [...r[i]].length)));
  return rows.map((r) => r.map((c, i) => c + ' '.repeat(widths[i] - [...c].length)).join('  ').trimEnd());
}
