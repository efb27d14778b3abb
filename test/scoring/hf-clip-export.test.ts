import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createScorer } from '../../src/scoring/create-scorer.js';
import { preprocessBatch, PREPROCESS_PRESETS } from '../../src/scoring/preprocess.js';
import { scoredImages } from '../support/images.js';

// hf-tiny-clip/ holds a real Hugging Face CLIPVisionModelWithProjection (random weights, hidden 16,
// 2 layers) and a LAION-v1-shaped head, exported by the project's scripts with torch 2.11, and the
// scores torch computed on PIL-preprocessed inputs (make-hf-clip-fixture.py). Here the same ONNX files
// run through sharp + onnxruntime-node; the only expected difference is the resize (PIL vs libvips).
// Measured: score differences 3e-5 and 6e-5 (scores about 0.2); the bound is 5e-4.
const dir = fileURLToPath(new URL('../fixtures/scoring/', import.meta.url));
const reference = JSON.parse(readFileSync(`${dir}hf-tiny-clip/reference.json`, 'utf8')) as {
  images: Array<{ image: string; score: number; embedding: number[] }>;
};

let images: Buffer[];
beforeAll(async () => {
  const photo = readFileSync(`${dir}photo.png`);
  images = [photo, await sharp(photo).rotate(90).png().toBuffer()];
});

describe('a transformers CLIP export', () => {
  it('gives the embeddings torch gave, up to the resize difference (cosine > 0.9999)', async () => {
    const session = await ort.InferenceSession.create(`${dir}hf-tiny-clip/vision.onnx`);
    const pixels = await preprocessBatch(images, PREPROCESS_PRESETS['clip-vit-b32']);
    const out = await session.run({ pixel_values: new ort.Tensor('float32', pixels, [2, 3, 224, 224]) });
    const e = out.image_embeds.data as Float32Array;
    reference.images.forEach((ref, i) => {
      const mine = Array.from(e.subarray(i * 16, i * 16 + 16));
      const norm = Math.hypot(...mine);
      const cosine = mine.reduce((s, x, j) => s + (x / norm) * ref.embedding[j], 0);
      expect(cosine).toBeGreaterThan(0.9999);
    });
    await session.release();
  });

  it('scores as torch did through the encoder + head scorer, names read from the model', async () => {
    const panel = await createScorer(
      { scorers: [{ kind: 'onnx', encoder: 'hf-tiny-clip/vision.onnx', head: 'hf-tiny-clip/head.onnx', preprocess: 'clip-vit-b32' }] },
      dir,
      { log: () => {} },
    );
    try {
      const scores = await panel.score(scoredImages(images));
      scores.forEach((s, i) => expect(Math.abs(s - reference.images[i].score)).toBeLessThan(5e-4));
    } finally {
      await panel.close();
    }
  });
});
