import { linearScale, niceTicks, tickLabel } from './scale.js';
import { px, svgDocument, text } from './svg.js';
import { shorten } from './xy-chart.js';

export interface BarGroupSpec {
  title: string;
  xLabel: string;
  /** One row per label; each series draws one bar per row. */
  labels: readonly string[];
  series: ReadonlyArray<{ name: string; color: string; values: readonly number[] }>;
  width?: number;
  /** Text after each row's bars (e.g. the exact value). */
  notes?: readonly string[];
}

/** Horizontal grouped bars, one row per label: importance per variable, score per payload. */
export function barChart(spec: BarGroupSpec): string {
  const width = spec.width ?? 780;
  const barHeight = 12;
  const rowHeight = spec.series.length * barHeight + 8;
  const legendHeight = spec.series.length > 1 ? 22 : 0;
  const top = 40 + legendHeight;
  const height = top + spec.labels.length * rowHeight + 44;
  const plot = { x0: 150, x1: width - 90 };
  const all = spec.series.flatMap((s) => s.values);
  const { ticks, domain } = niceTicks(Math.min(0, ...all), Math.max(0, ...all), 6);
  const x = linearScale(domain, [plot.x0, plot.x1]);
  const bottom = top + spec.labels.length * rowHeight;

  const parts: string[] = [text(16, 22, spec.title, 'font-size="15" font-weight="bold"')];
  spec.series.forEach((s, i) => {
    if (spec.series.length < 2) return;
    const lx = plot.x0 + i * 200;
    parts.push(`<rect x="${lx}" y="${top - 26}" width="12" height="12" fill="${s.color}"/>`, text(lx + 18, top - 16, s.name));
  });
  for (const t of ticks) {
    parts.push(`<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${top}" y2="${bottom}" stroke="#e6e6e6"/>`);
    parts.push(text(x(t), bottom + 16, tickLabel(t), 'text-anchor="middle" fill="#444"'));
  }
  spec.labels.forEach((label, row) => {
    const y0 = top + row * rowHeight + 4;
    parts.push(text(plot.x0 - 8, y0 + (spec.series.length * barHeight) / 2 + 4, shorten(label, 20), 'text-anchor="end"'));
    spec.series.forEach((s, i) => {
      const v = s.values[row];
      const [a, b] = [x(Math.min(0, v)), x(Math.max(0, v))];
      parts.push(`<rect class="bar" x="${px(a)}" y="${y0 + i * barHeight}" width="${px(Math.max(0.5, b - a))}" height="${barHeight - 2}" fill="${s.color}"/>`);
    });
    if (spec.notes?.[row]) parts.push(text(plot.x1 + 8, y0 + (spec.series.length * barHeight) / 2 + 4, spec.notes[row], 'fill="#444"'));
  });
  parts.push(`<line x1="${px(x(0))}" x2="${px(x(0))}" y1="${top}" y2="${bottom}" stroke="#666"/>`);
  parts.push(text((plot.x0 + plot.x1) / 2, height - 10, spec.xLabel, 'text-anchor="middle"'));
  return svgDocument(width, height, spec.title, parts.join('\n'));
}
