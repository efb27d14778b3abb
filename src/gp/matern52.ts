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
 * and when `slope` is given, dm/ds at each pair (lower triangle). Four partners j go at a time, as
 * in crossCovariance.
 */
export function correlationMatrix(x: DenseMatrix, w: Float64Array, corr: DenseMatrix, slope?: DenseMatrix): void {
  const n = x.rows;
  const d = x.columns;
  const a = x.data;
  const c = corr.data;
  const sl = slope?.data;
  const entry = (at: number, s: number) => {
    const t = SQRT5 * Math.sqrt(s);
    const e = Math.exp(-t);
    c[at] = (1 + t + (t * t) / 3) * e;
    if (sl) sl[at] = (-5 / 6) * (1 + t) * e;
  };
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const xi = i * d;
    let j = 0;
    for (; j + 3 < i; j += 4) {
      const x0 = j * d;
      const x1 = x0 + d;
      const x2 = x1 + d;
      const x3 = x2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = 0; k < d; k++) {
        const v = a[xi + k];
        const wk = w[k];
        const e0 = v - a[x0 + k];
        const e1 = v - a[x1 + k];
        const e2 = v - a[x2 + k];
        const e3 = v - a[x3 + k];
        s0 += wk * e0 * e0;
        s1 += wk * e1 * e1;
        s2 += wk * e2 * e2;
        s3 += wk * e3 * e3;
      }
      entry(ri + j, s0);
      entry(ri + j + 1, s1);
      entry(ri + j + 2, s2);
      entry(ri + j + 3, s3);
    }
    for (; j < i; j++) entry(ri + j, scaledDistance(a, i, a, j, w, d));
    c[ri + i] = 1;
    if (sl) sl[ri + i] = -5 / 6;
  }
}

/**
 * The covariance σ² m(s) between every row of `points` (m × d) and every row of `x` (n × d), as
 * an m × n matrix: the cross-covariance of a candidate block with the data. Four candidates go
 * through each data row at once, so each coordinate of the data point and each weight is loaded
 * once per four distances (the sums themselves are those of the plain loop, bit for bit). Computed
 * directly rather than as ‖a‖² + ‖b‖² − 2 a·b through ml-matrix's mmul, which is about twice as
 * slow (BENCHMARKS.md, "GP kernels") and loses the small distances to cancellation.
 */
export function crossCovariance(points: DenseMatrix, x: DenseMatrix, w: Float64Array, signal: number): DenseMatrix {
  const m = points.rows;
  const n = x.rows;
  const d = x.columns;
  const out = new DenseMatrix(m, n);
  const k = out.data;
  const a = points.data;
  const b = x.data;
  let p = 0;
  for (; p + 3 < m; p += 4) {
    const a0 = p * d;
    const a1 = a0 + d;
    const a2 = a1 + d;
    const a3 = a2 + d;
    const o0 = p * n;
    for (let i = 0; i < n; i++) {
      const ri = i * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let c = 0; c < d; c++) {
        const v = b[ri + c];
        const wc = w[c];
        const e0 = a[a0 + c] - v;
        const e1 = a[a1 + c] - v;
        const e2 = a[a2 + c] - v;
        const e3 = a[a3 + c] - v;
        s0 += wc * e0 * e0;
        s1 += wc * e1 * e1;
        s2 += wc * e2 * e2;
        s3 += wc * e3 * e3;
      }
      k[o0 + i] = covariance(signal, s0);
      k[o0 + n + i] = covariance(signal, s1);
      k[o0 + 2 * n + i] = covariance(signal, s2);
      k[o0 + 3 * n + i] = covariance(signal, s3);
    }
  }
  for (; p < m; p++) {
    for (let i = 0; i < n; i++) k[p * n + i] = covariance(signal, scaledDistance(a, p, b, i, w, d));
  }
  return out;
}

/** σ² m(s), multiplied in the order the posterior's gradient code uses, so both give the same bits. */
function covariance(signal: number, s: number): number {
  const t = SQRT5 * Math.sqrt(s);
  return signal * (1 + t + (t * t) / 3) * Math.exp(-t);
}
