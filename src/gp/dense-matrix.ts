import { AbstractMatrix } from 'ml-matrix';

/**
 * A row-major matrix on one contiguous Float64Array. ml-matrix's own `Matrix` keeps one array per
 * row; the GP's O(n³) and O(m·n²) kernels (cholesky.ts, matern52.ts) walk `data` directly, which
 * BENCHMARKS.md ("GP kernels: ml-matrix against hand-written") shows to be several times faster
 * than going through get/set. Being an `AbstractMatrix`, it still goes into every ml-matrix
 * operation (mmul, transpose, solve, CholeskyDecomposition…), which return plain `Matrix`es.
 */
export class DenseMatrix extends AbstractMatrix {
  declare readonly rows: number;
  declare readonly columns: number;
  readonly data: Float64Array;

  constructor(rows: number, columns: number, data?: Float64Array) {
    super();
    if (!Number.isInteger(rows) || rows < 0 || !Number.isInteger(columns) || columns < 0) {
      throw new RangeError(`DenseMatrix: dimensions must be non-negative integers, got ${rows} × ${columns}`);
    }
    if (data && data.length !== rows * columns) throw new RangeError(`DenseMatrix: ${rows} × ${columns} needs ${rows * columns} values, got ${data.length}`);
    this.rows = rows;
    this.columns = columns;
    this.data = data ?? new Float64Array(rows * columns);
  }

  /** The rows, which must all have `columns` values (given explicitly so an empty list has a width). */
  static fromRows(rows: ReadonlyArray<ArrayLike<number>>, columns = rows[0]?.length ?? 0): DenseMatrix {
    const out = new DenseMatrix(rows.length, columns);
    rows.forEach((row, i) => {
      if (row.length !== columns) throw new RangeError(`DenseMatrix.fromRows: row ${i} has ${row.length} values, expected ${columns}`);
      out.data.set(row, i * columns);
    });
    return out;
  }

  /** A contiguous copy of any ml-matrix matrix (the matrix itself when it already is one and `copy` is false). */
  static from(matrix: AbstractMatrix, copy = true): DenseMatrix {
    if (matrix instanceof DenseMatrix) return copy ? matrix.clone() : matrix;
    const out = new DenseMatrix(matrix.rows, matrix.columns);
    for (let i = 0; i < matrix.rows; i++) for (let j = 0; j < matrix.columns; j++) out.data[i * matrix.columns + j] = matrix.get(i, j);
    return out;
  }

  get(rowIndex: number, columnIndex: number): number {
    return this.data[rowIndex * this.columns + columnIndex];
  }

  set(rowIndex: number, columnIndex: number, value: number): this {
    this.data[rowIndex * this.columns + columnIndex] = value;
    return this;
  }

  override clone(): this {
    return new DenseMatrix(this.rows, this.columns, this.data.slice()) as this;
  }

  /** Row i as a view (writes go into the matrix). */
  rowView(i: number): Float64Array {
    return this.data.subarray(i * this.columns, (i + 1) * this.columns);
  }
}
