import { formatValue } from '../compare/table.js';
import { baselineName } from '../space/baselines.js';
import { esc } from './escape.js';
import type { GalleryImage } from './gallery.js';
import type { Importance } from './importance.js';
import { facts, figure, htmlPage, section, table } from './page.js';
import { payloadScores } from './payloads.js';
import type { RunData } from './run-data.js';
import { bestRecipeFigure, IMPORTANCE_NOTE, importanceFigure, parallelFigure, payloadFigure, progressFigure, recipeStringsHtml, sliceFigure } from './run-figures.js';
import { trialColumns, trialRow } from './trial-table.js';

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
  /** Small thumbnails of the trials that saved images (see collectTrialThumbnails). */
  thumbnails: ReadonlyMap<number, readonly GalleryImage[]>;
  importance: Importance | undefined;
}

/** The report of one run: what it was, how it went, what it found, and why. */
export function buildRunReport({ run, gallery, thumbnails, importance }: RunReportInputs): BuiltReport {
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

  const progress = progressFigure(run);
  figures.push({ name: 'progress', svg: progress });
  sections.push(section('progress', 'Progress', figure('progress', progress)));

  const best = bestRecipeFigure(run);
  if (best) {
    figures.push({ name: 'best-recipe', svg: best.svg });
    sections.push(section('best', 'Best recipe', [figure('best-recipe', best.svg), recipeStringsHtml(best.recipe)].join('\n')));
  }
  const baselines = baselineSection(run, thumbnails);
  if (baselines) sections.push(baselines);

  const payloads = run.best ? payloadScores(run.best.details) : [];
  if (payloads.length > 0) {
    const chart = payloadFigure(run.best!.id, payloads);
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
    const chart = importanceFigure(importance);
    figures.push({ name: 'importance', svg: chart });
    sections.push(section('importance', 'Parameter importance', [figure('importance', chart), IMPORTANCE_NOTE(importance.trials)].join('\n')));
  }

  if (ok.length > 0) {
    const parallel = parallelFigure(run);
    const slices = sliceFigure(run);
    figures.push({ name: 'parallel-coordinates', svg: parallel }, { name: 'slices', svg: slices });
    sections.push(section('weights', 'Weights against value', [figure('parallel-coordinates', parallel), figure('slices', slices)].join('\n')));
  }

  if (run.trials.length > 0) sections.push(trialSection(run, thumbnails));
  const failures = run.trials.filter((t) => t.status === 'failed').slice(0, 10);
  if (failures.length > 0) sections.push(section('failures', 'Failed trials', table(['trial', 'error'], failures.map((t) => [String(t.id), t.error ?? '']), new Set([0]))));

  const title = config.name ?? `run ${info.hash.slice(0, 12)}`;
  return { html: htmlPage(title, `autombw run ${info.hash.slice(0, 12)} · ${config.optimizer.kind} · ${config.objective.kind}`, sections), figures };
}

function describeObjective(objective: { kind: string } & Record<string, unknown>): string {
  if (objective.kind === 'function') return `function ${String(objective.function)}${objective.noise ? `, noise ${String(objective.noise)}` : ''}`;
  return objective.kind;
}

/**
 * Every trial with its block weights, value, duration, server and origin, and thumbnails of its
 * images where the run saved them.
 */
function trialSection(run: RunData, thumbnails: ReadonlyMap<number, readonly GalleryImage[]>): string {
  const columns = trialColumns(run);
  const rows = run.trials.map((t) => {
    const row = trialRow(run, columns, t);
    const images = (thumbnails.get(t.id) ?? []).map((g) => `<img src="${g.thumbnail}" alt="${esc(g.payload ?? g.file)}" title="${esc(g.payload ?? g.file)}">`).join('');
    const cells = [String(row.id), row.status, formatValue(row.value), row.duration.toFixed(2), row.endpoint ?? '', row.origin, ...row.weights.map((w) => (Number.isNaN(w) ? '' : formatWeight(w)))].map((c, i) => `<td${i === 0 || i === 2 || i === 3 || i >= 6 ? ' class="num"' : ''}>${esc(c)}</td>`);
    return `<tr${run.best?.id === t.id ? ' class="best"' : ''}>${cells.join('')}<td class="thumbs">${images}</td></tr>`;
  });
  const header = ['trial', 'status', 'value', 'seconds', 'endpoint', 'origin', ...columns, 'images'].map((h, i) => `<th${i === 0 || i === 2 || i === 3 || (i >= 6 && i < 6 + columns.length) ? ' class="num"' : ''}>${esc(h)}</th>`);
  const shown = [...thumbnails.values()].length;
  return section('trials', 'Trials', [
    `<div class="wide"><table class="trials"><thead><tr>${header.join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`,
    `<p class="note">Every finished trial in the order it finished; the best is highlighted. Weights per block (0 keeps model A, 1 takes model B for weighted sums).${shown > 0 ? ` Thumbnails: the first image of each payload, for the ${shown} best trials that saved images.` : ''}</p>`,
  ].join('\n'));
}

/**
 * The best recipe beside the baselines the run evaluated (A alone, B alone, uniform 0.5): value,
 * score and images per payload, so the gain of the search shows at a glance.
 */
function baselineSection(run: RunData, thumbnails: ReadonlyMap<number, readonly GalleryImage[]>): string | undefined {
  const frozen = run.config.space.freeze ?? {};
  const baselines = run.trials.filter((t) => run.proposals.get(t.id)?.origin === 'baseline');
  if (!run.best || baselines.length === 0) return undefined;
  const columns = [{ name: `best (trial ${run.best.id})`, trial: run.best }, ...baselines.map((t) => ({ name: `${baselineName(t.weights, frozen) ?? 'baseline'} (trial ${t.id})`, trial: t }))];
  const payloads = columns.map((c) => payloadScores(c.trial.details));
  const names = [...new Set(payloads.flat().map((p) => p.name))];
  const cell = (k: number, name: string) => {
    const p = payloads[k].find((q) => q.name === name);
    const images = (thumbnails.get(columns[k].trial.id) ?? []).filter((g) => g.payload === name).map((g) => `<img src="${g.thumbnail}" alt="${esc(name)}">`).join('');
    return `<td>${images}<div>${p ? `score ${esc(formatValue(p.score))}` : '—'}</div></td>`;
  };
  const head = `<tr><th></th>${columns.map((c) => `<th>${esc(c.name)}</th>`).join('')}</tr>`;
  const values = `<tr><th>value</th>${columns.map((c) => `<td class="num">${c.trial.status === 'ok' ? esc(formatValue(c.trial.value)) : `failed: ${esc(c.trial.error ?? '')}`}</td>`).join('')}</tr>`;
  const rows = names.map((name) => `<tr><th>${esc(name)}</th>${columns.map((_, k) => cell(k, name)).join('')}</tr>`);
  return section('baselines', 'Best recipe against the baselines', [
    `<table class="side-by-side"><thead>${head}</thead><tbody>${values}\n${rows.join('\n')}</tbody></table>`,
    '<p class="note">Baselines are evaluated like any trial (optimizer.baselines): A alone sets every searched block to 0, B alone to 1, uniform 0.5 to 0.5. Images appear where the run saved them (runtime.save_images).</p>',
  ].join('\n'));
}

function formatWeight(v: number): string {
  return Number(v.toFixed(3)).toString();
}
