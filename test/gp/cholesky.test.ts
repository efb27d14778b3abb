import { CholeskyDecomposition, inverse, Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { choleskyInPlace, choleskyWithJitter, CholeskyError, inverseFromCholesky, solveLower, solveLower4, solveUpper } from '../../src/gp/cholesky.js';
import { Rng } from '../../src/util/rng.js';

/** A random symmetric positive-definite matrix B Bᵀ + n I, as ml-matrix and as a row-major array. */
function spd(n: number, seed: number): { dense: Matrix; flat: Float64Array } {
  const rng = Rng.fromSeed(seed);
  const b = Matrix.from1DArray(n, n, Array.from({ length: n * n }, () => rng.normal()));
  const dense = b.mmul(b.transpose()).add(Matrix.eye(n).mul(n));
  return { dense, flat: Float64Array.from(dense.to1DArray()) };
}

function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// Sizes around the four-row blocking: remainders 0–3 and a single element.
const SIZES = [1, 3, 4, 5, 7, 13, 32];

describe('Cholesky factor', () => {
  it.each(SIZES)('matches ml-matrix in the lower triangle (n = %i)', (n) => {
    const { dense, flat } = spd(n, n);
    const l = new Float64Array(n * n);
    expect(choleskyInPlace(flat, n, l)).toBe(true);
    const reference = new CholeskyDecomposition(dense).lowerTriangularMatrix;
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) expect(l[i * n + j]).toBeCloseTo(reference.get(i, j), 10);
  });

  it('reports a matrix that is not positive definite', () => {
    const n = 3;
    const singular = Float64Array.from([1, 1, 1, 1, 1, 1, 1, 1, 1]);
    expect(choleskyInPlace(singular, n, new Float64Array(n * n))).toBe(false);
  });

  it('adds no jitter to a matrix that factors as it is', () => {
    const { flat } = spd(5, 5);
    expect(choleskyWithJitter(flat, 5, new Float64Array(25))).toBe(0);
  });

  it('adds the smallest jitter of its ladder that makes a slightly indefinite matrix factor', () => {
    // Eigenvalues 2 + 1e-5 and −1e-5: 1e-5 of jitter is not enough, 1e-4 (of the mean diagonal, 1) is.
    const nearlySingular = Float64Array.from([1, 1 + 1e-5, 1 + 1e-5, 1]);
    const l = new Float64Array(4);
    expect(choleskyWithJitter(nearlySingular, 2, l)).toBeCloseTo(1e-4, 18);
    expect(l[0] * l[2]).toBeCloseTo(1 + 1e-5, 12);
  });

  it('gives up with a CholeskyError on a matrix no small jitter can fix', () => {
    const indefinite = Float64Array.from([1, 2, 2, 1]);
    expect(() => choleskyWithJitter(indefinite, 2, new Float64Array(4))).toThrow(CholeskyError);
  });
});

describe('triangular solves and the inverse', () => {
  it.each(SIZES)('solve L Lᵀ x = b like ml-matrix (n = %i)', (n) => {
    const { dense, flat } = spd(n, 100 + n);
    const l = new Float64Array(n * n);
    choleskyInPlace(flat, n, l);
    const rng = Rng.fromSeed(n);
    const b = Array.from({ length: n }, () => rng.normal());
    const x = solveUpper(l, n, solveLower(l, n, b, new Float64Array(n)), new Float64Array(n));
    const reference = new CholeskyDecomposition(dense).solve(Matrix.columnVector(b)).to1DArray();
    expect(maxDifference(x, reference)).toBeLessThan(1e-12);
  });

  it.each(SIZES)('solveLower4 solves four right-hand sides like four calls of solveLower (n = %i)', (n) => {
    const { flat } = spd(n, 200 + n);
    const l = new Float64Array(n * n);
    choleskyInPlace(flat, n, l);
    const rng = Rng.fromSeed(n);
    const block = Float64Array.from({ length: 4 * n }, () => rng.normal());
    const separate = [0, 1, 2, 3].flatMap((q) => Array.from(solveLower(l, n, block.subarray(q * n, (q + 1) * n), new Float64Array(n))));
    solveLower4(l, n, block);
    expect(maxDifference(block, separate)).toBeLessThan(1e-13);
  });

  it.each(SIZES)('inverts L Lᵀ like ml-matrix, both triangles filled (n = %i)', (n) => {
    const { dense, flat } = spd(n, 300 + n);
    const l = new Float64Array(n * n);
    choleskyInPlace(flat, n, l);
    const inv = inverseFromCholesky(l, n, new Float64Array(n * n), new Float64Array(n * n));
    expect(maxDifference(inv, inverse(dense).to1DArray())).toBeLessThan(1e-12);
  });
});
