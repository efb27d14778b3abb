import type { DenseMatrix } from './dense-matrix.js';

/**
 * Dense symmetric positive-definite algebra on DenseMatrix (ml-matrix matrices with contiguous
 * rows). These kernels stay hand-written because ml-matrix's CholeskyDecomposition and its solve
 * are many times slower on the same matrices (BENCHMARKS.md, "GP kernels: ml-matrix against
 * hand-written"), and they run hundreds of times per ask. Every loop walks rows, never columns,
 * and the O(n³) loops work on four rows at once, so each element loaded from one row is used four
 * times (about twice as fast as the plain loops at n = 200–500).
 */

/**
 * Writes the lower Cholesky factor of `a + jitter·I` into `l` (only the lower triangle of `a` is
 * read; `l` may be `a`). Returns false when the matrix is not numerically positive definite.
 */
export function choleskyInPlace(matrix: DenseMatrix, factor: DenseMatrix, jitter = 0): boolean {
  const n = matrix.rows;
  const a = matrix.data;
  const l = factor.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let j = 0;
    for (; j + 3 < i; j += 4) {
      const r0 = j * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = a[ri + j];
      let s1 = a[ri + j + 1];
      let s2 = a[ri + j + 2];
      let s3 = a[ri + j + 3];
      for (let k = 0; k < j; k++) {
        const v = l[ri + k];
        s0 -= v * l[r0 + k];
        s1 -= v * l[r1 + k];
        s2 -= v * l[r2 + k];
        s3 -= v * l[r3 + k];
      }
      const l0 = (l[ri + j] = s0 / l[r0 + j]);
      s1 -= l0 * l[r1 + j];
      const l1 = (l[ri + j + 1] = s1 / l[r1 + j + 1]);
      s2 -= l0 * l[r2 + j] + l1 * l[r2 + j + 1];
      const l2 = (l[ri + j + 2] = s2 / l[r2 + j + 2]);
      s3 -= l0 * l[r3 + j] + l1 * l[r3 + j + 1] + l2 * l[r3 + j + 2];
      l[ri + j + 3] = s3 / l[r3 + j + 3];
    }
    for (; j <= i; j++) {
      const rj = j * n;
      let sum = a[ri + j];
      for (let k = 0; k < j; k++) sum -= l[ri + k] * l[rj + k];
      if (i === j) {
        sum += jitter;
        if (!(sum > 0)) return false;
        l[ri + i] = Math.sqrt(sum);
      } else {
        l[ri + j] = sum / l[rj + j];
      }
    }
  }
  return true;
}

/**
 * Factors `a`, adding jitter to the diagonal when the plain factorization fails: first 1e-10 of
 * the mean diagonal, then ten times more per attempt up to 1e-2. Near-duplicate points and
 * tiny noise make kernel matrices singular in floating point; a little jitter is the standard
 * cure and only perturbs the model by that much extra noise. Returns the jitter used.
 */
export function choleskyWithJitter(matrix: DenseMatrix, factor: DenseMatrix): number {
  if (choleskyInPlace(matrix, factor, 0)) return 0;
  const n = matrix.rows;
  let meanDiagonal = 0;
  for (let i = 0; i < n; i++) meanDiagonal += matrix.data[i * n + i] / n;
  const scale = meanDiagonal > 0 && Number.isFinite(meanDiagonal) ? meanDiagonal : 1;
  for (let step = 10; step >= 2; step--) {
    const jitter = scale * 10 ** -step;
    if (choleskyInPlace(matrix, factor, jitter)) return jitter;
  }
  throw new CholeskyError(n);
}

export class CholeskyError extends Error {
  constructor(n: number) {
    super(`kernel matrix of ${n} points is not positive definite even with jitter`);
    this.name = 'CholeskyError';
  }
}

/** Solves L x = b (forward substitution); `x` may be `b`. */
export function solveLower(factor: DenseMatrix, b: ArrayLike<number>, x: Float64Array): Float64Array {
  const n = factor.rows;
  const l = factor.data;
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= l[ri + k] * x[k];
    x[i] = sum / l[ri + i];
  }
  return x;
}

/**
 * Solves L x = b in place for every row b of `rhs` (m × n): the posterior variances of a whole
 * candidate block in one triangular solve. Rows go eight at a time, so each element of L is loaded
 * once per eight right-hand sides and eight independent sums keep the floating-point units busy
 * (each row's arithmetic is that of solveLower, bit for bit).
 */
export function solveLowerRows(factor: DenseMatrix, rhs: DenseMatrix): DenseMatrix {
  const n = factor.rows;
  const l = factor.data;
  const b = rhs.data;
  const m = rhs.rows;
  let p = 0;
  for (; p + 7 < m; p += 8) {
    const b0 = p * n;
    const b1 = b0 + n;
    const b2 = b1 + n;
    const b3 = b2 + n;
    const b4 = b3 + n;
    const b5 = b4 + n;
    const b6 = b5 + n;
    const b7 = b6 + n;
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      let s0 = b[b0 + i];
      let s1 = b[b1 + i];
      let s2 = b[b2 + i];
      let s3 = b[b3 + i];
      let s4 = b[b4 + i];
      let s5 = b[b5 + i];
      let s6 = b[b6 + i];
      let s7 = b[b7 + i];
      for (let k = 0; k < i; k++) {
        const v = l[ri + k];
        s0 -= v * b[b0 + k];
        s1 -= v * b[b1 + k];
        s2 -= v * b[b2 + k];
        s3 -= v * b[b3 + k];
        s4 -= v * b[b4 + k];
        s5 -= v * b[b5 + k];
        s6 -= v * b[b6 + k];
        s7 -= v * b[b7 + k];
      }
      const diagonal = l[ri + i];
      b[b0 + i] = s0 / diagonal;
      b[b1 + i] = s1 / diagonal;
      b[b2 + i] = s2 / diagonal;
      b[b3 + i] = s3 / diagonal;
      b[b4 + i] = s4 / diagonal;
      b[b5 + i] = s5 / diagonal;
      b[b6 + i] = s6 / diagonal;
      b[b7 + i] = s7 / diagonal;
    }
  }
  for (; p < m; p++) {
    const row = b.subarray(p * n, (p + 1) * n);
    solveLower(factor, row, row);
  }
  return rhs;
}

/** Solves Lᵀ x = b (back substitution by rows of L); `x` may be `b`. */
export function solveUpper(factor: DenseMatrix, b: ArrayLike<number>, x: Float64Array): Float64Array {
  const n = factor.rows;
  const l = factor.data;
  if (x !== b) for (let i = 0; i < n; i++) x[i] = b[i];
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = (x[i] /= l[ri + i]);
    for (let k = 0; k < i; k++) x[k] -= l[ri + k] * xi;
  }
  return x;
}

/**
 * (L Lᵀ)⁻¹ from the factor L, both triangles filled. `work` (n×n) receives U = (L⁻¹)ᵀ with zeros
 * below its diagonal, so that both passes read rows (column j of L⁻¹ is row j of U) and the
 * four-row blocks need no special cases where their ranges start at different columns.
 */
export function inverseFromCholesky(factor: DenseMatrix, inverse: DenseMatrix, work: DenseMatrix): DenseMatrix {
  const n = factor.rows;
  const l = factor.data;
  const out = inverse.data;
  const u = work.data.fill(0);
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const r0 = j * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    // The 4×4 triangle on the diagonal, row by row.
    for (let q = 0; q < 4; q++) {
      const rq = r0 + q * n;
      u[rq + j + q] = 1 / l[(j + q) * n + j + q];
      for (let i = j + q + 1; i < j + 4; i++) {
        const ri = i * n;
        let sum = 0;
        for (let k = j + q; k < i; k++) sum -= l[ri + k] * u[rq + k];
        u[rq + i] = sum / l[ri + i];
      }
    }
    for (let i = j + 4; i < n; i++) {
      const ri = i * n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let k = j; k < i; k++) {
        const v = l[ri + k];
        s0 -= v * u[r0 + k];
        s1 -= v * u[r1 + k];
        s2 -= v * u[r2 + k];
        s3 -= v * u[r3 + k];
      }
      const diagonal = l[ri + i];
      u[r0 + i] = s0 / diagonal;
      u[r1 + i] = s1 / diagonal;
      u[r2 + i] = s2 / diagonal;
      u[r3 + i] = s3 / diagonal;
    }
  }
  for (; j < n; j++) {
    const rj = j * n;
    u[rj + j] = 1 / l[rj + j];
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let sum = 0;
      for (let k = j; k < i; k++) sum -= l[ri + k] * u[rj + k];
      u[rj + i] = sum / l[ri + i];
    }
  }

  // K⁻¹[a][b] = Σ_i U[a][i] U[b][i]; U[a][i] = 0 for i < a, so the sums start at i = a.
  for (let a = 0; a < n; a++) {
    const ra = a * n;
    let b = 0;
    for (; b + 3 <= a; b += 4) {
      const r0 = b * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let i = a; i < n; i++) {
        const v = u[ra + i];
        s0 += v * u[r0 + i];
        s1 += v * u[r1 + i];
        s2 += v * u[r2 + i];
        s3 += v * u[r3 + i];
      }
      out[ra + b] = out[r0 + a] = s0;
      out[ra + b + 1] = out[r1 + a] = s1;
      out[ra + b + 2] = out[r2 + a] = s2;
      out[ra + b + 3] = out[r3 + a] = s3;
    }
    for (; b <= a; b++) {
      const rb = b * n;
      let sum = 0;
      for (let i = a; i < n; i++) sum += u[ra + i] * u[rb + i];
      out[ra + b] = sum;
      out[rb + a] = sum;
    }
  }
  return inverse;
}
