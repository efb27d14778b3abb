import type { ComparisonData } from '../compare/manifest.js';
import type { ComparisonStatistics, CurveBand } from '../compare/statistics.js';
import { formatP, formatValue, significanceNote, statisticsTable } from '../compare/table.js';
import { EXACT_MAX_TOTAL } from '../compare/rank-test.js';
import { esc } from './escape.js';
import { seriesColor } from './figures/palette.js';
import { xyChart } from './figures/xy-chart.js';
import { facts, figure, htmlPage, section, table } from './page.js';
import type { BuiltReport, ReportFigure } from './run-report.js';

export interface CompareRunRow {
  variant: string;
  seed: number;
  hash: string;
  status: string;
  trials: number;
  best: number | undefined;
}

/**
 * Best value so far of every optimizer: median over seeds, band from first to third quartile.
 * The report draws it from finished seeds, the dashboard from every run live.
 */
export function convergenceFigure(curves: readonly CurveBand[], budget: number, title = 'Best value so far: median over seeds, band from first to third quartile'): string {
  return xyChart({
    title,
    xLabel: 'evaluation',
    yLabel: 'best value so far',
    xDomain: [1, budget],
    series: curves.map((c, i) => {
      const defined = c.points.flatMap((p, k) => (p ? [{ k: k + 1, p }] : []));
      return {
        name: c.name,
        color: seriesColor(i),
        band: defined.map(({ k, p }) => [k, p.q1, p.q3] as const),
        line: { points: defined.map(({ k, p }) => [k, p.median] as const) },
      };
    }),
  });
}

/** The report of a comparison: convergence bands of every optimizer, the table, the tests, the runs. */
export function buildCompareReport(data: ComparisonData, stats: ComparisonStatistics, runs: readonly CompareRunRow[]): BuiltReport {
  const { manifest } = data;
  const figures: ReportFigure[] = [];
  const sections: string[] = [];
  sections.push(
    section('summary', 'Comparison', [
      manifest.description ? `<p>${esc(manifest.description)}</p>` : '',
      facts([
        ['experiment', manifest.experiment],
        ['optimizers', manifest.variants.map((v) => (v.name === v.kind ? v.name : `${v.name} (${v.kind})`)).join(', ')],
        ['budget', `${manifest.budget} evaluations per run`],
        ['seeds', `${data.seeds.length} of ${manifest.seeds.length} finished by every optimizer (${data.finished} of ${data.planned} runs done)`],
        ...(manifest.threshold !== undefined ? [['threshold', formatValue(manifest.threshold)] as const] : []),
      ]),
    ].join('\n')),
  );

  const curves = convergenceFigure(stats.curves, manifest.budget);
  figures.push({ name: 'convergence', svg: curves });
  sections.push(section('convergence', 'Convergence', figure('convergence', curves)));

  if (data.seeds.length > 0) {
    const { header, rows } = statisticsTable(stats);
    sections.push(
      section('table', 'Results', [
        table(header, rows, new Set(header.map((_, i) => i).filter((i) => i > 0))),
        '<p class="note">Best value at the budget and at each checkpoint: median [first quartile, third quartile] over seeds. Mean rank: rank at the budget among the optimizers on the same seed (1 is best, ties share), averaged over seeds. AUC: per run, the mean of the best-so-far curve over the budget (higher means good values early; evaluations before the first success count as the lowest value seen in the comparison), then the median over seeds.</p>',
      ].join('\n')),
    );
  }
  if (stats.pairwise.length > 0) {
    const note = significanceNote(stats);
    sections.push(
      section('tests', 'Pairwise tests', [
        table(
          ['optimizer A', 'optimizer B', 'U', 'P(A beats B)', 'p', 'p (Holm)', 'method'],
          stats.pairwise.map((t) => [t.a, t.b, formatValue(t.u), formatValue(t.effect), formatP(t.p), formatP(t.pHolm), t.method]),
          new Set([2, 3, 4, 5]),
        ),
        `<p class="note">Two-sided Mann–Whitney U (Wilcoxon rank-sum) test on the best value at ${manifest.budget} evaluations, one value per seed. P(A beats B) is U divided by the number of pairs, ties counting half. Method exact: the exact distribution of U, used when no two values tie and the pair has at most ${EXACT_MAX_TOTAL} runs; otherwise normal: the normal approximation with tie correction and continuity correction. (scipy.stats.mannwhitneyu's default goes normal once both samples exceed 8; give it method="exact" to reproduce the exact rows.) Holm's adjustment accounts for testing every pair.</p>`,
        ...(note ? [`<p class="note"><strong>${esc(note)}</strong></p>`] : []),
      ].join('\n')),
    );
  }
  sections.push(
    section('runs', 'Runs', table(
      ['optimizer', 'seed', 'run', 'status', 'trials', 'best'],
      runs.map((r) => [r.variant, String(r.seed), r.hash.slice(0, 12), r.status, String(r.trials), formatValue(r.best)]),
      new Set([1, 4, 5]),
    )),
  );
  return { html: htmlPage(manifest.name, `autombw comparison · ${manifest.variants.length} optimizers × ${manifest.seeds.length} seeds`, sections), figures };
}
