import type { Rng } from '../util/rng.js';
import type { DesignKind } from '../optimizers/types.js';
import { lhsPoints } from './lhs.js';
import { sobolPoints } from './sobol.js';

/**
 * Hypercubes drawn for a maximin initial design. Cheap at design sizes (n²·d per draw); for 10–30
 * points in 27-D it lifts the smallest pairwise distance by about 6% over one draw, and 64 draws
 * add only 2% more.
 */
const DESIGN_LHS_CANDIDATES = 16;

/** `n` points of a space-filling (or uniform) design in the `dim`-dimensional unit cube. */
export function initialDesign(kind: DesignKind, n: number, dim: number, rng: Rng): number[][] {
  switch (kind) {
    case 'random':
      return uniformPoints(n, dim, rng);
    case 'sobol':
      return sobolPoints(n, dim, rng);
    case 'lhs':
      return lhsPoints(n, dim, rng, DESIGN_LHS_CANDIDATES);
  }
}

export function uniformPoints(n: number, dim: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.float()));
}
