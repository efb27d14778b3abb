import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { Dtype } from '../../src/merge/dtype.js';
import { mergeCheckpoints } from '../../src/merge/merge.js';
import { readRecipeMetadata } from '../../src/merge/recipe-metadata.js';
import { SafetensorsReader } from '../../src/merge/safetensors/reader.js';
import { writeSafetensors } from '../../src/merge/safetensors/writer.js';
import { getPreset } from '../../src/space/presets.js';
import { tinyTensors, type TinyTensor } from '../support/checkpoints.js';
import { tempDir } from '../support/tmp.js';
import { stateDictPickle, torchArchive, type TensorSpec } from '../support/torch-archive.js';

/**
 * Legacy SD1 `.ckpt` files as merge inputs: read in place through the PyTorch reader, they must
 * merge exactly as the same weights given as safetensors, and whatever that reader refuses must
 * stop the merge before an output or a temporary file exists.
 */

const STORAGE: Partial<Record<Dtype, string>> = { F16: 'HalfStorage', F32: 'FloatStorage', I64: 'LongStorage', I32: 'IntStorage' };
const sd1_26 = getPreset('sd1-26')!.blocks;
const weights = sd1_26.map((_, i) => (i / 25).toFixed(2)).join(',');

let dir: string;
let aTensors: TinyTensor[];
let aSafetensors: string;
let aCkpt: string;
let b: string;
/** The UNet weight stored transposed in the .ckpt (a strided view, as `.t()` saves). */
let viewKey: string;

/** A Lightning training checkpoint (as SD1 shipped) holding `tensors`; `transposed` are saved as views of their transpose. */
function writeCkpt(file: string, tensors: readonly TinyTensor[], transposed: ReadonlySet<string>): void {
  const specs: TensorSpec[] = [];
  const storages: Record<string, Uint8Array> = {};
  tensors.forEach((t, i) => {
    const key = String(i);
    if (transposed.has(t.name)) {
      const [rows, cols] = t.shape;
      const size = t.data.length / (rows * cols);
      const data = new Uint8Array(t.data.length);
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data.set(t.data.subarray((r * cols + c) * size, (r * cols + c + 1) * size), (c * rows + r) * size);
      storages[key] = data;
      specs.push({ name: t.name, storage: STORAGE[t.dtype]!, key, shape: t.shape, stride: [1, rows] });
    } else {
      storages[key] = t.data;
      specs.push({ name: t.name, storage: STORAGE[t.dtype]!, key, shape: t.shape });
    }
  });
  writeFileSync(file, torchArchive(stateDictPickle(specs, { lightning: true }), storages));
}

/** Each tensor's data bytes, by name. */
async function tensorBytes(file: string): Promise<Map<string, Buffer>> {
  const reader = await SafetensorsReader.open(file);
  try {
    const out = new Map<string, Buffer>();
    for (const t of reader.tensors) out.set(t.name, Buffer.from(await reader.read(t)));
    return out;
  } finally {
    await reader.close();
  }
}

beforeAll(async () => {
  dir = tempDir('autombw-ckpt-merge-');
  aTensors = tinyTensors({ layout: 'sd1', seed: 'ckpt-a', maxDim: 3 });
  viewKey = aTensors.find((t) => t.name.startsWith('model.diffusion_model.input_blocks.1.') && t.shape.length === 2 && t.shape[0] > 1 && t.shape[1] > 1)!.name;
  aSafetensors = path.join(dir, 'a.safetensors');
  aCkpt = path.join(dir, 'a.ckpt');
  b = path.join(dir, 'b.safetensors');
  await writeSafetensors(aSafetensors, aTensors);
  writeCkpt(aCkpt, aTensors, new Set([viewKey]));
  await writeSafetensors(b, tinyTensors({ layout: 'sd1', seed: 'ckpt-b', maxDim: 3 }));
});

afterEach(() => vi.restoreAllMocks());

function quiet(): string[] {
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  vi.spyOn(console, 'error').mockImplementation((...args) => void err.push(args.join(' ')));
  return err;
}

describe('a PyTorch .ckpt as a merge input', () => {
  it('autombw merge writes the same tensors from a Lightning .ckpt A as from the same weights in safetensors', async () => {
    quiet();
    const cache = ['--cache-dir', path.join(dir, 'cache')];
    const fromCkpt = path.join(dir, 'from-ckpt.safetensors');
    const fromSafetensors = path.join(dir, 'from-safetensors.safetensors');
    expect(await main(['merge', '--a', aCkpt, '--b', b, '--weights', weights, '-o', fromCkpt, ...cache])).toBe(0);
    expect(await main(['merge', '--a', aSafetensors, '--b', b, '--weights', weights, '-o', fromSafetensors, ...cache])).toBe(0);
    const [got, want] = await Promise.all([tensorBytes(fromCkpt), tensorBytes(fromSafetensors)]);
    expect([...got.keys()]).toEqual([...want.keys()]);
    for (const [name, bytes] of want) expect(got.get(name), name).toEqual(bytes);
  });

  it('records the content hash of the .ckpt file itself in the recipe metadata', async () => {
    quiet();
    const output = path.join(dir, 'hashed.safetensors');
    expect(await main(['merge', '--a', aCkpt, '--b', b, '--weights', weights, '-o', output, '--cache-dir', path.join(dir, 'cache')])).toBe(0);
    const reader = await SafetensorsReader.open(output);
    const recipe = readRecipeMetadata({ ...reader.metadata })!;
    await reader.close();
    expect(recipe.models.a).toEqual({ file: 'a.ckpt', sha256: createHash('sha256').update(readFileSync(aCkpt)).digest('hex') });
  });

  it('mergeCheckpoints streams a .ckpt B in chunks smaller than its tensors, views included, exactly as safetensors', async () => {
    const bCkpt = path.join(dir, 'a-as-b.ckpt');
    writeCkpt(bCkpt, aTensors, new Set([viewKey]));
    const recipe = Object.fromEntries(getPreset('sd1-26')!.blocks.map((blk, i) => [blk, (i % 5) / 4]));
    const run = (model: string, output: string) =>
      mergeCheckpoints({ models: { a: b, b: model }, method: 'weighted-sum', weights: recipe, preset: 'sd1-26', output: path.join(dir, output), chunkElements: 2 });
    await run(bCkpt, 'chunked-ckpt.safetensors');
    await run(aSafetensors, 'chunked-safetensors.safetensors');
    const [got, want] = await Promise.all(['chunked-ckpt', 'chunked-safetensors'].map((f) => tensorBytes(path.join(dir, `${f}.safetensors`))));
    expect(got.get(viewKey)).toEqual(want.get(viewKey));
    expect(got).toEqual(want);
  });

  // pickle.dumps({'state_dict': {'w': Evil()}}, protocol=2) with Evil.__reduce__ = (eval, (...,)), as test/torch/convert.test.ts has it
  const evil = Buffer.from('80027d7100580a00000073746174655f6469637471017d71025801000000777103635f5f6275696c74696e5f5f0a6576616c0a710458250000005f5f696d706f72745f5f28276f7327292e73797374656d28276563686f2070776e65642729710585710652710773732e', 'hex');
  const pastStorage: TensorSpec = { name: 'model.diffusion_model.out.2.weight', storage: 'HalfStorage', key: '0', shape: [4], offset: 2, numel: 4 };
  it.each([
    ['whose pickle would run code', torchArchive(evil, {}), 'refused: pickle byte 33: refuses global "__builtin__.eval"'],
    ['with a view reaching past its storage', torchArchive(stateDictPickle([pastStorage]), { '0': new Uint8Array(8) }), 'does not fit its storage of 4 elements'],
  ])('refuses a .ckpt B %s with exit 2, leaving neither output nor temporary file', async (_, archive, reason) => {
    const err = quiet();
    const sub = tempDir('autombw-ckpt-refused-');
    const bad = path.join(sub, 'bad.ckpt');
    writeFileSync(bad, archive);
    const output = path.join(sub, 'out.safetensors');
    expect(await main(['merge', '--a', aSafetensors, '--b', bad, '--weights', weights, '-o', output, '--cache-dir', path.join(dir, 'cache')])).toBe(2);
    expect(err.join('\n')).toContain(`${bad}: `);
    expect(err.join('\n')).toContain(reason);
    expect(readdirSync(sub)).toEqual(['bad.ckpt']);
  });
});
