import { bestSoFar, historyFromJournal } from '../compare/curves.js';
import { formatValue } from '../compare/table.js';
import { bestRecipe, recipeStrings, type NamedRecipe } from '../export/recipe.js';
import { getPreset } from '../space/presets.js';
import { esc } from './escape.js';
import { barChart } from './figures/bar-chart.js';
import { seriesColor } from './figures/palette.js';
import { unetDiagram } from './figures/unet.js';
import { parallelCoordinates, slicePlots, type WeightedValue } from './figures/weights-vs-value.js';
import { xyChart } from './figures/xy-chart.js';
import type { Importance } from './importance.js';
import type { PayloadScore } from './payloads.js';
import type { RunData } from './run-data.js';

/**
 * The figures of one run, each built in one place and used by the static report and the live
 * dashboard alike.
 */

export function progressFigure(run: Pick<RunData, 'events' | 'trials'>): string {
  const history = historyFromJournal(run.events);
  const curve = bestSoFar(history);
  return xyChart({
    title: 'Values per evaluation',
    xLabel: 'evaluation',
    yLabel: 'value (higher is better)',
    xDomain: [1, Math.max(1, run.trials.length)],
    series: [
      { name: 'trial value', color: seriesColor(0), dots: history.values.flatMap((v, k) => (v === undefined ? [] : [[k + 1, v] as const])), failures: history.values.flatMap((v, k) => (v === undefined ? [k + 1] : [])) },
      { name: 'best so far', color: seriesColor(1), line: { points: curve.flatMap((v, k) => (v === undefined ? [] : [[k + 1, v] as const])), step: true } },
    ],
  });
}

/** A recipe drawn as its UNet, coloured on the run's weight range. */
export function recipeFigure(run: Pick<RunData, 'config'>, title: string, weights: Readonly<Record<string, number>>): string | undefined {
  const preset = getPreset(run.config.space.preset);
  if (!preset) return undefined;
  return unetDiagram({ title, preset, weights, frozen: new Set(Object.keys(run.config.space.freeze ?? {})), range: weightRange(run.config.space) });
}

export function bestRecipeFigure(run: RunData): { recipe: NamedRecipe; svg: string } | undefined {
  const recipe = bestRecipe(run);
  if (!recipe) return undefined;
  const svg = recipeFigure(run, `Best recipe (trial ${recipe.trial}, value ${formatValue(recipe.value)})`, recipe.weights);
  return svg === undefined ? undefined : { recipe, svg };
}

/**
 * The recipe's export strings as HTML: supermerger, auto-MBW-rt and named JSON. With `copy`,
 * each gets a button the dashboard's script wires to the clipboard.
 */
export function recipeStringsHtml(recipe: NamedRecipe, copy = false): string {
  const button = copy ? ' <button type="button" class="copy">copy</button>' : '';
  const strings = recipeStrings(recipe).map((s) =>
    'error' in s ? `<p class="note">${esc(s.format)}: ${esc(s.error)}</p>` : `<p>${esc(s.format)}${s.warnings.length ? ` <span class="note">(${esc(s.warnings.join('; '))})</span>` : ''}${button}</p><pre>${esc(s.text)}</pre>`,
  );
  strings.push(`<p>named JSON${button}</p><pre>${esc(JSON.stringify({ preset: recipe.preset, weights: recipe.weights }))}</pre>`);
  return strings.join('\n');
}

export function payloadFigure(trial: number, payloads: readonly PayloadScore[]): string {
  return barChart({
    title: `Scores of the best recipe per payload (trial ${trial})`,
    xLabel: 'payload score',
    labels: payloads.map((p) => p.name),
    series: [{ name: 'score', color: seriesColor(4), values: payloads.map((p) => p.score) }],
    notes: payloads.map((p) => formatValue(p.score)),
  });
}

export function importanceFigure(importance: Importance): string {
  const order = importance.names.map((_, i) => i).sort((a, b) => importance.permutation[b] + importance.ard[b] - (importance.permutation[a] + importance.ard[a]));
  return barChart({
    title: 'Parameter importance',
    xLabel: 'share of importance',
    labels: order.map((i) => importance.names[i]),
    series: [
      { name: 'GP: 1 / ARD lengthscale', color: seriesColor(0), values: order.map((i) => importance.ard[i]) },
      { name: 'permutation of the GP mean', color: seriesColor(1), values: order.map((i) => importance.permutation[i]) },
    ],
    notes: order.map((i) => `ℓ = ${formatValue(importance.lengthscales[i])}`),
  });
}

export const IMPORTANCE_NOTE = (trials: number) =>
  `<p class="note">A Gaussian process (Matérn 5/2, one lengthscale per variable) fitted to the ${trials} successful trials. A short lengthscale ℓ means the value changes quickly along that variable. The permutation check shuffles one variable across the trials and measures how much the GP's prediction moves; both are shown as shares of their total. Variables the two measures disagree on deserve a closer look before freezing them.</p>`;

/** The blocks the search moved, in preset order: the axes of the weights-vs-value figures. */
export function freeBlocks(run: Pick<RunData, 'config'>): string[] {
  const preset = getPreset(run.config.space.preset);
  const frozen = new Set(Object.keys(run.config.space.freeze ?? {}));
  return (preset?.blocks ?? []).filter((b) => !frozen.has(b));
}

function weightedValues(run: Pick<RunData, 'trials'>): WeightedValue[] {
  return run.trials.flatMap((t) => (t.status === 'ok' && t.value !== undefined ? [{ id: t.id, value: t.value, weights: t.weights }] : []));
}

export function parallelFigure(run: Pick<RunData, 'config' | 'trials' | 'best'>): string {
  return parallelCoordinates({ title: 'Weights and value, trial by trial', blocks: freeBlocks(run), trials: weightedValues(run), range: weightRange(run.config.space), ...(run.best ? { best: run.best.id } : {}) });
}

export function sliceFigure(run: Pick<RunData, 'config' | 'trials' | 'best'>): string {
  return slicePlots({ title: 'Value against each block weight', blocks: freeBlocks(run), trials: weightedValues(run), range: weightRange(run.config.space), ...(run.best ? { best: run.best.id } : {}) });
}

/** The weight interval the recipe colours span: the space's bounds widened to every range and frozen value. */
export function weightRange(space: RunData['config']['space']): [number, number] {
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
