/**
 * A "few blocks matter" function: like a merge where only a handful of the 27 blocks change the
 * picture, and those interact. Only FEW_BLOCKS_ACTIVE coordinates (fewer when d is smaller) enter;
 * the rest are dead dimensions.
 *
 *   f(z) = Σ_j λ_j y_j² + Σ_j ρ √(λ_j λ_{j+1}) y_j y_{j+1} + ½ Σ_j λ_j (1 − cos 2π y_j)
 *
 * with y the active coordinates of z and λ = 4, 2.5, 1.5, 1, 0.6 (the blocks matter unequally).
 *
 * The quadratic part is positive definite (ρ = 0.8 makes the normalized off-diagonals 0.4, and
 * tridiagonal(0.4, 1, 0.4) has eigenvalues ≥ 1 − 0.8·cos(π/6) > 0) and the ripple term is ≥ 0,
 * so the minimum is exactly 0 at y = 0, with local minima near integer y along the weak coordinates.
 */

const WEIGHTS = [4, 2.5, 1.5, 1, 0.6];
const COUPLING = 0.8;
export const FEW_BLOCKS_ACTIVE = WEIGHTS.length;

/** The coordinates that matter: spread evenly over the dimension (2, 8, 13, 18, 24 for d = 27). */
export function activeIndices(dim: number): number[] {
  const k = Math.min(FEW_BLOCKS_ACTIVE, dim);
  return Array.from({ length: k }, (_, j) => Math.floor(((j + 0.5) * dim) / k));
}

export function fewBlocks(z: readonly number[]): number {
  const y = activeIndices(z.length).map((i) => z[i]);
  let s = 0;
  for (let j = 0; j < y.length; j++) {
    s += WEIGHTS[j] * y[j] * y[j] + 0.5 * WEIGHTS[j] * (1 - Math.cos(2 * Math.PI * y[j]));
    if (j + 1 < y.length) s += COUPLING * Math.sqrt(WEIGHTS[j] * WEIGHTS[j + 1]) * y[j] * y[j + 1];
  }
  return s;
}
