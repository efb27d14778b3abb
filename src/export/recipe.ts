import { formatRecipeString, RECIPE_FORMATS, type Recipe, type RecipeFormat } from '../space/recipe.js';
import type { RunData } from '../report/run-data.js';

/** The best recipe as named JSON: what `merge --recipe` and warm starts read, with where it came from. */
export interface NamedRecipe extends Recipe {
  name: string;
  value: number;
  trial: number;
  run: string;
}

export function bestRecipe(run: RunData): NamedRecipe | undefined {
  if (!run.best) return undefined;
  return {
    name: `${run.config.name ?? 'run'} ${run.info.hash.slice(0, 12)} trial ${run.best.id}`,
    preset: run.config.space.preset,
    weights: { ...run.best.weights },
    value: run.best.value!,
    trial: run.best.id,
    run: run.info.hash,
  };
}

export type RecipeString = { format: RecipeFormat; text: string; warnings: string[] } | { format: RecipeFormat; error: string };

/**
 * The recipe as the strings other tools take: supermerger's (26 values for SD1, 20 for SDXL),
 * auto-MBW-rt's and runtime-block-merge's (27 each, SD1 only). A conversion that loses
 * information says so in `warnings`; one that is impossible (an SDXL recipe for auto-MBW-rt)
 * gives `error`.
 */
export function recipeStrings(recipe: Recipe): RecipeString[] {
  return RECIPE_FORMATS.map((format) => {
    try {
      return { format, ...formatRecipeString(recipe, format) };
    } catch (e) {
      return { format, error: (e as Error).message };
    }
  });
}
