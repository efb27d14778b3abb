import type { Rng } from '../util/rng.js';

/** How much the step grows each time a neighbour lands on a point already taken. */
const GROWTH = 1.5;
const MAX_DRAWS = 16;

/**
 * A normal neighbour of `centre` in the unit cube: every coordinate moves by epsilon·N(0,1) and is
 * clipped to [0,1] (GFO's defaults). On a quantized space a small step often snaps back onto the
 * centre or onto a point already evaluated, so each redraw widens the step until `isFree` accepts
 * the point; after MAX_DRAWS the last draw is returned and the caller's de-duplication applies.
 */
export function normalNeighbour(centre: readonly number[], epsilon: number, rng: Rng, isFree: (x: readonly number[]) => boolean): number[] {
  let x: number[] = [...centre];
  for (let draw = 0, scale = epsilon; draw < MAX_DRAWS; draw++, scale *= GROWTH) {
    x = centre.map((c) => Math.min(1, Math.max(0, c + scale * rng.normal())));
    if (isFree(x)) break;
  }
  return x;
}
