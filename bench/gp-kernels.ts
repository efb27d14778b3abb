/**
 * The GP's hand-written kernels against ml-matrix's own routines, on the same DenseMatrix
 * inputs (src/gp/dense-matrix.ts): which kernels earn their place. For each size n (data points)
 * and a candidate block of m = 1536 rows (gp-bo's default 1024 Sobol' points plus 512
 * perturbations) in 27-D, it times
 *
 *   cholesky   factor K (n × n): ml-matrix CholeskyDecomposition against choleskyInPlace
 *   solve      the candidates' L⁻¹ K*ᵀ: ml-matrix CholeskyDecomposition.solve(K*ᵀ), which also
 *              runs the Lᵀ pass (twice the work), against solveLowerRows (the L pass only)
 *   inverse    K⁻¹ from the factor: ml-matrix CholeskyDecomposition.solve(I) against
 *              inverseFromCholesky
 *   cross      the m × n Matérn cross-covariance: ml-matrix mmul for ‖a‖² + ‖b‖² − 2 a·b of the
 *              lengthscale-scaled points, then the kernel per entry, against crossCovariance
 *   mean       the candidates' means K* α: ml-matrix mmul against the loop in GaussianProcess.predict
 *
 * and prints the median CPU time of --repeats runs of each, after one untimed warm-up run, (CPU time: the machine's other load
 * inflates it far less than wall time) and the ratio, as Markdown. Results agree to 1e-9
 * relative or the script fails.
 *
 *   npx tsx bench/gp-kernels.ts [--n 200,500] [--repeats 3]     (npm run bench:gp-kernels)
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { answerHelp } from './help.js';
import { choleskyInPlace, inverseFromCholesky, solveLowerRows } from '../src/gp/cholesky.js';
import { DenseMatrix } from '../src/gp/dense-matrix.js';
import { correlationMatrix, crossCovariance } from '../src/gp/matern52.js';
import { Rng } from '../src/util/rng.js';

answerHelp(import.meta.url);

const DIM = 27;
const CANDIDATES = 1536;
const SQRT5 = Math.sqrt(5);

function cpuMs(work: () => unknown): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

/** The median of `repeats` timed runs after one untimed run, which lets the JIT compile the kernel. */
function medianCpu(repeats: number, work: () => unknown): number {
  work();
  const times = Array.from({ length: repeats }, () => cpuMs(work)).sort((a, b) => a - b);
  return times[times.length >> 1];
}

function check(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  let scale = 0;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]));
    worst = Math.max(worst, Math.abs(a[i] - b[i]));
  }
  if (!(worst <= 1e-9 * Math.max(scale, 1))) throw new Error(`${name}: ml-matrix and the hand kernel disagree by ${worst}`);
}

/** K* by ml-matrix: scaled points, one mmul for the inner products, the Matérn kernel per entry. */
function crossByMmul(points: DenseMatrix, x: DenseMatrix, w: Float64Array, signal: number): Matrix {
  const scale = Matrix.rowVector(Array.from(w, Math.sqrt));
  const a = new Matrix(points).mulRowVector(scale);
  const b = new Matrix(x).mulRowVector(scale);
  const aa = a.clone().pow(2).sum('row');
  const bb = b.clone().pow(2).sum('row');
  const k = a.mmul(b.transpose());
  for (let p = 0; p < k.rows; p++) {
    for (let i = 0; i < k.columns; i++) {
      const t = SQRT5 * Math.sqrt(Math.max(aa[p] + bb[i] - 2 * k.get(p, i), 0));
      k.set(p, i, signal * (1 + t + (t * t) / 3) * Math.exp(-t));
    }
  }
  return k;
}

function meanByLoop(k: DenseMatrix, alpha: Float64Array): Float64Array {
  const { rows: m, columns: n, data } = k;
  const mean = new Float64Array(m);
  for (let p = 0; p < m; p++) {
    let mu = 0;
    for (let i = 0, r = p * n; i < n; i++) mu += data[r + i] * alpha[i];
    mean[p] = mu;
  }
  return mean;
}

function main(): void {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '200,500' }, repeats: { type: 'string', default: '3' } } });
  const sizes = values.n.split(',').map(Number);
  const repeats = Number(values.repeats);
  const rng = Rng.fromSeed('gp-kernels');
  const uniform = (rows: number, columns: number) => new DenseMatrix(rows, columns, Float64Array.from({ length: rows * columns }, () => rng.float()));
  const w = Float64Array.from({ length: DIM }, () => 1 / (DIM * (0.5 + rng.float())));

  console.log(
    `GP kernels in ${DIM}-D, ${CANDIDATES} candidates (${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)} at start): median CPU time of ${repeats} runs.\n`,
  );
  console.log('| kernel | n | ml-matrix | hand-written | ml-matrix / hand |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  const row = (name: string, n: number, library: number, hand: number) =>
    console.log(`| ${name} | ${n} | ${library.toFixed(1)} ms | ${hand.toFixed(1)} ms | ${(library / hand).toFixed(1)}× |`);

  for (const n of sizes) {
    const x = uniform(n, DIM);
    const points = uniform(CANDIDATES, DIM);
    const kernel = new DenseMatrix(n, n);
    correlationMatrix(x, w, kernel);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) kernel.data[j * n + i] = kernel.data[i * n + j];
      kernel.data[i * n + i] += 1e-2;
    }

    const factor = new DenseMatrix(n, n);
    const libraryFactor = new CholeskyDecomposition(kernel);
    choleskyInPlace(kernel, factor);
    check('cholesky', factor.data, libraryFactor.lowerTriangularMatrix.to1DArray());
    row('Cholesky factor', n, medianCpu(repeats, () => new CholeskyDecomposition(kernel)), medianCpu(repeats, () => choleskyInPlace(kernel, new DenseMatrix(n, n))));

    const kStar = crossCovariance(points, x, w, 1);
    const byMmul = crossByMmul(points, x, w, 1);
    check('cross-covariance', kStar.data, byMmul.to1DArray());
    row('cross-covariance K* (m × n)', n, medianCpu(repeats, () => crossByMmul(points, x, w, 1)), medianCpu(repeats, () => crossCovariance(points, x, w, 1)));

    const kStarT = kStar.transpose();
    const half = solveLowerRows(factor, kStar.clone());
    const full = libraryFactor.solve(kStarT);
    // The library's solve is K⁻¹ K*ᵀ; Lᵀ times it must give back the hand kernel's L⁻¹ K*ᵀ.
    check('solve', new DenseMatrix(n, n, factor.data).transpose().mmul(full).transpose().to1DArray(), half.data);
    row('L⁻¹ K*ᵀ, m right-hand sides', n, medianCpu(repeats, () => libraryFactor.solve(kStarT)), medianCpu(repeats, () => solveLowerRows(factor, kStar.clone())));

    const inverse = inverseFromCholesky(factor, new DenseMatrix(n, n), new DenseMatrix(n, n));
    check('inverse', inverse.data, libraryFactor.solve(Matrix.eye(n)).to1DArray());
    row('K⁻¹ from the factor', n, medianCpu(repeats, () => libraryFactor.solve(Matrix.eye(n))), medianCpu(repeats, () => inverseFromCholesky(factor, new DenseMatrix(n, n), new DenseMatrix(n, n))));

    const alpha = Float64Array.from({ length: n }, () => rng.normal());
    const alphaColumn = Matrix.columnVector(Array.from(alpha));
    check('mean', meanByLoop(kStar, alpha), kStar.mmul(alphaColumn).to1DArray());
    row('means K* α', n, medianCpu(repeats, () => kStar.mmul(alphaColumn)), medianCpu(repeats, () => meanByLoop(kStar, alpha)));
  }
}

main();
