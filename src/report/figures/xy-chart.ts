import { linearScale, niceTicks, tickLabel } from './scale.js';
import { px, svgDocument, text } from './svg.js';
import { esc } from '../escape.js';

export interface XYSeries {
  name: string;
  color: string;
  /** A polyline, or a staircase for best-so-far curves. */
  line?: { points: ReadonlyArray<readonly [number, number]>; step?: boolean; dashed?: boolean };
  /** A shaded band: x, lower, upper. */
  band?: ReadonlyArray<readonly [number, number, number]>;
  dots?: ReadonlyArray<readonly [number, number]>;
  /** x positions of failed evaluations, marked below the plot. */
  failures?: readonly number[];
}

export interface XYChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly XYSeries[];
  width?: number;
  height?: number;
  xDomain?: [number, number];
}

const MARGIN = { top: 36, right: 190, bottom: 52, left: 68 };

/** A line/scatter chart with axes, grid, bands and a legend, as a standalone SVG. */
export function xyChart(spec: XYChartSpec): string {
  const width = spec.width ?? 780;
  const height = spec.height ?? 380;
  const plot = { x0: MARGIN.left, x1: width - MARGIN.right, y0: height - MARGIN.bottom, y1: MARGIN.top };
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of spec.series) {
    for (const [x, y] of s.line?.points ?? []) xs.push(x), ys.push(y);
    for (const [x, lo, hi] of s.band ?? []) xs.push(x), ys.push(lo, hi);
    for (const [x, y] of s.dots ?? []) xs.push(x), ys.push(y);
    xs.push(...(s.failures ?? []));
  }
  const parts: string[] = [text(MARGIN.left, 22, spec.title, 'font-size="15" font-weight="bold"')];
  if (ys.length === 0) {
    parts.push(text((plot.x0 + plot.x1) / 2, (plot.y0 + plot.y1) / 2, 'no successful evaluations yet', 'text-anchor="middle" fill="#666"'));
    return svgDocument(width, height, spec.title, parts.join('\n'));
  }
  const xTicks = niceTicks(spec.xDomain?.[0] ?? Math.min(...xs), spec.xDomain?.[1] ?? Math.max(...xs), 8);
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys), 6);
  const x = linearScale(xTicks.domain, [plot.x0, plot.x1]);
  const y = linearScale(yTicks.domain, [plot.y0, plot.y1]);

  for (const t of yTicks.ticks) {
    parts.push(`<line x1="${plot.x0}" x2="${plot.x1}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="#e6e6e6"/>`);
    parts.push(text(plot.x0 - 6, y(t) + 4, tickLabel(t), 'text-anchor="end" fill="#444"'));
  }
  for (const t of xTicks.ticks) {
    parts.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${plot.y0}" y2="${plot.y0 + 4}" stroke="#444"/>`);
    parts.push(text(x(t), plot.y0 + 17, tickLabel(t), 'text-anchor="middle" fill="#444"'));
  }
  parts.push(`<rect x="${plot.x0}" y="${plot.y1}" width="${plot.x1 - plot.x0}" height="${plot.y0 - plot.y1}" fill="none" stroke="#999"/>`);
  parts.push(text((plot.x0 + plot.x1) / 2, height - 12, spec.xLabel, 'text-anchor="middle"'));
  parts.push(text(16, (plot.y0 + plot.y1) / 2, spec.yLabel, `text-anchor="middle" transform="rotate(-90 16 ${px((plot.y0 + plot.y1) / 2)})"`));

  spec.series.forEach((s) => {
    const cls = `class="series" data-series="${esc(s.name)}"`;
    if (s.band && s.band.length > 0) {
      const upper = s.band.map(([bx, , hi]) => `${px(x(bx))},${px(y(hi))}`);
      const lower = [...s.band].reverse().map(([bx, lo]) => `${px(x(bx))},${px(y(lo))}`);
      parts.push(`<polygon ${cls} points="${[...upper, ...lower].join(' ')}" fill="${s.color}" fill-opacity="0.18" stroke="none"/>`);
    }
    for (const [dx, dy] of s.dots ?? []) parts.push(`<circle cx="${px(x(dx))}" cy="${px(y(dy))}" r="2.6" fill="${s.color}" fill-opacity="0.55"/>`);
    for (const fx of s.failures ?? []) {
      const cx = x(fx);
      const cy = plot.y0 - 6;
      parts.push(`<path d="M${px(cx - 3)},${px(cy - 3)} L${px(cx + 3)},${px(cy + 3)} M${px(cx - 3)},${px(cy + 3)} L${px(cx + 3)},${px(cy - 3)}" stroke="#c0392b" stroke-width="1.4"/>`);
    }
    if (s.line && s.line.points.length > 0) {
      const d = s.line.points
        .map(([lx, ly], i) => {
          if (i === 0) return `M${px(x(lx))},${px(y(ly))}`;
          return s.line!.step ? `H${px(x(lx))} V${px(y(ly))}` : `L${px(x(lx))},${px(y(ly))}`;
        })
        .join(' ');
      parts.push(`<path ${cls} d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.line.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
  });

  const legendX = plot.x1 + 16;
  let legendY = plot.y1 + 8;
  spec.series.forEach((s) => {
    const swatch = s.line
      ? `<line x1="${legendX}" x2="${legendX + 18}" y1="${legendY}" y2="${legendY}" stroke="${s.color}" stroke-width="${s.band ? 6 : 2}"${s.band ? ' stroke-opacity="0.5"' : ''}/>`
      : `<circle cx="${legendX + 9}" cy="${legendY}" r="3" fill="${s.color}"/>`;
    parts.push(swatch, text(legendX + 24, legendY + 4, shorten(s.name, 24)));
    legendY += 20;
  });
  if (spec.series.some((s) => (s.failures ?? []).length > 0)) {
    parts.push(`<path d="M${legendX + 6},${legendY - 3} L${legendX + 12},${legendY + 3} M${legendX + 6},${legendY + 3} L${legendX + 12},${legendY - 3}" stroke="#c0392b" stroke-width="1.4"/>`);
    parts.push(text(legendX + 24, legendY + 4, 'failed evaluation'));
  }
  return svgDocument(width, height, spec.title, parts.join('\n'));
}

/** Long names cut to fit the legend column. */
export function shorten(name: string, max: number): string {
  return [...name].length <= max ? name : `${[...name].slice(0, max - 1).join('')}…`;
}
