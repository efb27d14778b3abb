import { foldsInFormat } from '../space/recipe.js';
import type { SearchSpace } from '../space/space.js';

/**
 * One line for whoever will take a search's recipe to supermerger, said before the run rather than
 * at export: a preset with weights that supermerger has no slot for (sd1-27's TIME_EMBED and OUT)
 * spends evaluations on values its supermerger string cannot carry. A block that the space always
 * sets to its fold target's value (one group, or frozen to the same value) loses nothing.
 */
export function supermergerNotice(space: SearchSpace): string | undefined {
  const preset = space.preset.id;
  const { folds, exactPreset } = foldsInFormat(preset, 'supermerger');
  const lossy = folds.filter(([own, into]) => !alwaysEqual(space, own, into));
  if (lossy.length === 0) return undefined;
  const own = lossy.map(([block]) => block).join(' and ');
  const into = lossy.map(([, block]) => block).join(' and ');
  const [weights, them] = lossy.length === 1 ? ['a weight of its own', 'it'] : ['weights of their own', 'them'];
  return `preset ${preset} gives ${own} ${weights}, which supermerger has no slot for (its supermerger export folds ${them} into ${into}); for a supermerger recipe, use preset ${exactPreset}`;
}

function alwaysEqual(space: SearchSpace, a: string, b: string): boolean {
  if (a in space.frozen || b in space.frozen) return space.frozen[a] === space.frozen[b];
  return space.variables.some((v) => v.blocks.includes(a) && v.blocks.includes(b));
}
