/**
 * The Matérn-5/2 ARD kernel, k(x, x') = σ² m(s), written in the squared scaled distance
 * s = Σ_k (x_k − x'_k)² / ℓ_k². Working in s rather than r = √s keeps the derivative finite at
 * r = 0: dm/ds = −(5/6)(1 + √5 r) e^(−√5 r).
 */

const SQRT5 = Math.sqrt(5);

/** m(s) = (1 + √5 r + 5r²/3) e^(−√5 r), r = √s. */
export function matern52(s: number): number {
  const t = SQRT5 * Math.sqrt(s);
  return (1 + t + (t * t) / 3) * Math.exp(-t);
}

/** dm/ds. */
export function matern52Slope(s: number): number {
  const t = SQRT5 * Math.sqrt(s);
  return (-5 / 6) * (1 + t) * Math.exp(-t);
}

/** s between row i of `a` and row j of `b` (both d columns), with inverse squared lengthscales `w`. */
export function scaledDistance(a: Float64Array, i: number, b: Float64Array, j: number, w: Float64Array, d: number): number {
  const ri = i * d;
  const rj = j * d;
  let s = 0;
  for (let k = 0; k < d; k++) {
    const diff = a[ri + k] - b[rj + k];
    s += w[k] * diff * diff;
  }
  return s;
}

/**
 * The correlation matrix m(s_ij) of the n points in `x` (lower triangle and diagonal), and when
 * `slope` is given, dm/ds at each pair (lower triangle).
 */
export function correlationMatrix(x: Float64Array, n: number, d: number, w: Float64Array, corr: Float64Array, slope?: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const t = SQRT5 * Math.sqrt(scaledDistance(x, i, x, j, w, d));
      const e = Math.exp(-t);
      corr[ri + j] = (1 + t + (t * t) / 3) * e;
      if (slope) slope[ri + j] = (-5 / 6) * (1 + t) * e;
    }
    corr[ri + i] = 1;
    if (slope) slope[ri + i] = -5 / 6;
  }
}
