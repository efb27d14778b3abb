import { linearScale, niceTicks, tickLabel } from './scale.js';
import { px, svgDocument, text } from './svg.js';

/** One evaluated recipe as the weights-vs-value figures see it. */
export interface WeightedValue {
  id: number;
  value: number;
  weights: Readonly<Record<string, number>>;
}

export interface WeightsVsValueSpec {
  title: string;
  /** The axes: free blocks in preset order. */
  blocks: readonly string[];
  trials: readonly WeightedValue[];
  range: [number, number];
  /** Trial drawn on top, in the highlight colour. */
  best?: number;
}

/** Lines or dots drawn at most: beyond, the best and an even spread of the rest stand for the whole run. */
export const MAX_DRAWN = 400;
const BEST_KEPT = 100;
const HIGHLIGHT = '#f28e2b';
/** Value shades of the slice dots. */
const SHADES = 8;

/**
 * The trials a figure draws: all when there are few, else the best ones and an even spread of
 * the others, worst first so the best are painted last (on top). Sampling keeps a 5,000-trial run's
 * figure small enough to redraw live.
 */
export function drawnTrials(trials: readonly WeightedValue[]): WeightedValue[] {
  const byValue = [...trials].sort((a, b) => a.value - b.value || a.id - b.id);
  if (byValue.length <= MAX_DRAWN) return byValue;
  const top = byValue.slice(-BEST_KEPT);
  const rest = byValue.slice(0, -BEST_KEPT);
  const step = rest.length / (MAX_DRAWN - BEST_KEPT);
  const spread = Array.from({ length: MAX_DRAWN - BEST_KEPT }, (_, k) => rest[Math.floor(k * step)]);
  return [...spread, ...top];
}

/** Light grey for the worst value drawn, dark blue for the best. */
function valueColor(t: number): string {
  const from = [205, 205, 205];
  const to = [31, 64, 122];
  return `rgb(${from.map((c, i) => Math.round(c + (to[i] - c) * t)).join(',')})`;
}

function valueScale(drawn: readonly WeightedValue[]): (v: number) => number {
  const lo = Math.min(...drawn.map((d) => d.value));
  const hi = Math.max(...drawn.map((d) => d.value));
  return (v) => (hi === lo ? 1 : (v - lo) / (hi - lo));
}

function empty(title: string, width: number, height: number): string {
  return svgDocument(width, height, title, [text(16, 22, title, 'font-size="15" font-weight="bold"'), text(width / 2, height / 2, 'no successful evaluations yet', 'text-anchor="middle" fill="#666"')].join('\n'));
}

/**
 * Parallel coordinates: one vertical axis per block (its weight), the value as the last axis,
 * one line per trial coloured by its value. Where good recipes agree, their lines bunch.
 */
export function parallelCoordinates(spec: WeightsVsValueSpec): string {
  const width = 780;
  const height = 360;
  if (spec.trials.length === 0 || spec.blocks.length === 0) return empty(spec.title, width, height);
  const drawn = drawnTrials(spec.trials);
  const plot = { x0: 40, x1: width - 60, y0: height - 60, y1: 48 };
  const axes = spec.blocks.length + 1;
  const ax = (i: number) => plot.x0 + (i * (plot.x1 - plot.x0)) / (axes - 1);
  const wy = linearScale(spec.range, [plot.y0, plot.y1]);
  const values = niceTicks(Math.min(...drawn.map((d) => d.value)), Math.max(...drawn.map((d) => d.value)), 4);
  const vy = linearScale(values.domain, [plot.y0, plot.y1]);
  const shade = valueScale(drawn);
  const parts: string[] = [text(16, 22, spec.title, 'font-size="15" font-weight="bold"')];
  for (let i = 0; i < axes; i++) {
    parts.push(`<line x1="${px(ax(i))}" x2="${px(ax(i))}" y1="${plot.y1}" y2="${plot.y0}" stroke="#bbb"/>`);
    const label = i < spec.blocks.length ? spec.blocks[i] : 'value';
    parts.push(text(ax(i), plot.y0 + 10, label, `text-anchor="end" font-size="10" transform="rotate(-60 ${px(ax(i))} ${plot.y0 + 10})"`));
  }
  parts.push(text(plot.x0 - 6, plot.y1 + 4, tickLabel(spec.range[1]), 'text-anchor="end" font-size="10" fill="#444"'));
  parts.push(text(plot.x0 - 6, plot.y0 + 4, tickLabel(spec.range[0]), 'text-anchor="end" font-size="10" fill="#444"'));
  for (const t of values.ticks) parts.push(text(ax(axes - 1) + 6, vy(t) + 4, tickLabel(t), 'font-size="10" fill="#444"'));
  const line = (d: WeightedValue, stroke: string, widthPx: number, opacity: number) => {
    const pts = spec.blocks.map((b, i) => `${px(ax(i))},${px(wy(d.weights[b] ?? spec.range[0]))}`);
    pts.push(`${px(ax(axes - 1))},${px(vy(d.value))}`);
    return `<polyline points="${pts.join(' ')}" fill="none" stroke="${stroke}" stroke-width="${widthPx}" stroke-opacity="${opacity}"/>`;
  };
  for (const d of drawn) if (d.id !== spec.best) parts.push(line(d, valueColor(shade(d.value)), 1, 0.55));
  const best = spec.trials.find((d) => d.id === spec.best);
  if (best) parts.push(line(best, HIGHLIGHT, 2.5, 1));
  parts.push(text(width - 16, 22, `${drawn.length} of ${spec.trials.length} trials · dark = high value${best ? ' · orange = best' : ''}`, 'text-anchor="end" font-size="11" fill="#555"'));
  return svgDocument(width, height, spec.title, parts.join('\n'));
}

/**
 * Slice plots: for each block, the value of every trial against that block's weight. A clear
 * trend in one panel says the value depends on that block; a flat cloud says it hardly does.
 */
export function slicePlots(spec: WeightsVsValueSpec): string {
  const width = 780;
  const columns = 6;
  const cell = { w: width / columns, h: 112 };
  const rows = Math.ceil(spec.blocks.length / columns);
  const height = 40 + rows * cell.h + 8;
  if (spec.trials.length === 0 || spec.blocks.length === 0) return empty(spec.title, width, Math.max(height, 160));
  const drawn = drawnTrials(spec.trials);
  const values = niceTicks(Math.min(...drawn.map((d) => d.value)), Math.max(...drawn.map((d) => d.value)), 3);
  const shade = valueScale(drawn);
  const parts: string[] = [text(16, 22, spec.title, 'font-size="15" font-weight="bold"')];
  spec.blocks.forEach((block, i) => {
    const left = (i % columns) * cell.w;
    const top = 40 + Math.floor(i / columns) * cell.h;
    const plot = { x0: left + 34, x1: left + cell.w - 8, y0: top + cell.h - 26, y1: top + 16 };
    const x = linearScale(spec.range, [plot.x0, plot.x1]);
    const y = linearScale(values.domain, [plot.y0, plot.y1]);
    parts.push(text((plot.x0 + plot.x1) / 2, top + 10, block, 'text-anchor="middle" font-size="11" font-weight="bold"'));
    parts.push(`<rect x="${px(plot.x0)}" y="${px(plot.y1)}" width="${px(plot.x1 - plot.x0)}" height="${px(plot.y0 - plot.y1)}" fill="none" stroke="#ccc"/>`);
    parts.push(text(plot.x0, plot.y0 + 11, tickLabel(spec.range[0]), 'text-anchor="middle" font-size="9" fill="#666"'));
    parts.push(text(plot.x1, plot.y0 + 11, tickLabel(spec.range[1]), 'text-anchor="middle" font-size="9" fill="#666"'));
    parts.push(text(plot.x0 - 3, plot.y1 + 7, tickLabel(values.domain[1]), 'text-anchor="end" font-size="9" fill="#666"'));
    parts.push(text(plot.x0 - 3, plot.y0, tickLabel(values.domain[0]), 'text-anchor="end" font-size="9" fill="#666"'));
    // One path per shade (dots as zero-length round-capped strokes): a fraction of the markup of
    // a circle per dot, which keeps the live page of a 5,000-trial run light.
    const shades = new Map<string, string[]>();
    let best = '';
    for (const d of drawn) {
      const w = d.weights[block];
      if (w === undefined) continue;
      const at = `M${px(x(w))} ${px(y(d.value))}h0`;
      if (d.id === spec.best) best = at;
      else {
        const color = valueColor(Math.round(shade(d.value) * SHADES) / SHADES);
        const list = shades.get(color);
        if (list) list.push(at);
        else shades.set(color, [at]);
      }
    }
    for (const [color, dots] of shades) parts.push(`<path class="dots" d="${dots.join('')}" stroke="${color}" stroke-width="3.6" stroke-linecap="round"/>`);
    if (best) parts.push(`<path class="best" d="${best}" stroke="${HIGHLIGHT}" stroke-width="6" stroke-linecap="round"/>`);
  });
  return svgDocument(width, height, spec.title, parts.join('\n'));
}
