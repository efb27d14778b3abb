/**
 * Series colours, one hue family each (blue, orange, red, green, purple, gold, brown, near-black,
 * pink, olive, grey, cyan): enough for every optimizer kind autombw has, so no two optimizers of a
 * comparison share a colour. The first ones follow Tableau 10; its teal and light grey are left
 * out because beside its blue they read as a second blue and a blank.
 */
export const SERIES_COLORS: readonly string[] = ['#4e79a7', '#f28e2b', '#e15759', '#59a14f', '#b07aa1', '#edc948', '#9c755f', '#333333', '#ff9da7', '#8c8c00', '#a0a0a0', '#17becf'];

/** The colour of series `index`; beyond the palette colours repeat, which no comparison of autombw's optimizers reaches. */
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
