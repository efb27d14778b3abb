import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { createOnnxScorer, type OnnxScorerOptions } from '../../src/scoring/onnx-scorer.js';
import { cudaProviderInstalled } from '../../src/scoring/onnx-session.js';
import { PREPROCESS_PRESETS, preprocessBatch, type PreprocessSpec } from '../../src/scoring/preprocess.js';
import { ClipTokenizer } from '../../src/scoring/tokenizer.js';
import type { Scorer } from '../../src/scoring/types.js';
import { Rng } from '../../src/util/rng.js';
import {
  encoderModel,
  mlpModel,
  promptModel,
  randomLinear,
  randomPatchEncoder,
  singleStageModel,
  textEncoderModel,
} from '../support/onnx-builder.js';
import { randomPng, scoredImages } from '../support/images.js';
import { dot, mlp, normalize, patchEncode, sigmoid } from '../support/reference-nets.js';

const SIZE = 32;
const spec: PreprocessSpec = { ...PREPROCESS_PRESETS['clip-vit-b32'], width: SIZE, height: SIZE, shortestSide: SIZE };
const rng = Rng.fromSeed('onnx-scorer-test');
const encoder = randomPatchEncoder(rng.derive('encoder'), 6, 8, 12);
const head = [randomLinear(rng.derive('h1'), 12, 16), randomLinear(rng.derive('h2'), 16, 1)];

let dir: string;
let pngs: Buffer[];
let pixels: Float32Array;
const file = (name: string, bytes: Uint8Array | string) => {
  const p = path.join(dir, name);
  writeFileSync(p, bytes);
  return p;
};
/** Image i of the fixture batch, preprocessed (CHW). */
const image = (i: number) => pixels.subarray(i * 3 * SIZE * SIZE, (i + 1) * 3 * SIZE * SIZE);

const scorers: Scorer[] = [];
async function make(overrides: Partial<OnnxScorerOptions> & Pick<OnnxScorerOptions, 'stages'>): Promise<Scorer> {
  const s = await createOnnxScorer({
    name: 'test',
    preprocess: spec,
    normalize: true,
    batch: 8,
    runtime: { provider: 'cpu', device: 0, threads: 1 },
    identity: 'test',
    log: () => {},
    ...overrides,
  });
  scorers.push(s);
  return s;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'autombw-onnx-'));
  pngs = await Promise.all([0, 1, 2, 3, 4].map((i) => randomPng(rng.derive('png', i), 48 + 8 * i, 40)));
  pixels = await preprocessBatch(pngs, spec);
});
afterAll(async () => {
  await Promise.all(scorers.map((s) => s.close?.()));
  rmSync(dir, { recursive: true, force: true });
});

describe('ONNX scorer, encoder + head', () => {
  it('scores as head(normalize(encoder(image))) computed independently', async () => {
    const scorer = await make({
      stages: { kind: 'head', encoder: { path: file('enc.onnx', encoderModel(encoder, SIZE)) }, head: { path: file('head.onnx', mlpModel(head, true)) } },
    });
    const scores = await scorer.score(scoredImages(pngs));
    const expected = pngs.map((_, i) => mlp(head, normalize(patchEncode(encoder, image(i), SIZE)), true)[0]);
    scores.forEach((s, i) => expect(s).toBeCloseTo(expected[i], 4));
  });

  it('feeds the raw embedding when normalize is off', async () => {
    const scorer = await make({
      normalize: false,
      stages: { kind: 'head', encoder: { path: file('enc.onnx', encoderModel(encoder, SIZE)) }, head: { path: file('head.onnx', mlpModel(head, true)) } },
    });
    const [s] = await scorer.score(scoredImages(pngs.slice(0, 1)));
    expect(s).toBeCloseTo(mlp(head, patchEncode(encoder, image(0), SIZE), true)[0], 4);
  });

  it('runs the LAION aesthetic v2 head shape 768→1024→128→64→16→1 (linear, no activations)', async () => {
    const r = rng.derive('laion');
    const wide = randomPatchEncoder(r.derive('enc'), 6, 8, 768);
    const sizes = [768, 1024, 128, 64, 16, 1];
    const laion = sizes.slice(0, -1).map((n, i) => randomLinear(r.derive('layer', i), n, sizes[i + 1]));
    const scorer = await make({
      stages: { kind: 'head', encoder: { bytes: encoderModel(wide, SIZE), label: 'wide-encoder' }, head: { bytes: mlpModel(laion, false), label: 'laion-v2' } },
    });
    const scores = await scorer.score(scoredImages(pngs.slice(0, 2)));
    scores.forEach((s, i) => expect(s).toBeCloseTo(mlp(laion, normalize(patchEncode(wide, image(i), SIZE)), false)[0], 3));
  });

  it('gives the same scores in batches of 1 and of 8, with any number of images', async () => {
    const stages = { kind: 'head' as const, encoder: { bytes: encoderModel(encoder, SIZE), label: 'enc' }, head: { bytes: mlpModel(head, true), label: 'head' } };
    const one = await (await make({ stages, batch: 1 })).score(scoredImages(pngs));
    const eight = await (await make({ stages, batch: 8 })).score(scoredImages(pngs));
    const two = await (await make({ stages, batch: 2 })).score(scoredImages(pngs));
    eight.forEach((s, i) => expect(s).toBeCloseTo(one[i], 5));
    two.forEach((s, i) => expect(s).toBeCloseTo(one[i], 5));
  });

  it('runs a model exported with a fixed batch of 1 one image at a time', async () => {
    const scorer = await make({
      batch: 8,
      stages: { kind: 'head', encoder: { bytes: encoderModel(encoder, SIZE, 1), label: 'enc-b1' }, head: { bytes: mlpModel(head, true), label: 'head' } },
    });
    expect(await scorer.score(scoredImages(pngs))).toHaveLength(pngs.length);
  });
});

describe('ONNX scorer, single model', () => {
  it('scores as sigmoid(encoder(image)) computed independently', async () => {
    const single = randomPatchEncoder(rng.derive('single'), 6, 8, 1);
    const scorer = await make({ stages: { kind: 'model', model: { path: file('single.onnx', singleStageModel(single, SIZE)) } } });
    const scores = await scorer.score(scoredImages(pngs));
    scores.forEach((s, i) => expect(s).toBeCloseTo(sigmoid(patchEncode(single, image(i), SIZE)[0]), 5));
  });
});

describe('ONNX scorer, prompt-aware', () => {
  // Vocabulary of the derived (OpenAI) form: 512 byte symbols, merges, start (516), end (517).
  const MERGES = ['#version: 0.2', 'h e', 'l l', 'he ll', 'hell o</w>'].join('\n');
  const VOCAB = 518;
  const CONTEXT = 6;
  const table = Float32Array.from({ length: VOCAB * 12 }, () => rng.derive('table').normal());
  const tokenRows = (ids: number[]) => ids.map((id) => Array.from(table.subarray(id * 12, id * 12 + 12)));
  const mean = (rows: number[][]) => rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
  const tokenizer = () => ClipTokenizer.load({ merges: file('bpe.txt.gz', gzipSync(MERGES)) }, { contextLength: CONTEXT, padding: 'zero' });

  it('feeds input_ids and attention_mask from the payload prompt to a single model', async () => {
    const scorer = await make({
      tokenizer: await tokenizer(),
      stages: { kind: 'model', model: { bytes: promptModel(encoder, table, VOCAB, SIZE, CONTEXT), label: 'prompt-model' } },
    });
    const [a, b] = await scorer.score([...scoredImages(pngs.slice(0, 1), 'hello'), ...scoredImages(pngs.slice(0, 1), 'hello hello!')]);
    const img = patchEncode(encoder, image(0), SIZE);
    // 'hello' → start 516, hello 515, end 517; the mask hides the zero padding
    expect(a).toBeCloseTo(dot(img, mean(tokenRows([516, 515, 517]))), 4);
    expect(b).toBeCloseTo(dot(img, mean(tokenRows([516, 515, 515, 256, 517]))), 4);
  });

  it('scores cosine(image embedding, text embedding) with a text encoder', async () => {
    const scorer = await make({
      tokenizer: await tokenizer(),
      stages: {
        kind: 'similarity',
        encoder: { bytes: encoderModel(encoder, SIZE), label: 'enc' },
        textEncoder: { bytes: textEncoderModel(table, VOCAB, 12, CONTEXT), label: 'text' },
      },
    });
    const scores = await scorer.score(scoredImages(pngs.slice(0, 3), 'hello!'));
    const text = normalize(mean(tokenRows([516, 515, 256, 517])));
    scores.forEach((s, i) => expect(s).toBeCloseTo(dot(normalize(patchEncode(encoder, image(i), SIZE)), text), 4));
  });

  it('refuses a prompt-aware model without a tokenizer, at build time', async () => {
    await expect(make({ stages: { kind: 'model', model: { bytes: promptModel(encoder, table, VOCAB, SIZE, CONTEXT), label: 'prompt-model' } } })).rejects.toThrow(
      /takes prompt tokens.*tokenizer/,
    );
  });

  it('refuses a tokenizer whose context length differs from the model', async () => {
    const tok = await ClipTokenizer.load({ merges: file('bpe.txt.gz', gzipSync(MERGES)) }, { contextLength: 77, padding: 'zero' });
    await expect(
      make({ tokenizer: tok, stages: { kind: 'model', model: { bytes: promptModel(encoder, table, VOCAB, SIZE, CONTEXT), label: 'prompt-model' } } }),
    ).rejects.toThrow(/takes 6 tokens; set tokenizer.context_length: 6/);
  });
});

describe('ONNX scorer, bad models and inputs', () => {
  const headStages = (enc: Uint8Array, h: Uint8Array) => ({ kind: 'head' as const, encoder: { bytes: enc, label: 'enc.onnx' }, head: { bytes: h, label: 'head.onnx' } });

  it('a missing model file is a config error', async () => {
    const err = await make({ stages: { kind: 'model', model: { path: path.join(dir, 'nope.onnx') } } }).catch((e) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/ONNX model not found: .*nope\.onnx/);
  });

  it('a file that is not ONNX is a config error', async () => {
    const err = await make({ stages: { kind: 'model', model: { path: file('garbage.onnx', 'not a model') } } }).catch((e) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/cannot load ONNX model .*garbage\.onnx/);
  });

  it('an input size that differs from the preprocessing is a config error naming both shapes', async () => {
    const err = await make({ preprocess: PREPROCESS_PRESETS['clip-vit-l14'], stages: headStages(encoderModel(encoder, SIZE), mlpModel(head, true)) }).catch((e) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/\[N, 3, 32, 32\].*\[N, 3, 224, 224\]/);
  });

  it('a head whose width differs from the embedding is a config error', async () => {
    const wrong = [randomLinear(rng.derive('w'), 7, 1)];
    await expect(make({ stages: headStages(encoderModel(encoder, SIZE), mlpModel(wrong, false)) })).rejects.toThrow(/expects 7-d embeddings.*gives 12-d/);
  });

  it('encoder_output chooses among the encoder outputs, and must name one of them', async () => {
    const twoOutputs = encoderModel(encoder, SIZE); // pooled [N, 6] and image_embeds [N, 12]
    await expect(make({ encoderOutput: 'missing', stages: headStages(twoOutputs, mlpModel(head, true)) })).rejects.toThrow(/no output "missing".*pooled, image_embeds/);
    await expect(make({ encoderOutput: 'pooled', stages: headStages(twoOutputs, mlpModel(head, true)) })).rejects.toThrow(/expects 12-d embeddings.*gives 6-d/);
  });

  it('a model with several values per image is a config error', async () => {
    const wide = singleStageModel(encoder, SIZE); // the 12-d projection: 12 values per image
    await expect(make({ stages: { kind: 'model', model: { bytes: wide, label: 'wide.onnx' } } })).rejects.toThrow(/output prob has shape \[batch, 12\]; a scorer must give one value per image/);
  });

  it('a model that outputs NaN fails the scoring call with the image named, not the build', async () => {
    const poisoned = [{ ...randomLinear(rng.derive('nan'), 12, 1), b: Float32Array.of(NaN) }];
    const scorer = await make({ stages: headStages(encoderModel(encoder, SIZE), mlpModel(poisoned, false)) });
    const err = await scorer.score(scoredImages(pngs.slice(0, 2), 'x', 'portrait')).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/returned NaN for image portrait#0/);
  });

  it('an image that cannot be decoded fails the call with its name', async () => {
    const scorer = await make({ stages: headStages(encoderModel(encoder, SIZE), mlpModel(head, true)) });
    const images = [{ data: new TextEncoder().encode('not an image'), prompt: '', payload: 'p', index: 3, path: 'runs/x/p-3.png' }];
    await expect(scorer.score(images)).rejects.toThrow(/cannot read image runs\/x\/p-3\.png/);
  });

  it('stops between batches when the signal is aborted', async () => {
    const scorer = await make({ batch: 1, stages: headStages(encoderModel(encoder, SIZE), mlpModel(head, true)) });
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    await expect(scorer.score(scoredImages(pngs), controller.signal)).rejects.toThrow(/interrupted/);
  });
});

describe('ONNX scorer, execution providers', () => {
  const cudaInstalled = cudaProviderInstalled();
  const stages = { kind: 'model' as const, model: { bytes: singleStageModel(randomPatchEncoder(rng.derive('p'), 4, 8, 1), SIZE), label: 'single.onnx' } };

  it.skipIf(cudaInstalled)('cuda without the CUDA binaries is a config error that says how to install them', async () => {
    const err = await make({ stages, runtime: { provider: 'cuda', device: 0, threads: 1 } }).catch((e) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/CUDA execution provider unavailable.*ONNXRUNTIME_NODE_INSTALL=cuda12/);
  });

  it.skipIf(cudaInstalled)('auto falls back to the CPU and says so', async () => {
    const lines: string[] = [];
    const scorer = await make({ stages, runtime: { provider: 'auto', device: 0, threads: 1 }, log: (l) => lines.push(l) });
    expect(await scorer.score(scoredImages(pngs.slice(0, 1)))).toHaveLength(1);
    expect(lines.join('\n')).toMatch(/CUDA unavailable.*on the CPU/);
  });
});
