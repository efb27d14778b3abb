import type { Rng } from '../../util/rng.js';
import type { DesignKind } from '../types.js';

/** `n` points of a space-filling (or uniform) design in the `dim`-dimensional unit cube. */
export function initialDesign(kind: DesignKind, n: number, dim: number, rng: Rng): number[][] {
  switch (kind) {
    case 'random':
      return uniformPoints(n, dim, rng);
    case 'sobol':
    case 'lhs':
      // Filled in by the quasi-random designs (sobol.ts, lhs.ts).
      return uniformPoints(n, dim, rng);
  }
}

export function uniformPoints(n: number, dim: number, rng: Rng): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: dim }, () => rng.float()));
}
