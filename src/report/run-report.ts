import { getPreset } from '../space/presets.js';
import { bestSoFar, historyFromJournal } from '../compare/curves.js';
import { formatValue } from '../compare/table.js';
import { bestRecipe, recipeStrings } from '../export/recipe.js';
import { esc } from './escape.js';
import { barChart } from './figures/bar-chart.js';
import { seriesColor } from './figures/palette.js';
import { unetDiagram } from './figures/unet.js';
import { xyChart } from './figures/xy-chart.js';
import type { GalleryImage } from './gallery.js';
import type { Importance } from './importance.js';
import { facts, figure, htmlPage, section, table } from './page.js';
import { payloadScores } from './payloads.js';
import type { RunData } from './run-data.js';

export interface ReportFigure {
  /** File stem under figures/. */
  name: string;
  svg: string;
}

export interface BuiltReport {
  html: string;
  figures: ReportFigure[];
}

export interface RunReportInputs {
  run: RunData;
  gallery: readonly GalleryImage[];
  importance: Importance | undefined;
}

/** The report of one run: what it was, how it went, what it found, and why. */
export function buildRunReport({ run, gallery, importance }: RunReportInputs): BuiltReport {
  const { config, info } = run;
  const figures: ReportFigure[] = [];
  const sections: string[] = [];
  const ok = run.trials.filter((t) => t.status === 'ok');

  sections.push(
    section('summary', 'Run', [
      config.description ? `<p>${esc(config.description)}</p>` : '',
      facts([
        ['run hash', info.hash],
        ['status', run.status],
        ['trials', `${run.trials.length} of ${config.stop.budget} (${run.trials.length - ok.length} failed)`],
        ['best value', run.best ? `${formatValue(run.best.value)} (trial ${run.best.id})` : '—'],
        ['optimizer', config.optimizer.kind],
        ['objective', describeObjective(config.objective)],
        ['space', `${config.space.preset}, bounds [${config.space.bounds.join(', ')}]${config.space.step !== undefined ? `, step ${config.space.step}` : ''}`],
        ['seed', String(config.seed)],
        ['experiment file', info.experiment],
      ]),
    ].join('\n')),
  );

  const history = historyFromJournal(run.events);
  const curve = bestSoFar(history);
  const progress = xyChart({
    title: 'Values per evaluation',
    xLabel: 'evaluation',
    yLabel: 'value (higher is better)',
    xDomain: [1, Math.max(1, run.trials.length)],
    series: [
      { name: 'trial value', color: seriesColor(0), dots: history.values.flatMap((v, k) => (v === undefined ? [] : [[k + 1, v] as const])), failures: history.values.flatMap((v, k) => (v === undefined ? [k + 1] : [])) },
      { name: 'best so far', color: seriesColor(1), line: { points: curve.flatMap((v, k) => (v === undefined ? [] : [[k + 1, v] as const])), step: true } },
    ],
  });
  figures.push({ name: 'progress', svg: progress });
  sections.push(section('progress', 'Progress', figure('progress', progress)));

  const recipe = bestRecipe(run);
  const preset = getPreset(config.space.preset);
  if (recipe && preset) {
    const unet = unetDiagram({
      title: `Best recipe (trial ${recipe.trial}, value ${formatValue(recipe.value)})`,
      preset,
      weights: recipe.weights,
      frozen: new Set(Object.keys(config.space.freeze ?? {})),
      range: weightRange(config.space),
    });
    figures.push({ name: 'best-recipe', svg: unet });
    const strings = recipeStrings(recipe).map((s) =>
      'error' in s ? `<p class="note">${esc(s.format)}: ${esc(s.error)}</p>` : `<p>${esc(s.format)}${s.warnings.length ? ` <span class="note">(${esc(s.warnings.join('; '))})</span>` : ''}</p><pre>${esc(s.text)}</pre>`,
    );
    sections.push(section('best', 'Best recipe', [figure('best-recipe', unet), ...strings, `<p>named JSON</p><pre>${esc(JSON.stringify({ preset: recipe.preset, weights: recipe.weights }))}</pre>`].join('\n')));
  }

  const payloads = run.best ? payloadScores(run.best.details) : [];
  if (payloads.length > 0) {
    const chart = barChart({
      title: `Scores of the best recipe per payload (trial ${run.best!.id})`,
      xLabel: 'payload score',
      labels: payloads.map((p) => p.name),
      series: [{ name: 'score', color: seriesColor(4), values: payloads.map((p) => p.score) }],
      notes: payloads.map((p) => formatValue(p.score)),
    });
    figures.push({ name: 'payloads', svg: chart });
    sections.push(
      section('payloads', 'Payloads', [
        figure('payloads', chart),
        table(['payload', 'weight', 'score', 'images', 'image scores'], payloads.map((p) => [p.name, formatValue(p.weight), formatValue(p.score), String(p.images.length), p.images.map((i) => formatValue(i.score)).join(', ')]), new Set([1, 2, 3])),
      ].join('\n')),
    );
  }

  if (gallery.length > 0) {
    const items = gallery.map((g) => {
      const name = g.payload ?? g.file.split('/').pop()!.replace(/\.png$/i, '');
      const caption = [g.trial !== undefined ? `trial ${g.trial}` : '', name, g.score !== undefined ? `score ${formatValue(g.score)}` : ''].filter(Boolean).join(' · ');
      return `<figure><img src="${g.thumbnail}" alt="${esc(g.file)}"><figcaption>${esc(caption)}</figcaption></figure>`;
    });
    sections.push(section('images', 'Images', `<div class="gallery">\n${items.join('\n')}\n</div>`));
  }

  if (importance) {
    const order = importance.names.map((_, i) => i).sort((a, b) => importance.permutation[b] + importance.ard[b] - (importance.permutation[a] + importance.ard[a]));
    const chart = barChart({
      title: 'Parameter importance',
      xLabel: 'share of importance',
      labels: order.map((i) => importance.names[i]),
      series: [
        { name: 'GP: 1 / ARD lengthscale', color: seriesColor(0), values: order.map((i) => importance.ard[i]) },
        { name: 'permutation of the GP mean', color: seriesColor(1), values: order.map((i) => importance.permutation[i]) },
      ],
      notes: order.map((i) => `ℓ = ${formatValue(importance.lengthscales[i])}`),
    });
    figures.push({ name: 'importance', svg: chart });
    sections.push(
      section('importance', 'Parameter importance', [
        figure('importance', chart),
        `<p class="note">A Gaussian process (Matérn 5/2, one lengthscale per variable) fitted to the ${importance.trials} successful trials. A short lengthscale ℓ means the value changes quickly along that variable. The permutation check shuffles one variable across the trials and measures how much the GP's prediction moves; both are shown as shares of their total. Variables the two measures disagree on deserve a closer look before freezing them.</p>`,
      ].join('\n')),
    );
  }

  const top = [...ok].sort((a, b) => b.value! - a.value!).slice(0, 10);
  if (top.length > 0) {
    sections.push(
      section('trials', 'Best trials', table(
        ['trial', 'value', 'origin', 'seconds'],
        top.map((t) => [String(t.id), formatValue(t.value), run.proposals.get(t.id)?.origin ?? '', t.duration.toFixed(2)]),
        new Set([0, 1, 3]),
      )),
    );
  }
  const failures = run.trials.filter((t) => t.status === 'failed').slice(0, 10);
  if (failures.length > 0) sections.push(section('failures', 'Failed trials', table(['trial', 'error'], failures.map((t) => [String(t.id), t.error ?? '']), new Set([0]))));

  const title = config.name ?? `run ${info.hash.slice(0, 12)}`;
  return { html: htmlPage(title, `autombw run ${info.hash.slice(0, 12)} · ${config.optimizer.kind} · ${config.objective.kind}`, sections), figures };
}

function describeObjective(objective: { kind: string } & Record<string, unknown>): string {
  if (objective.kind === 'function') return `function ${String(objective.function)}${objective.noise ? `, noise ${String(objective.noise)}` : ''}`;
  return objective.kind;
}

/** The weight interval the recipe colours span: the space's bounds widened to every range and frozen value. */
function weightRange(space: RunData['config']['space']): [number, number] {
  let [lo, hi] = space.bounds;
  for (const r of Object.values(space.ranges ?? {})) {
    const [a, b] = Array.isArray(r) ? r : [r.min, r.max];
    lo = Math.min(lo, a);
    hi = Math.max(hi, b);
  }
  for (const v of Object.values(space.freeze ?? {})) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  return [lo, hi];
}
