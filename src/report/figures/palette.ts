/** Series colours (Tableau 10): distinguishable, and still distinct in grey print. */
const SERIES_COLORS = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7', '#9c755f', '#bab0ac'];

export function seriesColor(index: number): string {
  return SERIES_COLORS[index % SERIES_COLORS.length];
}

type Rgb = [number, number, number];
const MODEL_A: Rgb = [59, 111, 182];
const MIDDLE: Rgb = [242, 242, 242];
const MODEL_B: Rgb = [224, 123, 57];

/**
 * Colour of a block weight: blue at `lo` (all model A), near white halfway, orange at `hi` (all
 * model B). Values outside [lo, hi] take the end colours.
 */
export function weightColor(value: number, lo = 0, hi = 1): string {
  const t = hi === lo ? 0.5 : Math.min(1, Math.max(0, (value - lo) / (hi - lo)));
  const [from, to, s] = t < 0.5 ? [MODEL_A, MIDDLE, t * 2] : [MIDDLE, MODEL_B, (t - 0.5) * 2];
  return hex(from.map((c, i) => c + (to[i] - c) * s) as Rgb);
}

/** Black or white, whichever reads better on `background` (#rrggbb). */
export function textColorOn(background: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16) / 255);
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.45 ? '#1a1a1a' : '#ffffff';
}

function hex(rgb: Rgb): string {
  return `#${rgb.map((c) => Math.round(c).toString(16).padStart(2, '0')).join('')}`;
}
