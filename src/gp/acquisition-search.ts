import type { Rng } from '../util/rng.js';
import { SOBOL_MAX_DIM, sobolPoints } from '../qmc/sobol.js';
import type { Acquisition } from './acquisition.js';
import { DenseMatrix } from './dense-matrix.js';
import type { GaussianProcess } from './gaussian-process.js';
import { minimizeBox } from './lbfgsb.js';

/** An axis-aligned box inside the unit cube. */
export interface Region {
  lower: Float64Array;
  upper: Float64Array;
}

export interface AcquisitionSearchOptions {
  /** Where proposals may lie: the unit cube, or a trust region. */
  region: Region;
  /** Quasi-random points scored before any refinement. */
  candidates: number;
  /** Where to look closely: usually the best points seen so far. */
  anchors: readonly (readonly number[])[];
  /** Points perturbed around each anchor. */
  perturbations: number;
  /** Best-scoring candidates refined by gradient ascent. */
  localStarts: number;
  /** Acquisition evaluations per refinement. */
  localEvaluations: number;
  /** Moves a point onto the grid the objective sees. */
  snap(x: readonly number[]): number[];
  /** True for points that must not be proposed (pending, observed, earlier in the batch). */
  taken(x: readonly number[]): boolean;
}

/**
 * How far (in unit-cube coordinates) a refinement may move from its candidate. The acquisition
 * rises, however slightly, towards the faces of the cube along every dimension with a long
 * lengthscale (the variance grows there), and an unbounded quasi-Newton step follows that
 * near-zero curvature all the way to a face: in 27-D that sent most coordinates of most
 * proposals to 0 or 1. Refinement is a local polish; reaching far is the candidates' job.
 */
const REFINE_RADIUS = 0.1;

/**
 * Maximizes an acquisition over a region: scores a scrambled Sobol' set plus perturbations of
 * the anchors (in 27-D a uniform set almost never lands near the incumbent, where EI is often
 * highest), polishes the best few by bounded L-BFGS on the exact gradient, and returns the best
 * point that survives snapping to the grid and is not taken. Undefined when every candidate is
 * taken (a tiny, exhausted grid).
 */
export function maximizeAcquisition(gp: GaussianProcess, acquisition: Acquisition, rng: Rng, options: AcquisitionSearchOptions): number[] | undefined {
  const d = gp.d;
  const { region } = options;
  const points = candidatePoints(d, rng, options);
  const m = points.rows;
  const scores = score(gp, acquisition, points);
  const order = Array.from({ length: m }, (_, p) => p).sort((a, b) => scores[b] - scores[a] || a - b);
  const candidate = (p: number) => Array.from(points.rowView(p));

  const lower = new Float64Array(d);
  const upper = new Float64Array(d);
  const slopes = new Float64Array(2);
  const negative = (x: Float64Array, grad: Float64Array): number => {
    const p = gp.predictWithGradient(x);
    const sd = Math.sqrt(p.variance);
    acquisition.slopes(p.mean, sd, slopes);
    for (let c = 0; c < d; c++) grad[c] = -(slopes[0] * p.meanGradient[c] + (slopes[1] * p.varianceGradient[c]) / (2 * sd));
    return -acquisition.value(p.mean, sd);
  };
  const shortlist: number[][] = [];
  for (const p of order.slice(0, options.localStarts)) {
    const start = points.rowView(p);
    for (let c = 0; c < d; c++) {
      lower[c] = Math.max(region.lower[c], start[c] - REFINE_RADIUS);
      upper[c] = Math.min(region.upper[c], start[c] + REFINE_RADIUS);
    }
    shortlist.push(Array.from(minimizeBox(negative, start, { lower, upper, maxEvaluations: options.localEvaluations, gradientTolerance: 1e-6 }).x));
    // The unrefined candidate stays in the running: snapping can move a refined point onto a worse cell.
    shortlist.push(candidate(p));
  }

  const open = shortlist.map((s) => options.snap(s)).filter((x) => !options.taken(x));
  const openScores = score(gp, acquisition, DenseMatrix.fromRows(open, d));
  let best: number[] | undefined;
  let bestScore = -Infinity;
  for (let q = 0; q < open.length; q++) if (openScores[q] > bestScore) [best, bestScore] = [open[q], openScores[q]];
  if (best) return best;
  // Everything shortlisted snapped onto taken points: take the best candidate that did not.
  for (const p of order) {
    const x = options.snap(candidate(p));
    if (!options.taken(x)) return x;
  }
  return undefined;
}

/** The acquisition at each row of `points`, from one block prediction. */
function score(gp: GaussianProcess, acquisition: Acquisition, points: DenseMatrix): Float64Array {
  const { mean, variance } = gp.predict(points);
  return Float64Array.from(mean, (mu, p) => acquisition.value(mu, Math.sqrt(variance[p])));
}

/**
 * Sobol' points in the region (uniform beyond the direction numbers' dimension), and
 * perturbations of the anchors, m × d. Each perturbation moves a random subset of about 20
 * coordinates (all of them up to 20-D), as BoTorch's sample_perturbed_subset_dims does, by
 * normal steps of a scale log-uniform in [0.003, 0.3] of the region's width, reflected back into
 * the region. (Sparser subsets looked better one step ahead but lost over whole runs.)
 */
function candidatePoints(d: number, rng: Rng, options: AcquisitionSearchOptions): DenseMatrix {
  const { candidates, perturbations, anchors, region } = options;
  const matrix = new DenseMatrix(candidates + perturbations * anchors.length, d);
  const points = matrix.data;
  const base = d <= SOBOL_MAX_DIM ? sobolPoints(candidates, d, rng.derive('sobol')) : undefined;
  for (let p = 0; p < candidates; p++) {
    for (let c = 0; c < d; c++) {
      const u = base ? base[p][c] : rng.float();
      points[p * d + c] = region.lower[c] + u * (region.upper[c] - region.lower[c]);
    }
  }
  const moveProbability = Math.min(1, 20 / d);
  let p = candidates;
  for (const anchor of anchors) {
    for (let k = 0; k < perturbations; k++, p++) {
      const scale = 0.3 * 10 ** (-2 * rng.float());
      const forced = rng.int(d);
      for (let c = 0; c < d; c++) {
        const lo = region.lower[c];
        const width = region.upper[c] - lo;
        const at = Math.min(region.upper[c], Math.max(lo, anchor[c]));
        const move = width > 0 && (c === forced || rng.float() < moveProbability);
        points[p * d + c] = move ? lo + width * reflect((at - lo) / width + scale * rng.normal()) : at;
      }
    }
  }
  return matrix;
}

/** Folds a coordinate back into [0, 1] by reflection at the faces: clipping would pile candidates onto the boundary. */
function reflect(v: number): number {
  const folded = Math.abs(v) % 2;
  return folded > 1 ? 2 - folded : folded;
}
