import type { Rng } from '../util/rng.js';

const MAXIMIN_MAX_POINTS = 2000;

/**
 * A Latin hypercube of `n` points in [0,1)^dim: on every axis each of the n strata
 * [k/n, (k+1)/n) holds exactly one point, placed uniformly inside its stratum.
 *
 * With `candidates` > 1 it is a maximin design: that many hypercubes are drawn and the one whose
 * closest pair of points is farthest apart is kept, which avoids the clumped hypercubes (all
 * points near a diagonal) that plain stratification allows. Comparing candidates takes every pair
 * of points, so above MAXIMIN_MAX_POINTS points (where it would take seconds to hours, and the
 * clumping it avoids matters least) the first hypercube is used.
 */
export function lhsPoints(n: number, dim: number, rng: Rng, candidates = 1): number[][] {
  if (!Number.isInteger(candidates) || candidates < 1) throw new RangeError(`lhsPoints: candidates must be a positive integer, got ${candidates}`);
  let best = latinHypercube(n, dim, rng);
  if (candidates === 1 || n < 2 || n > MAXIMIN_MAX_POINTS) return best;
  let bestSpread = minPairwiseDistance(best);
  for (let c = 1; c < candidates; c++) {
    const design = latinHypercube(n, dim, rng);
    const spread = minPairwiseDistance(design);
    if (spread > bestSpread) {
      best = design;
      bestSpread = spread;
    }
  }
  return best;
}

function latinHypercube(n: number, dim: number, rng: Rng): number[][] {
  const strata = Array.from({ length: dim }, () => rng.shuffle(Array.from({ length: n }, (_, k) => k)));
  return Array.from({ length: n }, (_, i) => strata.map((perm) => (perm[i] + rng.float()) / n));
}

/** Smallest Euclidean distance between two points of the set (Infinity for fewer than two). */
export function minPairwiseDistance(points: readonly (readonly number[])[]): number {
  let min = Infinity;
  for (let i = 0; i < points.length; i++) {
    for (let j = i + 1; j < points.length; j++) {
      let d2 = 0;
      for (let k = 0; k < points[i].length; k++) d2 += (points[i][k] - points[j][k]) ** 2;
      if (d2 < min) min = d2;
    }
  }
  return Math.sqrt(min);
}
