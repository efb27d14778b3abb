import path from 'node:path';
import { formatValue, statisticsTable } from '../compare/table.js';
import { esc } from '../report/escape.js';
import { facts, figure, table } from '../report/page.js';
import { payloadScores } from '../report/payloads.js';
import { bestRecipeFigure, IMPORTANCE_NOTE, parallelFigure, progressFigure, recipeFigure, recipeStringsHtml, sliceFigure } from '../report/run-figures.js';
import { convergenceFigure } from '../report/compare-report.js';
import type { TrialEvent } from '../run/journal.js';
import { VERSION } from '../version.js';
import { endpointActivity } from './activity.js';
import type { LiveComparison } from './comparison.js';
import type { LiveRun } from './live-run.js';
import { shownStatus } from './status.js';

/** Where a page's links point: paths relative to the served root, as query parameters. */
export interface Links {
  run(dir: string): string | undefined;
  compare(dir: string): string | undefined;
  file(runDir: string, file: string): string | undefined;
}

/** The importance figure's state: fitted, being fitted, or not possible yet. */
export type ImportanceState = { kind: 'ready'; svg: string; trials: number } | { kind: 'pending' } | { kind: 'none' };

/** A dashboard page: the shared style sheet and script, no inline code (the policy forbids it). */
export function dashboardPage(title: string, subtitle: string, body: string, data: Record<string, string> = {}): string {
  const attrs = Object.entries(data).map(([k, v]) => ` data-${k}="${esc(v)}"`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · autombw</title>
<link rel="stylesheet" href="/app.css">
<script src="/app.js" defer></script>
</head>
<body${attrs}>
<header><a href="/">autombw dashboard</a> <span class="version">${esc(VERSION)}</span> <span id="live" class="live"></span></header>
<main>
<h1>${esc(title)}</h1>
<p class="sub">${esc(subtitle)}</p>
${body}
</main>
</body>
</html>
`;
}

export function panel(id: string, title: string, html: string): string {
  return `<section><h2>${esc(title)}</h2><div id="panel-${esc(id)}">${html}</div></section>`;
}

export interface IndexEntry {
  kind: 'run' | 'comparison';
  dir: string;
  name: string;
  detail: string;
  status: string;
  trials: string;
  best: number | undefined;
  updated: Date | undefined;
}

export function indexPage(root: string, entries: readonly IndexEntry[], links: Links): string {
  const row = (e: IndexEntry) => {
    const href = e.kind === 'run' ? links.run(e.dir) : links.compare(e.dir);
    const rel = path.relative(root, e.dir) || '.';
    return `<tr><td><a href="${esc(href ?? '#')}">${esc(e.name)}</a></td><td>${esc(rel)}</td><td>${esc(e.detail)}</td><td><span class="status status-${esc(e.status)}">${esc(e.status)}</span></td><td class="num">${esc(e.trials)}</td><td class="num">${esc(formatValue(e.best))}</td><td>${esc(e.updated ? e.updated.toISOString().slice(0, 16).replace('T', ' ') : '')}</td></tr>`;
  };
  const list = (kind: IndexEntry['kind'], title: string, detail: string) => {
    const rows = entries.filter((e) => e.kind === kind);
    if (rows.length === 0) return '';
    return `<section><h2>${esc(title)}</h2><table class="list"><thead><tr><th>name</th><th>directory</th><th>${esc(detail)}</th><th>status</th><th class="num">trials</th><th class="num">best</th><th>updated (UTC)</th></tr></thead><tbody>${rows.map(row).join('\n')}</tbody></table></section>`;
  };
  const body = entries.length === 0 ? `<p>No runs or comparisons under ${esc(root)} yet. Start one with <code>autombw run experiment.yaml</code>; it appears here when its directory exists (reload).</p>` : [list('comparison', 'Comparisons', 'optimizers × seeds'), list('run', 'Runs', 'optimizer')].join('\n');
  return dashboardPage('Runs and comparisons', root, body);
}

/** The cheap parts of a run page, recomputed on every update: the facts and the servers' activity. */
export function runStatusPanels(live: LiveRun, now: number): Record<string, string> {
  const run = live.data;
  const ok = run.trials.filter((t) => t.status === 'ok').length;
  const shown = shownStatus(run.status);
  const summary = facts([
    ['status', shown === run.status ? shown : `${shown} (${run.status})`],
    ['trials', `${run.trials.length} of ${run.config.stop.budget} (${run.trials.length - ok} failed)`],
    ['best value', run.best ? `${formatValue(run.best.value)} (trial ${run.best.id})` : '—'],
    ['optimizer', run.config.optimizer.kind],
    ['objective', run.config.objective.kind],
    ['space', `${run.config.space.preset}, bounds [${run.config.space.bounds.join(', ')}]`],
    ['last trial (UTC)', run.trials.at(-1)?.time.slice(0, 19).replace('T', ' ') ?? '—'],
  ]);
  const activity = endpointActivity(live.rows, run.status === 'running', now);
  return {
    summary,
    activity:
      activity.length === 0
        ? '<p class="note">No rendering servers recorded: the merge objective names the server of each trial; other objectives have none.</p>'
        : table(
            ['server', 'state', 'trials', 'failed', 'images', 'images / min', 'last trial (UTC)'],
            activity.map((a) => [a.endpoint, a.state, String(a.trials), String(a.failed), String(a.images), a.imagesPerMinute.toFixed(1), a.last.slice(0, 19).replace('T', ' ')]),
            new Set([2, 3, 4, 5]),
          ),
  };
}

/** The figures of a run page (the report's figures), rebuilt when the run changed. */
export function runFigurePanels(live: LiveRun, importance: ImportanceState): Record<string, string> {
  const run = live.data;
  const ok = run.trials.some((t) => t.status === 'ok');
  const best = bestRecipeFigure(run);
  return {
    progress: figure('progress', progressFigure(run)),
    best: best ? `${figure('best-recipe', best.svg)}\n${recipeStringsHtml(best.recipe, true)}` : '<p class="note">No successful trial yet.</p>',
    importance:
      importance.kind === 'ready'
        ? `${figure('importance', importance.svg)}\n${IMPORTANCE_NOTE(importance.trials)}`
        : importance.kind === 'pending'
          ? '<p class="note">Fitting the Gaussian process…</p>'
          : '<p class="note">Needs at least two successful trials per searched variable (and 10) with differing values.</p>',
    weights: ok ? `${figure('parallel-coordinates', parallelFigure(run))}\n${figure('slices', sliceFigure(run))}` : '<p class="note">No successful trial yet.</p>',
  };
}

export function runPage(live: LiveRun, panels: Record<string, string>, key: string): string {
  const run = live.data;
  const body = [
    run.config.description ? `<p>${esc(run.config.description)}</p>` : '',
    panel('summary', 'Run', panels.summary),
    panel('progress', 'Convergence', panels.progress),
    panel('best', 'Best recipe', panels.best),
    panel('activity', 'Rendering servers', panels.activity),
    `<section><h2>Trials</h2>
<div class="controls"><input id="filter" type="search" placeholder="filter: value>3 IN00<0.5 origin:baseline failed" aria-label="filter trials" size="48"> <span id="count"></span></div>
<div class="wide"><table id="trials" class="trials"><thead></thead><tbody></tbody></table></div>
<p><button type="button" id="more" hidden>show all</button></p>
<div id="trial-detail" class="detail"><p class="note">Click a trial to see its images, scores and weights.</p></div>
</section>`,
    panel('importance', 'Parameter importance', panels.importance),
    panel('weights', 'Weights against value', panels.weights),
  ].join('\n');
  return dashboardPage(live.name, `run ${run.info.hash.slice(0, 12)} · ${run.config.optimizer.kind} · ${run.config.objective.kind}`, body, { kind: 'run', dir: key });
}

/** A trial's detail: its numbers, its recipe as a UNet, its payloads with images and scores. */
export function trialDetail(live: LiveRun, trial: TrialEvent, links: Links): string {
  const run = live.data;
  const row = live.rows.find((r) => r.id === trial.id)!;
  const payloads = payloadScores(trial.details);
  const images = payloads.map((p) => {
    const shots = p.images.map((img) => {
      const href = img.path !== undefined ? links.file(run.dir, img.path) : undefined;
      return `<figure>${href ? `<a href="${esc(href)}"><img src="${esc(href)}" alt="${esc(`${p.name} ${img.index}`)}"></a>` : '<div class="noimage">not saved</div>'}<figcaption>#${esc(img.index)} · ${esc(formatValue(img.score))}</figcaption></figure>`;
    });
    return `<div class="payload"><h4>${esc(p.name)} <span class="note">score ${esc(formatValue(p.score))} · weight ${esc(formatValue(p.weight))}</span></h4><div class="shots">${shots.join('')}</div></div>`;
  });
  const unet = recipeFigure(run, `Trial ${trial.id}`, trial.weights);
  const weights = `<table class="weights"><tbody>${live.columns.map((b, i) => `<tr><th>${esc(b)}</th><td class="num">${esc(Number.isNaN(row.weights[i]) ? '' : Number(row.weights[i].toFixed(4)).toString())}</td></tr>`).join('')}</tbody></table>`;
  return [
    `<h3>Trial ${esc(trial.id)}${run.best?.id === trial.id ? ' (best)' : ''}</h3>`,
    facts([
      ['status', trial.status],
      ['value', formatValue(trial.value)],
      ['origin', row.origin || '—'],
      ['server', row.endpoint ?? '—'],
      ['seconds', trial.duration.toFixed(2)],
      ['finished', trial.time],
      ...(trial.error !== undefined ? [['error', trial.error] as const] : []),
    ]),
    images.length > 0 ? images.join('\n') : '<p class="note">No per-payload scores in this trial\'s details.</p>',
    `<div class="recipe">${unet ? figure('trial-recipe', unet) : ''}${weights}</div>`,
  ].join('\n');
}

export function comparisonPanels(c: LiveComparison, links: Links): Record<string, string> {
  const { manifest } = c;
  const running = c.members.filter((m) => m.run?.data.status === 'running').length;
  const finished = c.finished.data.finished;
  const panels: Record<string, string> = {};
  panels.summary = facts([
    ['experiment', manifest.experiment],
    ['optimizers', manifest.variants.map((v) => (v.name === v.kind ? v.name : `${v.name} (${v.kind})`)).join(', ')],
    ['budget', `${manifest.budget} evaluations per run`],
    ['runs', `${finished} finished, ${running} running, ${manifest.runs.length} planned`],
  ]);
  panels.convergence = figure('convergence', convergenceFigure(c.bands, manifest.budget, 'Best value so far (live): median over the runs that got this far, quartile band'));
  if (c.finished.data.seeds.length > 0) {
    const { header, rows } = statisticsTable(c.finished.stats);
    panels.results = `${table(header, rows, new Set(header.map((_, i) => i).filter((i) => i > 0)))}\n<p class="note">Over the ${c.finished.data.seeds.length} seeds every optimizer has finished, as in the report.</p>`;
  } else panels.results = '<p class="note">No seed finished by every optimizer yet.</p>';
  const rows = c.members.map((m) => {
    const href = m.run ? links.run(m.dir) : undefined;
    const status = m.run?.data.status ?? 'not started';
    const cells = [m.variant, String(m.seed), m.run?.data.trials.length ?? 0, formatValue(m.run?.data.best?.value)].map((v, i) => `<td${i > 0 ? ' class="num"' : ''}>${esc(v)}</td>`);
    return `<tr>${cells.slice(0, 2).join('')}<td>${href ? `<a href="${esc(href)}">${esc(m.hash.slice(0, 12))}</a>` : esc(m.hash.slice(0, 12))}</td><td><span class="status status-${esc(status)}">${esc(status)}</span></td>${cells.slice(2).join('')}</tr>`;
  });
  panels.runs = `<table class="list"><thead><tr><th>optimizer</th><th class="num">seed</th><th>run</th><th>status</th><th class="num">trials</th><th class="num">best</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
  return panels;
}

export function comparisonPage(c: LiveComparison, panels: Record<string, string>, key: string): string {
  const body = [
    c.manifest.description ? `<p>${esc(c.manifest.description)}</p>` : '',
    panel('summary', 'Comparison', panels.summary),
    panel('convergence', 'Convergence', panels.convergence),
    panel('results', 'Results', panels.results),
    panel('runs', 'Runs', panels.runs),
  ].join('\n');
  return dashboardPage(c.manifest.name, `comparison · ${c.manifest.variants.length} optimizers × ${c.manifest.seeds.length} seeds`, body, { kind: 'comparison', dir: key });
}
