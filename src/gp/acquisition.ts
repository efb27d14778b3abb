/**
 * An acquisition function of the GP posterior at a point, written in the posterior mean μ and
 * standard deviation σ so that one chain rule (acquisition-search.ts) serves every kind.
 * Higher is better.
 */
export interface Acquisition {
  value(mean: number, sd: number): number;
  /** ∂value/∂μ into out[0] and ∂value/∂σ into out[1]. */
  slopes(mean: number, sd: number, out: Float64Array): void;
}
