import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { DenseMatrix } from '../../src/gp/dense-matrix.js';

describe('DenseMatrix', () => {
  it('keeps its rows one after another in one array', () => {
    const m = DenseMatrix.fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.get(1, 0)).toBe(4);
    m.set(0, 2, 9);
    expect(m.data[2]).toBe(9);
  });

  it('is an ml-matrix matrix: mmul and transpose take it as it is, on either side', () => {
    const a = DenseMatrix.fromRows([
      [1, 2],
      [3, 4],
    ]);
    expect(a.mmul(a.transpose()).to2DArray()).toEqual([
      [5, 11],
      [11, 25],
    ]);
    expect(new Matrix([[1, 0], [0, 1]]).mmul(a).to2DArray()).toEqual(a.to2DArray());
  });

  it('gives row views that write through to the matrix', () => {
    const m = new DenseMatrix(2, 2);
    m.rowView(1)[0] = 7;
    expect(m.get(1, 0)).toBe(7);
  });

  it('copies any ml-matrix matrix, and itself only when asked to', () => {
    const plain = new Matrix([[1, 2]]);
    const dense = DenseMatrix.from(plain);
    expect(Array.from(dense.data)).toEqual([1, 2]);
    expect(DenseMatrix.from(dense, false)).toBe(dense);
    const copy = DenseMatrix.from(dense);
    copy.set(0, 0, 5);
    expect(dense.get(0, 0)).toBe(1);
  });

  it('rejects rows of the wrong width and data of the wrong length, naming what was expected', () => {
    expect(() => DenseMatrix.fromRows([[1, 2], [3]])).toThrow('row 1 has 1 values, expected 2');
    expect(() => new DenseMatrix(2, 2, new Float64Array(3))).toThrow('2 × 2 needs 4 values, got 3');
  });
});
