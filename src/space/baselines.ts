import type { SearchSpace } from './space.js';

/**
 * The reference recipes `optimizer.baselines` evaluates, for the weighted-sum merge where weight 0
 * keeps model A and 1 takes model B: what the search is measured against.
 */
export const BASELINES: ReadonlyArray<{ name: string; weight: number }> = [
  { name: 'A alone', weight: 0 },
  { name: 'B alone', weight: 1 },
  { name: 'uniform 0.5', weight: 0.5 },
];

/** A baseline's weights: every searched block at `weight`, frozen blocks at their frozen value. */
export function baselineWeights(space: SearchSpace, weight: number): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const b of space.preset.blocks) weights[b] = b in space.frozen ? space.frozen[b] : weight;
  return weights;
}

/** Which baseline a recipe is (every searched block at its weight), if any. */
export function baselineName(weights: Readonly<Record<string, number>>, frozen: Readonly<Record<string, number>>): string | undefined {
  const searched = Object.entries(weights).filter(([b]) => !(b in frozen));
  return BASELINES.find((base) => searched.length > 0 && searched.every(([, w]) => Math.abs(w - base.weight) < 1e-9))?.name;
}
