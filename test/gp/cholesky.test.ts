import { CholeskyDecomposition, inverse, Matrix, solve } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskyWithJitter, CholeskyError, inverseFromCholesky, solveLower, solveLowerRows, solveUpper } from '../../src/gp/cholesky.js';
import { DenseMatrix } from '../../src/gp/dense-matrix.js';
import { Rng } from '../../src/util/rng.js';

/** A random symmetric positive-definite matrix B Bᵀ + n I. */
function spd(n: number, seed: number): DenseMatrix {
  const rng = Rng.fromSeed(seed);
  const b = Matrix.from1DArray(n, n, Array.from({ length: n * n }, () => rng.normal()));
  return DenseMatrix.from(b.mmul(b.transpose()).add(Matrix.eye(n).mul(n)));
}

function factor(a: DenseMatrix): DenseMatrix {
  const l = new DenseMatrix(a.rows, a.rows);
  expect(choleskyInPlace(a, l)).toBe(true);
  return l;
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// Sizes around the four-row blocking: remainders 0–3 and a single element.
const SIZES = [1, 3, 4, 5, 7, 13, 32];

describe('Cholesky factor', () => {
  it.each(SIZES)("matches ml-matrix's CholeskyDecomposition of the same matrix in the lower triangle (n = %i)", (n) => {
    const a = spd(n, n);
    const l = factor(a);
    const reference = new CholeskyDecomposition(a).lowerTriangularMatrix;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(l.get(i, j)).toBeCloseTo(reference.get(i, j), 10);
  });

  it('reports a matrix that is not positive definite', () => {
    const singular = new DenseMatrix(3, 3, Float64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1]));
    expect(choleskyInPlace(singular, new DenseMatrix(3, 3))).toBe(false);
  });

  it('adds no jitter to a matrix that factors as it is', () => {
    expect(choleskyWithJitter(spd(5, 5), new DenseMatrix(5, 5))).toBe(0);
  });

  it('adds the smallest jitter of its ladder that makes a slightly indefinite matrix factor', () => {
    // Eigenvalues 2 + 1e-5 and −1e-5: 1e-5 of jitter is not enough, 1e-4 (of the mean diagonal, 1) is.
    const nearlySingular = new DenseMatrix(2, 2, Float64Array.from([1, 1 + 1e-5, 1 + 1e-5, 1]));
    const l = new DenseMatrix(2, 2);
    expect(choleskyWithJitter(nearlySingular, l)).toBeCloseTo(1e-4, 18);
    expect(l.get(0, 0) * l.get(1, 0)).toBeCloseTo(1 + 1e-5, 12);
  });

  it('gives up with a CholeskyError on a matrix no small jitter can fix', () => {
    const indefinite = new DenseMatrix(2, 2, Float64Array.from([1, 2, 2, 1]));
    expect(() => choleskyWithJitter(indefinite, new DenseMatrix(2, 2))).toThrow(CholeskyError);
  });
});

describe('triangular solves and the inverse', () => {
  it.each(SIZES)("solve L Lᵀ x = b like ml-matrix's CholeskyDecomposition.solve (n = %i)", (n) => {
    const a = spd(n, 100 + n);
    const l = factor(a);
    const rng = Rng.fromSeed(n);
    const b = Array.from({ length: n }, () => rng.normal());
    const x = solveUpper(l, solveLower(l, b, new Float64Array(n)), new Float64Array(n));
    const reference = new CholeskyDecomposition(a).solve(Matrix.columnVector(b)).to1DArray();
    expect(maxDifference(x, reference)).toBeLessThan(1e-12);
  });

  it.each([1, 7, 8, 9, 17])('solveLowerRows solves every row of a block like ml-matrix solves L X = Bᵀ (%i rows, n = 13)', (m) => {
    const n = 13;
    const l = factor(spd(n, 200 + m));
    const rng = Rng.fromSeed(m);
    const block = new DenseMatrix(m, n, Float64Array.from({ length: m * n }, () => rng.normal()));
    const reference = solve(l, block.transpose()).transpose();
    solveLowerRows(l, block);
    expect(maxDifference(block.data, reference.to1DArray())).toBeLessThan(1e-12);
  });

  it.each(SIZES)("inverts L Lᵀ like ml-matrix's inverse, both triangles filled (n = %i)", (n) => {
    const a = spd(n, 300 + n);
    const inv = inverseFromCholesky(factor(a), new DenseMatrix(n, n), new DenseMatrix(n, n));
    expect(maxDifference(inv.data, inverse(a).to1DArray())).toBeLessThan(1e-12);
  });
});
