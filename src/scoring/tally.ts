/**
 * Per-payload aggregation of image scores: the "tally types" of the prior tools (auto-MBW v1/V2,
 * sd-optim). Means that take logs or reciprocals, or would drop a sign, refuse values they cannot
 * represent instead of returning a silently wrong number; the caller turns that into a failed trial.
 */

export const TALLY_MODES = [
  'arithmetic',
  'geometric',
  'harmonic',
  'median',
  'min',
  'max',
  'quadratic',
  'cubic',
  'mid-range',
] as const;
export type TallyMode = (typeof TALLY_MODES)[number];

export function tally(values: readonly number[], mode: TallyMode): number {
  if (values.length === 0) throw new Error('cannot tally an empty list of scores');
  const n = values.length;
  const mean = (f: (x: number) => number) => values.reduce((s, x) => s + f(x), 0) / n;
  switch (mode) {
    case 'arithmetic':
      return mean((x) => x);
    case 'geometric':
      requirePositive(values, mode);
      return Math.exp(mean(Math.log));
    case 'harmonic':
      requirePositive(values, mode);
      return 1 / mean((x) => 1 / x);
    case 'median': {
      const s = [...values].sort((a, b) => a - b);
      const mid = Math.floor(n / 2);
      return n % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
    }
    case 'min':
      return Math.min(...values);
    case 'max':
      return Math.max(...values);
    case 'quadratic':
      requireNonNegative(values, mode);
      return Math.sqrt(mean((x) => x * x));
    case 'cubic':
      return Math.cbrt(mean((x) => x * x * x));
    case 'mid-range':
      return (Math.min(...values) + Math.max(...values)) / 2;
  }
}

export function requirePositive(values: readonly number[], mode: string): void {
  const bad = values.find((x) => !(x > 0));
  if (bad !== undefined) {
    throw new Error(`the ${mode} mean needs scores > 0, got ${bad}; map the scores into (0, 1) with a sigmoid transform, or use another mean`);
  }
}

export function requireNonNegative(values: readonly number[], mode: string): void {
  const bad = values.find((x) => !(x >= 0));
  if (bad !== undefined) {
    throw new Error(`the ${mode} mean needs scores ≥ 0, got ${bad}; shift them with an affine transform, or use another mean`);
  }
}
