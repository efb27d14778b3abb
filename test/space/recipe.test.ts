import { describe, expect, it } from 'vitest';
import { convertRecipe, formatRecipeString, parseRecipeString } from '../../src/space/recipe.js';
import { PRESETS } from '../../src/space/presets.js';

const sd27 = PRESETS['sd1-27'].blocks;
const ramp = (n: number) => Array.from({ length: n }, (_, i) => Math.round((i / (n - 1)) * 100) / 100);

describe('recipe strings', () => {
  it('reads an auto-MBW-rt string in the order IN00–IN11, M00, OUT00–OUT11, TIME_EMBED, OUT', () => {
    const r = parseRecipeString(ramp(27).join(','), 'mbw-rt');
    expect(r.preset).toBe('sd1-27');
    expect(r.weights.IN00).toBe(0);
    expect(r.weights.M00).toBe(ramp(27)[12]);
    expect(r.weights.TIME_EMBED).toBe(ramp(27)[25]);
    expect(r.weights.OUT).toBe(1);
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

  it('round-trips auto-MBW-rt strings exactly', () => {
    const text = ramp(27).join(',');
    expect(formatRecipeString(parseRecipeString(text, 'mbw-rt'), 'mbw-rt')).toEqual({ text, warnings: [] });
  });

  it('round-trips supermerger strings exactly', () => {
    const text = ramp(26).join(',');
    expect(formatRecipeString(parseRecipeString(text, 'supermerger'), 'supermerger')).toEqual({ text, warnings: [] });
  });

  it('rejects strings of the wrong length or with non-numbers, saying what is expected', () => {
    expect(() => parseRecipeString('0.1,0.2', 'mbw-rt')).toThrow(/27 values/);
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
