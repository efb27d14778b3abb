import { getPreset } from '../space/presets.js';
import { formatRecipeString, type Recipe } from '../space/recipe.js';

/**
 * A recipe for sdweb-auto-mbw / sdweb-merge-block-weighted-gui (SD1 only): 25 UNet weights
 * (IN00–IN11, M00, OUT00–OUT11, where time_embed counts as IN00 and out as OUT11) and base_alpha
 * for everything outside the UNet (the text encoder): supermerger's 26-value string without its
 * leading BASE, which becomes base_alpha. Weights are B's share, as in both tools.
 */
export function sdwebAutoMbw(recipe: Recipe): { text: string; warnings: string[] } {
  if (getPreset(recipe.preset)?.architectures[0] === 'sdxl') throw new Error('sdweb-auto-mbw merges SD1 checkpoints only; this is an SDXL recipe');
  const { text, warnings } = formatRecipeString(recipe, 'supermerger');
  const [base, ...unet] = text.split(',');
  return { text: `weights: ${unet.join(',')}\nbase_alpha: ${base}`, warnings };
}

