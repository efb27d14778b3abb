import { getPreset } from '../space/presets.js';
import { formatRecipeString } from '../space/recipe.js';
import type { NamedRecipe } from './recipe.js';

/**
 * The recipe as a line of supermerger's weight presets file (`scripts/mbwpresets.txt`, also what
 * its "edit presets" box holds): `name<TAB>26 values`. supermerger keeps a line only when it
 * splits at the first tab or colon into a name and exactly 26 comma-separated values, so the name
 * is reduced to characters that cannot split it, and only SD1 recipes qualify.
 */
export function supermergerPreset(recipe: NamedRecipe): { text: string; warnings: string[] } {
  if (getPreset(recipe.preset)?.architectures[0] === 'sdxl') throw new Error('supermerger\'s presets file holds 26-value SD1 presets; use the supermerger string of an SDXL recipe instead');
  const { text, warnings } = formatRecipeString(recipe, 'supermerger');
  const name = `autombw_${recipe.run.slice(0, 12)}_trial${recipe.trial}`;
  return { text: `${name}\t${text}`, warnings };
}
