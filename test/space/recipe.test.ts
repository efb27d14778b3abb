import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { convertRecipe, formatRecipeString, parseRecipeString } from '../../src/space/recipe.js';
import { PRESETS } from '../../src/space/presets.js';
import { writeTree } from '../support/tmp.js';

const sd27 = PRESETS['sd1-27'].blocks;
// 6DammK9's auto-MBW-rt, docs/15b-AstolfoMix-08b09b.recipe.txt: the recipe line its save_checkpoint
// wrote. The same log prints the optimizer's best point in its own (natsort) order, where index 13 is
// OUT = 1.0 and index 26 is TIME_EMBED = 0.0.
const ASTOLFO_RECIPE_LINE = '0.4,0.9,0.5,0.6,0.5,0.0,0.9,0.9,1.0,0.4,0.3,0.8,0.3,0.9,0.6,0.8,0.9,0.7,0.6,1.0,0.9,0.6,0.7,0.3,0.6,1.0,0.0';
const ramp = (n: number) => Array.from({ length: n }, (_, i) => Math.round((i / (n - 1)) * 100) / 100);

describe('recipe strings', () => {
  it('reads an auto-MBW-rt string in the order IN00–IN11, M00, OUT00–OUT11, OUT, TIME_EMBED', () => {
    const r = parseRecipeString(ramp(27).join(','), 'mbw-rt');
    expect(r.preset).toBe('sd1-27');
    expect(r.weights.IN00).toBe(0);
    expect(r.weights.M00).toBe(ramp(27)[12]);
    expect(r.weights.OUT11).toBe(ramp(27)[24]);
    expect(r.weights.OUT).toBe(ramp(27)[25]);
    expect(r.weights.TIME_EMBED).toBe(1);
  });

  it('reads a real auto-MBW-rt recipe.txt line onto the blocks its optimizer searched', () => {
    const r = parseRecipeString(ASTOLFO_RECIPE_LINE, 'mbw-rt');
    expect(r.weights.OUT).toBe(1);
    expect(r.weights.TIME_EMBED).toBe(0);
    expect(r.weights.OUT00).toBe(0.9);
    expect(r.weights.OUT11).toBe(0.6);
  });

  it('warm-starts a run from that recipe.txt line with OUT = 1 and TIME_EMBED = 0', async () => {
    const dir = writeTree({
      'exp.yaml': `seed: 1\nspace: {preset: sd1-27}\nobjective: {kind: function, function: sphere}\noptimizer:\n  kind: random\n  warm_start:\n    - {string: "${ASTOLFO_RECIPE_LINE}", format: mbw-rt}\nstop: {budget: 4}\n`,
    });
    const [start] = (await loadExperiment(path.join(dir, 'exp.yaml'))).config.optimizer.warm_start;
    expect(start.weights).toMatchObject({ M00: 0.3, OUT00: 0.9, OUT11: 0.6, OUT: 1, TIME_EMBED: 0 });
  });

  it('reads a runtime-block-merge string in its slider order, which ends TIME_EMBED, OUT', () => {
    const r = parseRecipeString(ramp(27).join(','), 'rbm');
    expect(r.preset).toBe('sd1-27');
    expect(r.weights.OUT11).toBe(ramp(27)[24]);
    expect(r.weights.TIME_EMBED).toBe(ramp(27)[25]);
    expect(r.weights.OUT).toBe(1);
  });

  it('writes the two 27-value orders with their last two values swapped', () => {
    const weights = Object.fromEntries(sd27.map((b) => [b, 0.5]));
    Object.assign(weights, { TIME_EMBED: 0.1, OUT: 0.9 });
    expect(formatRecipeString({ preset: 'sd1-27', weights }, 'mbw-rt').text.split(',').slice(-2)).toEqual(['0.9', '0.1']);
    expect(formatRecipeString({ preset: 'sd1-27', weights }, 'rbm').text.split(',').slice(-2)).toEqual(['0.1', '0.9']);
  });

  it('reads a supermerger string as BASE, IN00–IN11, M00, OUT00–OUT11', () => {
    const r = parseRecipeString(ramp(26).join(', '), 'supermerger');
    expect(r.preset).toBe('sd1-26');
    expect(r.weights.BASE).toBe(0);
    expect(r.weights.IN00).toBe(ramp(26)[1]);
    expect(r.weights.OUT11).toBe(1);
  });

  it('reads a 20-value supermerger string as SDXL', () => {
    const r = parseRecipeString(ramp(20).join(','), 'supermerger');
    expect(r.preset).toBe('sdxl-20');
    expect(Object.keys(r.weights)).toEqual(PRESETS['sdxl-20'].blocks);
  });

  it('round-trips auto-MBW-rt and runtime-block-merge strings exactly', () => {
    const text = ramp(27).join(',');
    expect(formatRecipeString(parseRecipeString(text, 'mbw-rt'), 'mbw-rt')).toEqual({ text, warnings: [] });
    expect(formatRecipeString(parseRecipeString(text, 'rbm'), 'rbm')).toEqual({ text, warnings: [] });
  });

  it('round-trips supermerger strings exactly', () => {
    const text = ramp(26).join(',');
    expect(formatRecipeString(parseRecipeString(text, 'supermerger'), 'supermerger')).toEqual({ text, warnings: [] });
  });

  it('rejects strings of the wrong length or with non-numbers, saying what is expected', () => {
    expect(() => parseRecipeString('0.1,0.2', 'mbw-rt')).toThrow(/27 values \(IN00–IN11, M00, OUT00–OUT11, OUT, TIME_EMBED\), got 2/);
    expect(() => parseRecipeString(ramp(25).join(','), 'supermerger')).toThrow(/26 values/);
    expect(() => parseRecipeString(`${ramp(26).join(',')}x`, 'mbw-rt')).toThrow(/not a number/);
  });
});

describe('converting recipes between presets', () => {
  it('sd1-27 → supermerger folds TIME_EMBED into IN00 and OUT into OUT11, and says so when they differ', () => {
    const weights = Object.fromEntries(sd27.map((b) => [b, 0.5]));
    weights.TIME_EMBED = 0.9;
    const { text, warnings } = formatRecipeString({ preset: 'sd1-27', weights }, 'supermerger');
    expect(text.split(',')).toHaveLength(26);
    expect(text.split(',')[0]).toBe('0'); // BASE: text encoder stays model A's
    expect(warnings.join('\n')).toMatch(/TIME_EMBED = 0\.9 is replaced by IN00 = 0\.5/);
    expect(warnings.join('\n')).toMatch(/no BASE weight/);
  });

  it('supermerger → sd1-27 gives TIME_EMBED the IN00 weight and OUT the OUT11 weight', () => {
    const r = parseRecipeString(ramp(26).join(','), 'supermerger');
    const { recipe, warnings } = convertRecipe({ ...r, weights: { ...r.weights, BASE: 0 } }, 'sd1-27');
    expect(recipe.weights.TIME_EMBED).toBe(r.weights.IN00);
    expect(recipe.weights.OUT).toBe(r.weights.OUT11);
    expect(warnings).toEqual([]);
  });

  it('warns when a BASE weight is dropped', () => {
    const r = parseRecipeString(ramp(26).join(','), 'supermerger');
    const { warnings } = convertRecipe({ ...r, weights: { ...r.weights, BASE: 0.3 } }, 'sd1-27');
    expect(warnings.join()).toMatch(/BASE = 0\.3 is dropped/);
  });

  it('refuses to convert across architectures', () => {
    const r = parseRecipeString(ramp(20).join(','), 'supermerger');
    expect(() => convertRecipe(r, 'sd1-27')).toThrow(/different architectures/);
  });
});
