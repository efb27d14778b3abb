import { requireNonNegative, requirePositive } from './tally.js';

/** How several scorers' values for one image become one value (sd-optim's `scorer_average_type`). */
export const COMBINE_MODES = ['arithmetic', 'geometric', 'quadratic'] as const;
export type CombineMode = (typeof COMBINE_MODES)[number];

/** Weighted mean of one image's scores; `weights` are positive and need not sum to 1. */
export function combineScores(values: readonly number[], weights: readonly number[], mode: CombineMode): number {
  if (values.length === 0 || values.length !== weights.length) {
    throw new Error(`cannot combine ${values.length} scores with ${weights.length} weights`);
  }
  const total = weights.reduce((a, b) => a + b, 0);
  const mean = (f: (x: number) => number) => values.reduce((s, x, i) => s + weights[i] * f(x), 0) / total;
  switch (mode) {
    case 'arithmetic':
      return mean((x) => x);
    case 'geometric':
      requirePositive(values, 'geometric');
      return Math.exp(mean(Math.log));
    case 'quadratic':
      requireNonNegative(values, 'quadratic');
      return Math.sqrt(mean((x) => x * x));
  }
}
