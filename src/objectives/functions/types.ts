/**
 * A deterministic test function on the unit cube, oriented for maximization: `evaluate` returns
 * `-f(z)` where f is the classical (minimized) function, so every optimizer in autombw climbs it.
 */
export interface BenchmarkFunction {
  readonly name: string;
  readonly description: string;
  readonly dim: number;
  /** The global maximizer in the unit cube and the value there. */
  readonly optimum: { readonly x: readonly number[]; readonly value: number };
  /** Value to maximize at a point of [0,1]^dim. */
  evaluate(x: readonly number[]): number;
}

/** A function defined for every dimension d ≥ 2. */
export interface BenchmarkFamily {
  readonly name: string;
  readonly description: string;
  /**
   * Standard deviation of the additive noise of the family's noisy variant: about 5% of the gap
   * between the optimum and a median uniform random point at d = 27, so noise matters near the
   * optimum but does not drown the landscape.
   */
  readonly noiseSd: number;
  create(dim: number): BenchmarkFunction;
}
