import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { mergeCheckpoints, type MergeCheckpointsOptions } from '../../src/merge/merge.js';
import { readRecipeMetadata } from '../../src/merge/recipe-metadata.js';
import { getPreset } from '../../src/space/presets.js';
import { readTensors, tinyTensors, writeTensors, writeTinyCheckpoint, type TinyTensor } from '../support/checkpoints.js';
import { writeSafetensors } from '../../src/merge/safetensors/writer.js';
import { tempDir } from '../support/tmp.js';
import { referenceBf16, referenceF16 } from './float-reference.js';

const UNET = 'model.diffusion_model.';
const BIG = `${UNET}output_blocks.2.1.conv.weight`;
const preset = getPreset('sd1-27')!;
const WEIGHTS = Object.fromEntries(preset.blocks.map((b, i) => [b, Math.round(((i * 7) % 11) / 10 * 100) / 100 - 0.1]));

let dir: string;
let files: { a: string; b: string; c: string };
let inputs: { a: Map<string, TinyTensor>; b: Map<string, TinyTensor>; c: Map<string, TinyTensor> };

beforeAll(async () => {
  dir = tempDir('autombw-merge-');
  files = { a: path.join(dir, 'a.safetensors'), b: path.join(dir, 'b.safetensors'), c: path.join(dir, 'c.safetensors') };
  // A in F16, B in BF16, C in F64: every float storage type is on the path; one tensor spans several chunks.
  const shapes = { [BIG]: [41, 50] };
  const made = await Promise.all([
    writeTinyCheckpoint(files.a, { layout: 'sd1', seed: 'A', dtype: 'F16', shapes }),
    writeTinyCheckpoint(files.b, { layout: 'sd1', seed: 'B', dtype: 'BF16', shapes }),
    writeTinyCheckpoint(files.c, { layout: 'sd1', seed: 'C', dtype: 'F64', shapes, include: (k) => !k.startsWith('model_ema.') }),
  ]);
  const [a, b, c] = made.map((ts) => new Map(ts.map((t) => [t.name, t])));
  inputs = { a, b, c };
});

/** Stored input values as the methods see them: float32 (float64 storage rounds). */
const stored = (model: Map<string, TinyTensor>, key: string) => model.get(key)!.values.map(Math.fround);

/** The float32 result of each method, from the stored input values. */
function reference(method: string, key: string, alpha: number): number[] {
  const [a, b, c] = [inputs.a, inputs.b, inputs.c].map((m) => stored(m, key));
  switch (method) {
    case 'weighted-sum':
      return a.map((x, i) => Math.fround(x * (1 - alpha) + b[i] * alpha));
    case 'add-difference':
      return a.map((x, i) => Math.fround(x + alpha * (b[i] - c[i])));
    default:
      throw new Error(method);
  }
}

const encode = { f16: referenceF16, bf16: referenceBf16, f32: (x: number) => new Uint32Array(new Float32Array([x]).buffer)[0] };

async function merge(options: Partial<MergeCheckpointsOptions> & { output: string }) {
  return mergeCheckpoints({ models: files, method: 'weighted-sum', weights: WEIGHTS, ...options });
}

describe('streaming merge numerics', () => {
  for (const method of ['weighted-sum', 'add-difference'] as const) {
    for (const dtype of ['f16', 'bf16', 'f32'] as const) {
      it(`${method} to ${dtype}: every merged element equals the independently computed and rounded value`, async () => {
        const output = path.join(dir, `${method}-${dtype}.safetensors`);
        const report = await merge({ method, dtype, output, chunkElements: 500 });
        const { tensors } = await readTensors(output);
        let merged = 0;
        for (const [key, t] of tensors) {
          const target = preset.mapKey(key)!;
          if (target.kind !== 'block') continue;
          merged++;
          const expected = reference(method, key, WEIGHTS[target.block]).map(encode[dtype]);
          if (JSON.stringify(t.bits) !== JSON.stringify(expected)) expect({ key, bits: t.bits }).toEqual({ key, bits: expected });
        }
        expect(merged).toBe(686);
        expect(report.merged).toBe(686);
      });
    }
  }

  it('converts copied float tensors to the output dtype and copies integer tensors byte for byte', async () => {
    const output = path.join(dir, 'copies.safetensors');
    await merge({ output, dtype: 'bf16' });
    const { tensors } = await readTensors(output);
    const vae = 'first_stage_model.decoder.conv_out.weight';
    expect(tensors.get(vae)!.dtype).toBe('BF16');
    expect(tensors.get(vae)!.bits).toEqual(inputs.a.get(vae)!.values.map(referenceBf16));
    const ids = 'cond_stage_model.transformer.text_model.embeddings.position_ids';
    expect(tensors.get(ids)).toMatchObject({ dtype: 'I64', values: inputs.a.get(ids)!.values });
  });

  it('writes A\'s keys in A\'s order without the EMA copy', async () => {
    const output = path.join(dir, 'order.safetensors');
    const report = await merge({ output });
    const { order } = await readTensors(output);
    expect(order).toEqual([...inputs.a.keys()].filter((k) => !k.startsWith('model_ema.') || k === 'model_ema.decay' || k === 'model_ema.num_updates'));
    expect(report.dropped).toBe(686);
  });

  for (const method of ['ties', 'dare'] as const) {
    it(`${method} gives the same bytes whatever the chunk size`, async () => {
      const small = path.join(dir, `${method}-small-chunks.safetensors`);
      const large = path.join(dir, `${method}-large-chunks.safetensors`);
      await merge({ method, output: small, chunkElements: 7, seed: 5 });
      await merge({ method, output: large, seed: 5 });
      expect(readFileSync(small).equals(readFileSync(large))).toBe(true);
    });
  }

  it('ties streamed from files matches the paper\'s definition on the multi-chunk tensor', async () => {
    const output = path.join(dir, 'ties-f32.safetensors');
    await merge({ method: 'ties', dtype: 'f32', output, chunkElements: 300, options: { density: 0.3 } });
    const [a, b, c] = [inputs.a, inputs.b, inputs.c].map((m) => stored(m, BIG));
    const alpha = WEIGHTS.OUT02;
    const k = Math.ceil(0.3 * a.length);
    const trim = (tau: number[]) => {
      const t = [...tau].map(Math.abs).sort((x, y) => y - x)[k - 1];
      return tau.map((v) => (Math.abs(v) >= t ? v : 0));
    };
    const ta = trim(a.map((x, i) => Math.fround(x - c[i])));
    const tb = trim(b.map((x, i) => Math.fround(x - c[i])));
    const expected = c.map((base, i) => {
      const s = Math.sign(ta[i] + tb[i]);
      const agree = [ta[i], tb[i]].filter((v) => v !== 0 && Math.sign(v) === s);
      return Math.fround(base + alpha * (agree.length ? agree.reduce((x, y) => x + y, 0) / agree.length : 0));
    });
    expect((await readTensors(output)).tensors.get(BIG)!.values).toEqual(expected);
  });
});

describe('output metadata', () => {
  it('records the named weights, preset, method, options, input hashes and run hash', async () => {
    const output = path.join(dir, 'meta.safetensors');
    const sha = { a: 'a'.repeat(64), b: 'b'.repeat(64), c: 'c'.repeat(64) };
    await merge({ output, method: 'ties', options: { density: 0.4 }, provenance: { sha256: sha, runHash: 'f'.repeat(64) } });
    const { metadata } = await readTensors(output);
    expect(readRecipeMetadata(metadata)).toEqual({
      preset: 'sd1-27',
      presetVersion: 1,
      method: 'ties',
      weights: WEIGHTS,
      dtype: 'f16',
      options: { density: 0.4 },
      models: { a: { file: 'a.safetensors', sha256: sha.a }, b: { file: 'b.safetensors', sha256: sha.b }, c: { file: 'c.safetensors', sha256: sha.c } },
      runHash: 'f'.repeat(64),
    });
    expect(JSON.parse(metadata['autombw.recipe']).weights).toEqual(WEIGHTS);
  });

  it('records the seed of DARE and no C for weighted sum', async () => {
    const dareOut = path.join(dir, 'meta-dare.safetensors');
    await merge({ output: dareOut, method: 'dare', seed: 9 });
    expect(readRecipeMetadata((await readTensors(dareOut)).metadata)).toMatchObject({ seed: 9, options: { dropRate: 0.5 } });
    const sumOut = path.join(dir, 'meta-sum.safetensors');
    await merge({ output: sumOut });
    const recipe = readRecipeMetadata((await readTensors(sumOut)).metadata)!;
    expect(recipe.models.c).toBeUndefined();
    expect(recipe.seed).toBeUndefined();
  });
});

describe('refusals and safety', () => {
  it('refuses to write over an input, even by another path', async () => {
    const sneaky = path.join(dir, '.', 'x', '..', 'a.safetensors');
    await expect(merge({ output: sneaky, overwrite: true })).rejects.toThrow(/refusing to write the merge over its input/);
  });

  it('refuses an existing output unless told to replace it', async () => {
    const output = path.join(dir, 'exists.safetensors');
    writeFileSync(output, 'old');
    await expect(merge({ output })).rejects.toThrow(/already exists; pass --force/);
    await merge({ output, overwrite: true });
    expect((await readTensors(output)).order.length).toBeGreaterThan(0);
  });

  it('refuses models of different architectures', async () => {
    const xl = path.join(dir, 'xl.safetensors');
    await writeTinyCheckpoint(xl, { layout: 'sdxl', seed: 'X', maxDim: 1 });
    const error = await merge({ models: { a: files.a, b: xl }, output: path.join(dir, 'mixed.safetensors') }).catch((e) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect(error.message).toMatch(/a\.safetensors \(sd1\) with .*xl\.safetensors \(sdxl\): different architectures/);
  });

  /** Merges `models` into a fresh directory; returns the refusal and what the directory holds afterwards. */
  async function refusal(models: MergeCheckpointsOptions['models'], options: Partial<MergeCheckpointsOptions> = {}): Promise<{ message: string; left: string[] }> {
    const sub = tempDir('autombw-refused-');
    const error = await merge({ models, output: path.join(sub, 'out.safetensors'), ...options }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserInputError);
    return { message: (error as Error).message, left: readdirSync(sub) };
  }

  async function lora(): Promise<string> {
    const file = path.join(tempDir(), 'lora.safetensors');
    await writeTensors(file, [
      { name: 'lora_unet_input_blocks_1_1_proj_in.lora_down.weight', dtype: 'F16', shape: [2, 2], values: [1, 2, 3, 4] },
      { name: 'lora_unet_input_blocks_1_1_proj_in.lora_up.weight', dtype: 'F16', shape: [2, 2], values: [1, 2, 3, 4] },
    ]);
    return file;
  }

  it.each(['a', 'b'] as const)('refuses model %s when it is no Stable Diffusion checkpoint (a LoRA), writing nothing', async (slot) => {
    const file = await lora();
    const { message, left } = await refusal({ ...files, [slot]: file });
    expect(message).toBe(`${file} (model ${slot.toUpperCase()}) is not recognizable as an SD1, SD2 or SDXL checkpoint: it has none of their text encoder or UNet keys (\`autombw blocks ${file}\` lists what it has; name a preset if it is one)`);
    expect(left).toEqual([]);
  });

  it('refuses a LoRA as model B under a named preset too, as it has no UNet', async () => {
    const file = await lora();
    const { message, left } = await refusal({ a: files.a, b: file }, { preset: 'sd1-27' });
    expect(message).toBe(`${file} (model B) has no UNet (no model.diffusion_model.* keys): a text encoder or VAE alone cannot be merged block by block`);
    expect(left).toEqual([]);
  });

  it('refuses model B when it is a text encoder without a UNet', async () => {
    const encoder = path.join(tempDir(), 'text-encoder.safetensors');
    await writeTinyCheckpoint(encoder, { layout: 'sd1', seed: 'T', include: (k) => k.startsWith('cond_stage_model.') });
    const { message, left } = await refusal({ a: files.a, b: encoder });
    expect(message).toBe(`${encoder} (model B) has no UNet (no model.diffusion_model.* keys): a text encoder or VAE alone cannot be merged block by block`);
    expect(left).toEqual([]);
  });

  it('refuses a merge in which every block key differs in shape, saying why, and writes nothing', async () => {
    const other = path.join(tempDir(), 'other-shapes.safetensors');
    await writeTinyCheckpoint(other, { layout: 'sd1', seed: 'S', maxDim: 4 });
    const { message, left } = await refusal({ a: files.a, b: other });
    expect(message).toMatch(/^nothing to merge: no key of model A can be merged with model B; \d+ key\(s\) with different shapes were copied from model A: model\.diffusion_model\./);
    expect(left).toEqual([]);
  });

  it('cuts a hostile key name in the refusal to 80 characters with its length', async () => {
    const withLongName = path.join(tempDir(), 'long-name.safetensors');
    const name = `lora_${'x'.repeat(1_000_000)}`;
    await writeSafetensors(withLongName, [...tinyTensors({ layout: 'sd1', seed: 'L' }), { name, dtype: 'F16', shape: [1], data: new Uint8Array(2) }]);
    const other = path.join(tempDir(), 'other-shapes.safetensors');
    await writeTinyCheckpoint(other, { layout: 'sd1', seed: 'S', maxDim: 4 });
    const { message } = await refusal({ a: withLongName, b: other });
    expect(message).toContain(`1 key(s) the preset does not know were copied from model A: ${name.slice(0, 80)}… (1000005 characters)`);
    expect(message.length).toBeLessThan(400);
  });

  it('reads a .ckpt input as a PyTorch zip checkpoint, and refuses one that is not, naming it', async () => {
    const ckpt = path.join(dir, 'old.ckpt');
    writeFileSync(ckpt, 'PK\x03\x04');
    await expect(merge({ models: { a: files.a, b: ckpt }, output: path.join(dir, 'p.safetensors') })).rejects.toThrow(/old\.ckpt: not a readable PyTorch zip checkpoint/);
  });

  it('leaves neither the output nor a temporary file when aborted', async () => {
    const sub = tempDir('autombw-abort-');
    const output = path.join(sub, 'aborted.safetensors');
    const controller = new AbortController();
    const run = merge({
      output,
      chunkElements: 10,
      signal: controller.signal,
      onProgress: (p) => p.tensorsDone === 100 && controller.abort(),
    });
    await expect(run).rejects.toThrow();
    expect(readdirSync(sub)).toEqual([]);
  });

  it('removes temporaries that dead merges left in the output directory, and keeps those of live processes', async () => {
    const sub = tempDir('autombw-stale-');
    const dead = spawnSync(process.execPath, ['-e', '']).pid!; // exited and reaped: its pid names no process
    const stale = path.join(sub, `old-merge.safetensors.tmp-${dead}`);
    const live = path.join(sub, `running.safetensors.tmp-${process.pid}`);
    const unrelated = path.join(sub, `notes.txt.tmp-${dead}`);
    for (const f of [stale, live, unrelated]) writeFileSync(f, 'partial');
    const report = await merge({ output: path.join(sub, 'new.safetensors') });
    expect(report.removedTemporaries).toEqual([{ file: stale, pid: dead }]);
    expect(readdirSync(sub).sort()).toEqual([path.basename(live), 'new.safetensors', path.basename(unrelated)].sort());
  });

  it('reports progress for every written tensor up to the full size', async () => {
    const seen: number[] = [];
    let last = { bytesDone: 0, bytesTotal: -1 };
    await merge({ output: path.join(dir, 'progress.safetensors'), onProgress: (p) => (seen.push(p.tensorsDone), (last = p)) });
    expect(seen).toEqual(Array.from({ length: seen.length }, (_, i) => i + 1));
    expect(last.bytesDone).toBe(last.bytesTotal);
  });

  it('needs a .safetensors output name', async () => {
    await expect(merge({ output: path.join(dir, 'out.ckpt') })).rejects.toThrow(/must be a \.safetensors file/);
    expect(existsSync(path.join(dir, 'out.ckpt'))).toBe(false);
  });
});
