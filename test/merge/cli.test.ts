import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { blocksCommand } from '../../src/cli/commands/blocks.js';
import { main } from '../../src/cli/main.js';
import { mergeCommand, parseWeightsArgument } from '../../src/cli/commands/merge.js';
import { UserInputError } from '../../src/config/issues.js';
import { readRecipeMetadata } from '../../src/merge/recipe-metadata.js';
import { getPreset } from '../../src/space/presets.js';
import { writeSafetensors } from '../../src/merge/safetensors/writer.js';
import { readTensors, tinyTensors, writeTinyCheckpoint } from '../support/checkpoints.js';
import { tempDir } from '../support/tmp.js';

let dir: string;
let a: string;
let b: string;
let c: string;
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

beforeAll(async () => {
  dir = tempDir('autombw-merge-cli-');
  [a, b, c] = ['a', 'b', 'c'].map((m) => path.join(dir, 'models', `${m}.safetensors`));
  mkdirSync(path.join(dir, 'models'));
  await Promise.all([a, b, c].map((file, i) => writeTinyCheckpoint(file, { layout: 'sd1', seed: i, maxDim: 2 })));
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args) => void out.push(args.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
  return { out, err };
}

afterEach(() => vi.restoreAllMocks());

const cacheArgs = () => ['--cache-dir', path.join(dir, 'cache')];
const sd1_26 = getPreset('sd1-26')!.blocks;

describe('autombw merge', () => {
  it('merges from a supermerger 26-value string and records the recipe and input hashes', async () => {
    const { out } = capture();
    const output = path.join(dir, 'from-string.safetensors');
    const values = sd1_26.map((_, i) => (i / 25).toFixed(2)).join(',');
    const code = await mergeCommand.run(['--a', a, '--b', b, '--weights', values, '-o', output, ...cacheArgs()]);
    expect(code).toBe(0);
    const recipe = readRecipeMetadata((await readTensors(output)).metadata)!;
    expect(recipe.preset).toBe('sd1-26');
    expect(recipe.method).toBe('weighted-sum');
    expect(recipe.weights.BASE).toBe(0);
    expect(recipe.weights.OUT11).toBe(1);
    expect(recipe.models).toEqual({ a: { file: 'a.safetensors', sha256: sha(a) }, b: { file: 'b.safetensors', sha256: sha(b) } });
    expect(out.join('\n')).toContain(`[${sha(a).slice(0, 10)}]`);
  });

  it('merges from a recipe file with add-difference, bf16 and a base model', async () => {
    capture();
    const recipeFile = path.join(dir, 'recipe.json');
    const weights = Object.fromEntries(getPreset('sd1-27')!.blocks.map((blk) => [blk, 0.3]));
    writeFileSync(recipeFile, JSON.stringify({ preset: 'sd1-27', weights }));
    const output = path.join(dir, 'from-recipe.safetensors');
    const code = await mergeCommand.run(['--recipe', recipeFile, '--a', a, '--b', b, '--c', c, '--method', 'add-difference', '--dtype', 'bf16', '-o', output, ...cacheArgs()]);
    expect(code).toBe(0);
    const { tensors, metadata } = await readTensors(output);
    expect(readRecipeMetadata(metadata)).toMatchObject({ preset: 'sd1-27', method: 'add-difference', dtype: 'bf16', weights, models: { c: { file: 'c.safetensors', sha256: sha(c) } } });
    expect(tensors.get('model.diffusion_model.out.0.weight')!.dtype).toBe('BF16');
  });

  it('merges a run\'s best recipe with the run\'s models, method and hash', async () => {
    capture();
    const run = path.join(dir, 'runs', '0123456789ab');
    mkdirSync(run, { recursive: true });
    const hash = '0123456789ab'.padEnd(64, 'c');
    const weights = Object.fromEntries(getPreset('sd1-27')!.blocks.map((blk, i) => [blk, i % 2]));
    writeFileSync(path.join(run, 'best.json'), JSON.stringify({ hash, preset: 'sd1-27', trial: 12, value: 0.8, weights }));
    writeFileSync(path.join(run, 'run.json'), JSON.stringify({ hash, base_dir: dir }));
    writeFileSync(path.join(run, 'config.resolved.yaml'), [
      'objective:',
      '  kind: merge',
      '  method: dare',
      '  method_options: {density: 0.2, drop_rate: 0.3, seed: 4}',
      '  models:',
      '    a: models/a.safetensors',
      '    b: {path: models/b.safetensors}',
      '    c: models/c.safetensors',
      '',
    ].join('\n'));
    const output = path.join(dir, 'from-run.safetensors');
    expect(await mergeCommand.run([run, '-o', output, ...cacheArgs()])).toBe(0);
    expect(readRecipeMetadata((await readTensors(output)).metadata)).toMatchObject({
      method: 'dare',
      seed: 4,
      options: { dropRate: 0.3 },
      weights,
      runHash: hash,
      models: { a: { sha256: sha(a) }, b: { sha256: sha(b) }, c: { sha256: sha(c) } },
    });
  });

  it('refuses an output that is one of the inputs, without touching it', async () => {
    capture();
    const before = sha(a);
    const args = ['--a', a, '--b', b, '--weights', sd1_26.map(() => '0.5').join(','), '-o', a, '--force', ...cacheArgs()];
    await expect(mergeCommand.run(args)).rejects.toThrow(UserInputError);
    expect(sha(a)).toBe(before);
  });

  it('asks for exactly one recipe source', async () => {
    await expect(mergeCommand.run(['--a', a, '--b', b, '-o', path.join(dir, 'x.safetensors')])).rejects.toThrow(/give the recipe one way/);
  });

  it('needs model C for methods that use a base', async () => {
    await expect(mergeCommand.run(['--a', a, '--b', b, '--method', 'ties', '--weights', sd1_26.map(() => '1').join(','), '-o', path.join(dir, 't.safetensors')]))
      .rejects.toThrow(/method ties needs the base model C/);
  });

  it.each(['1.5', '1e3', '0x10', '', '9007199254740993'])('refuses --seed %s before hashing any model', async (seed) => {
    const args = ['--a', a, '--b', b, '--c', c, '--method', 'dare', '--seed', seed, '--weights', sd1_26.map(() => '1').join(','), '-o', path.join(dir, 'seed.safetensors'), '--cache-dir', path.join(dir, 'seed-cache')];
    await expect(mergeCommand.run(args)).rejects.toThrow(`--seed: "${seed}" is not an integer from 0 to 9007199254740991 (2^53 − 1)`);
    expect(existsSync(path.join(dir, 'seed-cache'))).toBe(false);
  });

  it('says plainly that a model path is a directory', async () => {
    const folder = path.join(dir, 'a-folder.safetensors');
    mkdirSync(folder);
    await expect(mergeCommand.run(['--a', folder, '--b', b, '--weights', sd1_26.map(() => '1').join(','), '-o', path.join(dir, 'd.safetensors'), ...cacheArgs()]))
      .rejects.toThrow(`${folder} is a directory, not a model file (model A)`);
  });

  it('exits 2 and leaves no output when nothing merges (B is a text encoder alone)', async () => {
    const { err } = capture();
    const encoder = path.join(dir, 'models', 'encoder-only.safetensors');
    await writeTinyCheckpoint(encoder, { layout: 'sd1', seed: 5, maxDim: 2, include: (k) => k.startsWith('cond_stage_model.') });
    const output = path.join(dir, 'nothing.safetensors');
    expect(await main(['merge', '--a', a, '--b', encoder, '--weights', sd1_26.map(() => '0.5').join(','), '-o', output, ...cacheArgs()])).toBe(2);
    expect(err.join('\n')).toContain(`${encoder} (model B) has no UNet`);
    expect(existsSync(output)).toBe(false);
  });

  it('names a missing model file', async () => {
    await expect(mergeCommand.run(['--a', path.join(dir, 'nope.safetensors'), '--b', b, '--weights', sd1_26.map(() => '1').join(','), '-o', path.join(dir, 'm.safetensors'), ...cacheArgs()]))
      .rejects.toThrow(/nope\.safetensors: no such file \(model A\)/);
  });
});

describe('--weights forms', () => {
  it('reads 27 values in auto-MBW-rt order as sd1-27', () => {
    const r = parseWeightsArgument(Array.from({ length: 27 }, (_, i) => i).join(','), undefined);
    expect(r.preset).toBe('sd1-27');
    expect(r.weights).toMatchObject({ IN00: 0, M00: 12, OUT11: 24, OUT: 25, TIME_EMBED: 26 });
  });

  it('reads one value per block in the order of --preset', () => {
    const r = parseWeightsArgument(Array.from({ length: 28 }, (_, i) => i).join(','), 'sd1-28');
    expect(r.weights).toMatchObject({ BASE: 0, IN00: 1, OUT: 27 });
  });

  it('infers the preset of NAME=VALUE pairs from the block names', () => {
    const pairs = getPreset('sdxl-20')!.blocks.map((blk) => `${blk}=0.5`).join(',');
    expect(parseWeightsArgument(pairs, undefined)).toEqual({ preset: 'sdxl-20', weights: Object.fromEntries(getPreset('sdxl-20')!.blocks.map((blk) => [blk, 0.5])) });
  });

  it('rejects a value that is not a number, naming the block', () => {
    expect(() => parseWeightsArgument('IN00=0.5,IN01=abc', 'sd1-27')).toThrow(/--weights IN01: "abc" is not a number/);
  });
});

describe('autombw blocks', () => {
  it('prints the architecture, per-block counts and no unmatched keys for SD1.5', async () => {
    const { out } = capture();
    expect(await blocksCommand.run([a])).toBe(0);
    const text = out.join('\n');
    expect(text).toMatch(/architecture: sd1, from cond_stage_model\.transformer\./);
    expect(text).toMatch(/^IN00\s+2\s+\d/m);
    expect(text).toMatch(/^OUT\s+4\s+\d/m);
    expect(text).toContain('unmatched keys: none');
  });

  it('lists keys no block takes, as JSON on request', async () => {
    const odd = path.join(dir, 'odd.safetensors');
    const crossAttention = 'model.diffusion_model.input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight';
    const unet = tinyTensors({ layout: 'sd1', seed: 9, maxDim: 1, include: (k) => k.startsWith('model.diffusion_model.'), shapes: { [crossAttention]: [1, 768] } });
    await writeSafetensors(odd, [...unet, { name: 'lora_te_text_model.alpha', dtype: 'F16', shape: [1], data: new Uint8Array(2) }]);
    const { out } = capture();
    expect(await blocksCommand.run([odd, '--preset', 'sd1-26', '--json'])).toBe(0);
    const report = JSON.parse(out.join('\n'));
    expect(report).toMatchObject({ architecture: 'sd1', preset: 'sd1-26', unmatched: ['lora_te_text_model.alpha'] });
    expect(report.blocks).toHaveLength(26);
  });

  it('refuses a preset of another architecture', async () => {
    await expect(blocksCommand.run([a, '--preset', 'sdxl-20'])).rejects.toThrow(/is an sd1 checkpoint .* but preset sdxl-20 is for sdxl/);
  });
});
