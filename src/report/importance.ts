/** How much each search variable matters to the value, by two independent measures (shares summing to 1). */
export interface Importance {
  names: string[];
  /** Inverse ARD lengthscales of the fitted GP, as shares. */
  ard: number[];
  /** Permutation importance of the GP mean, as shares. */
  permutation: number[];
  /** The fitted lengthscales on the unit cube. */
  lengthscales: number[];
  /** Successful trials the GP was fitted to. */
  trials: number;
}
