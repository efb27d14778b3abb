import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { Rng } from '../util/rng.js';
import { cmaParameters, type CmaParameters } from './cma-es-parameters.js';

/** The search distribution N(m, σ² C) as it was when a generation was sampled: C = B diag(D²) Bᵀ. */
export interface CmaSnapshot {
  readonly mean: readonly number[];
  readonly sigma: number;
  readonly B: Matrix;
  readonly D: readonly number[];
}

/** One sample: z ~ N(0, I), y = B D z ~ N(0, C); the point is m + σ y. */
export interface CmaSample {
  readonly z: readonly number[];
  readonly y: readonly number[];
}

/** Negative eigenvalues of C (rounding) are replaced by this, as in cmaes. */
const MIN_EIGENVALUE = 1e-8;
const TOL_FUN = 1e-12;
/** Relative to σ0. */
const TOL_X = 1e-12;
const TOL_X_UP = 1e4;
const TOL_CONDITION = 1e14;

/**
 * One CMA-ES run (Hansen's tutorial, arXiv:1604.00772): the mean, step size, covariance matrix
 * and evolution paths, updated one generation at a time. Each generation is ranked and weighted
 * with the quantities it was sampled from (its snapshot), and the result is applied to the
 * current state; when generations do not overlap this is the textbook update.
 */
export class CmaDistribution {
  private m: number[];
  private sigma: number;
  private C: Matrix;
  private B: Matrix;
  private D: number[];
  private pSigma: number[];
  private pc: number[];
  /** Updates made so far in this run. */
  private generation = 0;
  /** Best and worst value of each of the last funhist generations, for the tolfun criterion. */
  private readonly history: Array<[number, number]> = [];
  private readonly parameters = new Map<number, CmaParameters>();

  constructor(
    readonly dim: number,
    readonly lambda: number,
    mean: readonly number[],
    private readonly sigma0: number,
  ) {
    this.m = mean.slice();
    this.sigma = sigma0;
    this.C = Matrix.eye(dim);
    this.B = Matrix.eye(dim);
    this.D = new Array<number>(dim).fill(1);
    this.pSigma = new Array<number>(dim).fill(0);
    this.pc = new Array<number>(dim).fill(0);
  }

  get mean(): readonly number[] {
    return this.m;
  }

  get stepSize(): number {
    return this.sigma;
  }

  get covariance(): Matrix {
    return this.C;
  }

  snapshot(): CmaSnapshot {
    return { mean: this.m.slice(), sigma: this.sigma, B: this.B, D: this.D.slice() };
  }

  /** The strategy parameters for a generation of `lambda` successful samples. */
  parametersFor(lambda: number): CmaParameters {
    let p = this.parameters.get(lambda);
    if (!p) {
      p = cmaParameters(this.dim, lambda);
      this.parameters.set(lambda, p);
    }
    return p;
  }

  /**
   * Updates from the ranked samples of one generation (best first, at least two), drawn from
   * `from`. Implements eqs. 39–47 with active CMA's negative weights (eqs. 46, 53).
   */
  update(ranked: readonly CmaSample[], from: CmaSnapshot, values: { best: number; worst: number }): void {
    const n = this.dim;
    const p = this.parametersFor(ranked.length);
    const Y = new Matrix(ranked.map((s) => [...s.y])).transpose();
    const Z = new Matrix(ranked.map((s) => [...s.z])).transpose();
    const positive = p.weights.map((w, i) => (i < p.mu ? w : 0));
    const yw = Y.mmul(Matrix.columnVector(positive)).getColumn(0);
    // C^{-1/2} y_w of the sampling distribution: B D⁻¹ Bᵀ B D z = B z.
    const invSqrtCyw = from.B.mmul(Z.mmul(Matrix.columnVector(positive))).getColumn(0);

    this.m = this.m.map((v, i) => v + from.sigma * yw[i]);
    const sigmaPathScale = Math.sqrt(p.cSigma * (2 - p.cSigma) * p.muEff);
    this.pSigma = this.pSigma.map((v, i) => (1 - p.cSigma) * v + sigmaPathScale * invSqrtCyw[i]);
    const pSigmaNorm = Math.hypot(...this.pSigma);
    this.sigma *= Math.exp((p.cSigma / p.dSigma) * (pSigmaNorm / p.chiN - 1));

    this.generation++;
    const hSigma = pSigmaNorm / Math.sqrt(1 - (1 - p.cSigma) ** (2 * this.generation)) < (1.4 + 2 / (n + 1)) * p.chiN ? 1 : 0;
    const pathScale = hSigma * Math.sqrt(p.cc * (2 - p.cc) * p.muEff);
    this.pc = this.pc.map((v, i) => (1 - p.cc) * v + pathScale * yw[i]);

    // Negative weights act on directions rescaled to length √n in the sampling metric (eq. 46).
    const adjusted = p.weights.map((w, k) => (w >= 0 ? w : (w * n) / ranked[k].z.reduce((s, v) => s + v * v, 0)));
    const weightSum = p.weights.reduce((s, v) => s + v, 0);
    const deltaH = (1 - hSigma) * p.cc * (2 - p.cc);
    const pcColumn = Matrix.columnVector(this.pc);
    const C = this.C.clone()
      .mul(1 + p.c1 * deltaH - p.c1 - p.cMu * weightSum)
      .add(pcColumn.mmulByTranspose().mul(p.c1))
      .add(Y.mmulByTranspose(adjusted).mul(p.cMu));
    this.decompose(C);

    this.history.push([values.best, values.worst]);
    if (this.history.length > this.funHistoryLength()) this.history.shift();
  }

  /** Draws z ~ N(0, I) and maps it to y = B D z. */
  static sample(from: CmaSnapshot, rng: Rng): CmaSample {
    const z = from.D.map(() => rng.normal());
    const y = from.B.mmul(Matrix.columnVector(z.map((v, i) => v * from.D[i]))).getColumn(0);
    return { z, y };
  }

  /** The sample that lands on x: y = (x − m)/σ, z = D⁻¹ Bᵀ y. */
  static sampleAt(from: CmaSnapshot, x: readonly number[]): CmaSample {
    const y = x.map((v, i) => (v - from.mean[i]) / from.sigma);
    const z = from.B.transpose().mmul(Matrix.columnVector(y)).getColumn(0).map((v, i) => v / from.D[i]);
    return { z, y };
  }

  /**
   * The stopping criteria of the tutorial's appendix B (as cmaes checks them): flat values over
   * the recent generations (tolfun), a distribution shrunk below TOL_X·σ0 (tolx), one blown up
   * (tolxup), steps too small to change the mean in floating point, or C's condition number
   * above 1e14.
   */
  shouldStop(): boolean {
    const n = this.dim;
    const diag = Array.from({ length: n }, (_, i) => this.C.get(i, i));
    if (this.generation > this.funHistoryLength()) {
      const values = this.history.flat();
      if (Math.max(...values) - Math.min(...values) < TOL_FUN) return true;
    }
    const tolX = TOL_X * this.sigma0;
    if (diag.every((c, i) => this.sigma * Math.sqrt(c) < tolX && this.sigma * Math.abs(this.pc[i]) < tolX)) return true;
    if (this.sigma * Math.max(...this.D) > TOL_X_UP) return true;
    if (this.m.some((v, i) => v === v + 0.2 * this.sigma * Math.sqrt(diag[i]))) return true;
    const axis = this.generation % n;
    if (this.m.every((v, i) => v === v + 0.1 * this.sigma * this.D[axis] * this.B.get(i, axis))) return true;
    return (Math.max(...this.D) / Math.min(...this.D)) ** 2 > TOL_CONDITION;
  }

  /** 10 + ⌈30 n / λ⌉ generations. */
  private funHistoryLength(): number {
    return 10 + Math.ceil((30 * this.dim) / this.lambda);
  }

  private decompose(C: Matrix): void {
    const symmetric = C.add(C.transpose()).mul(0.5);
    const evd = new EigenvalueDecomposition(symmetric, { assumeSymmetric: true });
    const eigenvalues = evd.realEigenvalues.map((e) => (e < 0 ? MIN_EIGENVALUE : e));
    this.B = evd.eigenvectorMatrix;
    this.D = eigenvalues.map(Math.sqrt);
    // Rebuilt from the repaired eigenvalues, so C and its factors agree exactly.
    this.C = this.B.mmul(Matrix.diag(eigenvalues)).mmul(this.B.transpose());
  }
}
