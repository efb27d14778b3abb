import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoScorer, DEMO_FEATURES, DEMO_PREPROCESS, DEMO_SIZE, demoModelBytes, LUMA } from '../../src/scoring/builtin/demo.js';
import { preprocessBatch } from '../../src/scoring/preprocess.js';
import type { Scorer } from '../../src/scoring/types.js';
import { Rng } from '../../src/util/rng.js';
import { randomPng, scoredImages } from '../support/images.js';

/** The demo statistics recomputed pixel by pixel from the preprocessed 64×64 RGB planes. */
function referenceScore(rgb: Float32Array): number {
  const n = DEMO_SIZE;
  const plane = (c: number, x: number, y: number) => rgb[c * n * n + y * n + x];
  const luma = (x: number, y: number) => LUMA[0] * plane(0, x, y) + LUMA[1] * plane(1, x, y) + LUMA[2] * plane(2, x, y);
  let lap = 0;
  for (let y = 1; y < n - 1; y++) {
    for (let x = 1; x < n - 1; x++) lap += Math.abs(luma(x - 1, y) + luma(x + 1, y) + luma(x, y - 1) + luma(x, y + 1) - 4 * luma(x, y));
  }
  let sum = 0;
  let sum2 = 0;
  let chroma2 = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const l = luma(x, y);
      sum += l;
      sum2 += l * l;
      const rg = plane(0, x, y) - plane(1, x, y);
      const yb = (plane(0, x, y) + plane(1, x, y)) / 2 - plane(2, x, y);
      chroma2 += rg * rg + yb * yb;
    }
  }
  const mean = sum / (n * n);
  const features = [lap / (n - 2) ** 2, Math.sqrt(sum2 / (n * n) - mean * mean), Math.sqrt(chroma2 / (n * n)), mean];
  const energy = features.reduce((e, f, i) => e + ((f - DEMO_FEATURES[i].target) / DEMO_FEATURES[i].tolerance) ** 2, 0);
  return 10 * Math.exp(-energy);
}

const solid = (r: number, g: number, b: number) => sharp({ create: { width: 96, height: 96, channels: 3, background: { r, g, b } } }).png().toBuffer();

let scorer: Scorer;
beforeAll(async () => {
  scorer = await createDemoScorer();
});
afterAll(() => scorer.close?.());

describe('built-in demo scorer', () => {
  it('matches the statistics recomputed independently', async () => {
    const rng = Rng.fromSeed('demo-scorer');
    const pngs = await Promise.all([0, 1, 2, 3].map((i) => randomPng(rng.derive(i), 80, 72)));
    const scores = await scorer.score(scoredImages(pngs));
    const planes = await preprocessBatch(pngs, DEMO_PREPROCESS);
    const size = 3 * DEMO_SIZE * DEMO_SIZE;
    scores.forEach((s, i) => expect(s).toBeCloseTo(referenceScore(planes.subarray(i * size, (i + 1) * size)), 4));
  });

  it('prefers a textured, colourful image to a flat one and to white noise', async () => {
    const rng = Rng.fromSeed('demo-noise');
    const noise = Buffer.from(Array.from({ length: 96 * 96 * 3 }, () => rng.int(256)));
    const noisePng = await sharp(noise, { raw: { width: 96, height: 96, channels: 3 } }).png().toBuffer();
    const stripes = Buffer.alloc(96 * 96 * 3);
    for (let i = 0; i < 96 * 96; i++) {
      const band = Math.floor((i % 96) / 12) % 2;
      stripes.set(band ? [200, 120, 60] : [70, 110, 170], i * 3);
    }
    const stripesPng = await sharp(stripes, { raw: { width: 96, height: 96, channels: 3 } }).png().toBuffer();
    const [flat, textured, white] = await scorer.score(scoredImages([await solid(120, 120, 120), stripesPng, noisePng]));
    expect(textured).toBeGreaterThan(flat);
    expect(textured).toBeGreaterThan(white);
    for (const s of [flat, textured, white]) expect(s).toBeGreaterThan(0);
  });

  it('is a few kilobytes, built the same way every time, with a stable fingerprint', async () => {
    expect(demoModelBytes().length).toBeLessThan(4096);
    const again = await createDemoScorer({ name: 'other' });
    expect(await again.fingerprint()).toBe(await scorer.fingerprint());
    expect(await scorer.fingerprint()).toMatch(/^builtin:demo:[0-9a-f]{64}$/);
    await again.close?.();
  });
});
