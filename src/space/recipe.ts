import { readFileSync } from 'node:fs';
import { getPreset } from './presets.js';

/**
 * Recipes in the forms users exchange them:
 * - named JSON: `{ "preset": "sd1-27", "weights": { "IN00": 0.5, … } }` (autombw's own; best.json has this shape)
 * - `supermerger`: 26 comma-separated values in the order BASE, IN00–IN11, M00, OUT00–OUT11
 *   (SD1, preset sd1-26), or 20 values BASE, IN00–IN08, M00, OUT00–OUT08 (SDXL, preset sdxl-20)
 * - `mbw-rt`: 27 values IN00–IN11, M00, OUT00–OUT11, OUT, TIME_EMBED (preset sd1-27): the line
 *   auto-MBW-rt writes into <model>.recipe.txt (its save_checkpoint moves OUT and TIME_EMBED out of
 *   the natsort order to the end), also the text-field order of the runtime-block-merge forks it drives
 * - `rbm`: 27 values IN00–IN11, M00, OUT00–OUT11, TIME_EMBED, OUT (preset sd1-27): the slider and
 *   weight-command order of the original sd-webui-runtime-block-merge (ashen-sensored)
 * The two 27-value orders differ only in their last two values, so reading one as the other swaps
 * TIME_EMBED and OUT without any error; see docs/blocks.md.
 */
export type RecipeFormat = 'supermerger' | 'mbw-rt' | 'rbm';

export const RECIPE_FORMATS: readonly RecipeFormat[] = ['supermerger', 'mbw-rt', 'rbm'];

/** Where each weight of a recipe string goes: the preset it reads into, and its blocks in string order. */
interface StringLayout {
  preset: string;
  order: readonly string[];
  /** The order in words, for error messages. */
  described: string;
}

const SD1_UNET = getPreset('sd1-26')!.blocks.filter((b) => b !== 'BASE');
const SD1_UNET_IN_WORDS = 'IN00–IN11, M00, OUT00–OUT11';

const LAYOUTS: Record<RecipeFormat, { name: string; layouts: StringLayout[] }> = {
  supermerger: {
    name: 'a supermerger recipe',
    layouts: [
      { preset: 'sd1-26', order: getPreset('sd1-26')!.blocks, described: `SD1: BASE, ${SD1_UNET_IN_WORDS}` },
      { preset: 'sdxl-20', order: getPreset('sdxl-20')!.blocks, described: 'SDXL: BASE, IN00–IN08, M00, OUT00–OUT08' },
    ],
  },
  'mbw-rt': {
    name: 'an auto-MBW-rt recipe',
    layouts: [{ preset: 'sd1-27', order: [...SD1_UNET, 'OUT', 'TIME_EMBED'], described: `${SD1_UNET_IN_WORDS}, OUT, TIME_EMBED` }],
  },
  rbm: {
    name: 'a runtime-block-merge recipe',
    layouts: [{ preset: 'sd1-27', order: [...SD1_UNET, 'TIME_EMBED', 'OUT'], described: `${SD1_UNET_IN_WORDS}, TIME_EMBED, OUT` }],
  },
};

export interface Recipe {
  preset: string;
  weights: Record<string, number>;
}

export function parseRecipeString(text: string, format: RecipeFormat): Recipe {
  const values = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const numbers = values.map((s) => {
    const v = Number(s);
    if (!Number.isFinite(v)) throw new Error(`"${s}" is not a number`);
    return v;
  });
  const { name, layouts } = LAYOUTS[format];
  const layout = layouts.find((l) => l.order.length === numbers.length);
  if (!layout) {
    const expected = layouts.map((l) => `${l.order.length} values (${l.described})`).join(' or ');
    throw new Error(`${name} has ${expected}, got ${numbers.length}`);
  }
  return { preset: layout.preset, weights: Object.fromEntries(layout.order.map((b, i) => [b, numbers[i]])) };
}

/** Blocks that presets without them fold into a neighbour: the only lossy part of a conversion besides BASE. */
const FOLDS: ReadonlyArray<readonly [string, string]> = [['TIME_EMBED', 'IN00'], ['OUT', 'OUT11']];

/** The layout a recipe of `preset` is written in: supermerger has one per architecture. */
function layoutFor(preset: string, format: RecipeFormat): StringLayout {
  const { layouts } = LAYOUTS[format];
  const sdxl = getPreset(preset)?.architectures.includes('sdxl') ?? false;
  return layouts.find((l) => getPreset(l.preset)!.architectures.includes('sdxl') === sdxl) ?? layouts[0];
}

/** The recipe as a string of `format`, converting between presets where needed (see convertRecipe). */
export function formatRecipeString(recipe: Recipe, format: RecipeFormat): { text: string; warnings: string[] } {
  const layout = layoutFor(recipe.preset, format);
  const { recipe: converted, warnings } = convertRecipe(recipe, layout.preset);
  const text = layout.order.map((b) => formatNumber(converted.weights[b])).join(',');
  return { text, warnings };
}

/**
 * Blocks of `preset` that a string of `format` has no value for, each with the block it folds
 * into, and the preset whose recipes that format holds exactly.
 */
export function foldsInFormat(preset: string, format: RecipeFormat): { folds: Array<readonly [string, string]>; exactPreset: string } {
  const layout = layoutFor(preset, format);
  const blocks = getPreset(preset)?.blocks ?? [];
  return { folds: FOLDS.filter(([own]) => blocks.includes(own) && !layout.order.includes(own)), exactPreset: layout.preset };
}

/**
 * Re-expresses a recipe in another preset of the same architecture. Folding is lossy when the
 * folded weights differ (TIME_EMBED vs IN00 going to sd1-26), and a missing BASE means the text
 * encoder stays model A's, which is weight 0; both are reported as warnings.
 */
export function convertRecipe(recipe: Recipe, targetPreset: string): { recipe: Recipe; warnings: string[] } {
  const from = getPreset(recipe.preset);
  const to = getPreset(targetPreset);
  if (!from) throw new Error(`unknown preset "${recipe.preset}"`);
  if (!to) throw new Error(`unknown preset "${targetPreset}"`);
  if (from.id === to.id) return { recipe: { preset: to.id, weights: { ...recipe.weights } }, warnings: [] };
  const sameFamily = from.architectures.some((a) => to.architectures.includes(a));
  if (!sameFamily) throw new Error(`cannot convert a ${from.id} recipe to ${to.id}: different architectures`);

  const w = recipe.weights;
  const warnings: string[] = [];
  // What each target block means, in terms of the source preset's blocks.
  const source = (block: string): number => {
    if (block in w) return w[block];
    const fold = FOLDS.find(([own]) => own === block);
    if (fold) return w[fold[1]];
    if (block === 'BASE') {
      warnings.push(`${from.id} has no BASE weight (text encoder taken from model A); using BASE = 0`);
      return 0;
    }
    throw new Error(`recipe has no weight for ${block}`);
  };
  const weights: Record<string, number> = {};
  for (const b of to.blocks) weights[b] = source(b);
  for (const [own, into] of FOLDS) {
    if (own in w && !to.blocks.includes(own) && w[own] !== w[into]) {
      warnings.push(`${to.id} folds ${own} into ${into}: ${own} = ${w[own]} is replaced by ${into} = ${w[into]}`);
    }
  }
  if ('BASE' in w && !to.blocks.includes('BASE') && w.BASE !== 0) {
    warnings.push(`${to.id} does not merge the text encoder: BASE = ${w.BASE} is dropped (model A's is kept)`);
  }
  return { recipe: { preset: to.id, weights }, warnings };
}

/** Reads a named-JSON recipe file (a best.json works too). */
export function readRecipeFile(file: string): Recipe {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read recipe ${file}: ${(e as Error).message}`);
  }
  const r = parsed as Partial<Recipe>;
  if (!r || typeof r !== 'object' || typeof r.weights !== 'object' || r.weights === null) {
    throw new Error(`${file} is not a recipe: expected {"preset": "...", "weights": {"IN00": 0.5, ...}}`);
  }
  for (const [k, v] of Object.entries(r.weights)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${file}: weight ${k} is not a finite number`);
  }
  return { preset: typeof r.preset === 'string' ? r.preset : '', weights: r.weights as Record<string, number> };
}

function formatNumber(v: number): string {
  return String(Math.round(v * 1e8) / 1e8);
}
