/**
 * The Matérn-5/2 ARD kernel, k(x, x') = σ² m(s), written in the squared scaled distance
 * s = Σ_k (x_k − x'_k)² / ℓ_k². Working in s rather than r = √s keeps the derivative finite at
 * r = 0: dm/ds = −(5/6)(1 + √5 r) e^(−√5 r).
 */

import { DenseMatrix } from './dense-matrix.js';

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
function scaledDistance(a: Float64Array, i: number, b: Float64Array, j: number, w: Float64Array, d: number): number {
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
 * The correlation matrix m(s_ij) of the points in the rows of `x` (lower triangle and diagonal),
 * and when `slope` is given, dm/ds at each pair (lower triangle).
 */
export function correlationMatrix(x: DenseMatrix, w: Float64Array, corr: DenseMatrix, slope?: DenseMatrix): void {
  const n = x.rows;
  const d = x.columns;
  const c = corr.data;
  const sl = slope?.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const t = SQRT5 * Math.sqrt(scaledDistance(x.data, i, x.data, j, w, d));
      const e = Math.exp(-t);
      c[ri + j] = (1 + t + (t * t) / 3) * e;
      if (sl) sl[ri + j] = (-5 / 6) * (1 + t) * e;
    }
    c[ri + i] = 1;
    if (sl) sl[ri + i] = -5 / 6;
  }
}

/**
 * The covariance σ² m(s) between every row of `points` (m × d) and every row of `x` (n × d), as
 * an m × n matrix: the cross-covariance of a candidate block with the data. Computed directly
 * rather than as ‖a‖² + ‖b‖² − 2 a·b through ml-matrix's mmul, which BENCHMARKS.md shows slower
 * (and the expansion loses the small distances that matter most to cancellation).
 */
export function crossCovariance(points: DenseMatrix, x: DenseMatrix, w: Float64Array, signal: number): DenseMatrix {
  const m = points.rows;
  const n = x.rows;
  const d = x.columns;
  const out = new DenseMatrix(m, n);
  const k = out.data;
  for (let p = 0; p < m; p++) {
    const rp = p * n;
    for (let i = 0; i < n; i++) {
      const t = SQRT5 * Math.sqrt(scaledDistance(points.data, p, x.data, i, w, d));
      k[rp + i] = signal * (1 + t + (t * t) / 3) * Math.exp(-t);
    }
  }
  return out;
}
