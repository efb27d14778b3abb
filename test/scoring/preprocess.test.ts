import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_STD, cropGeometry, preprocessBatch, PREPROCESS_PRESETS, type PreprocessSpec } from '../../src/scoring/preprocess.js';

// The references were computed once by PIL 9.4 + NumPy 1.24 (Debian bookworm) with
// test/fixtures/scoring/make-preprocess-fixture.py. PIL's BICUBIC and libvips' cubic are both
// Catmull-Rom (a = −0.5) with an antialiasing support, but they round intermediate sums differently,
// so a few pixels on hard edges differ. Measured on this 600×480 image: CLIP 224 crop (2.14× reduction)
// 92.5% of values identical, 99.9% within one 8-bit level, worst 5 levels; stretch to 192×160 (3.1×/3×)
// 94.9% identical, 99.7% within one level, worst 3. The bounds below leave a little headroom.
// At reductions of 4× and more libvips box-shrinks first and drifts further (docs/scoring.md has numbers).
const fixture = (name: string) => new URL(`../fixtures/scoring/${name}`, import.meta.url);
const photo = readFileSync(fixture('photo.png'));
const reference = (name: string) => {
  const bytes = gunzipSync(readFileSync(fixture(name)));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
};

/** Differences in 8-bit levels, per plane: |Δ| · std / scale. */
function levelErrors(actual: Float32Array, expected: Float32Array, spec: PreprocessSpec): number[] {
  const plane = spec.width * spec.height;
  return Array.from(actual, (v, i) => (Math.abs(v - expected[i]) * spec.std[Math.floor(i / plane)]) / spec.scale);
}

function summarize(levels: number[]) {
  return {
    identical: levels.filter((d) => d < 0.5).length / levels.length,
    withinOne: levels.filter((d) => d < 1.5).length / levels.length,
    worst: levels.reduce((a, b) => Math.max(a, b), 0),
  };
}

describe('preprocess', () => {
  it('the clip-vit-l14 preset is the OpenAI CLIP transform: 224, bicubic, centre crop, CLIP mean/std', () => {
    expect(PREPROCESS_PRESETS['clip-vit-l14']).toMatchObject({ width: 224, height: 224, resize: 'crop', kernel: 'cubic', channels: 'rgb' });
    expect(PREPROCESS_PRESETS['clip-vit-l14'].mean).toEqual([0.48145466, 0.4578275, 0.40821073]);
    expect(PREPROCESS_PRESETS['clip-vit-l14'].std).toEqual([0.26862954, 0.26130258, 0.27577711]);
  });

  it('matches PIL/NumPy on the CLIP transform within one 8-bit level for 99.5% of values', async () => {
    const spec = PREPROCESS_PRESETS['clip-vit-b32'];
    const actual = await preprocessBatch([photo], spec);
    const expected = reference('photo.clip224.f32.gz');
    expect(actual.length).toBe(expected.length);
    const s = summarize(levelErrors(actual, expected, spec));
    expect(s.identical).toBeGreaterThan(0.9);
    expect(s.withinOne).toBeGreaterThan(0.995);
    expect(s.worst).toBeLessThanOrEqual(8);
  });

  it('matches PIL/NumPy on a custom stretch / BGR / 0..255 spec', async () => {
    const spec: PreprocessSpec = {
      width: 192,
      height: 160,
      resize: 'stretch',
      shortestSide: 192,
      kernel: 'cubic',
      scale: 1,
      mean: [127.5, 127.5, 127.5],
      std: [127.5, 127.5, 127.5],
      channels: 'bgr',
    };
    const actual = await preprocessBatch([photo], spec);
    const s = summarize(levelErrors(actual, reference('photo.custom.f32.gz'), spec));
    expect(s.identical).toBeGreaterThan(0.9);
    expect(s.withinOne).toBeGreaterThan(0.995);
    expect(s.worst).toBeLessThanOrEqual(6);
  });

  it('uses torchvision rounding for the shortest-side resize and the centre crop', () => {
    // 600×480 → short side 224, long side int(224·600/480) = 280, crop offset round(56/2) = 28
    expect(cropGeometry(600, 480, { width: 224, height: 224, shortestSide: 224 })).toEqual({ resizedWidth: 280, resizedHeight: 224, left: 28, top: 0 });
    // 333×500 portrait: long side int(224·500/333) = 336, offset round(112/2) = 56
    expect(cropGeometry(333, 500, { width: 224, height: 224, shortestSide: 224 })).toEqual({ resizedWidth: 224, resizedHeight: 336, left: 0, top: 56 });
    // resize-256-crop-224 pipelines: offset round(16/2) = 8 on both axes for a square
    expect(cropGeometry(512, 512, { width: 224, height: 224, shortestSide: 256 })).toEqual({ resizedWidth: 256, resizedHeight: 256, left: 16, top: 16 });
  });

  it('lays out a batch as consecutive CHW images', async () => {
    const red = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 255, g: 0, b: 0 } } }).png().toBuffer();
    const blue = await sharp({ create: { width: 30, height: 40, channels: 3, background: { r: 0, g: 0, b: 255 } } }).png().toBuffer();
    const spec = { ...PREPROCESS_PRESETS['clip-vit-l14'], width: 8, height: 8, shortestSide: 8 };
    const t = await preprocessBatch([red, blue], spec);
    expect(t.length).toBe(2 * 3 * 64);
    const at = (image: number, plane: number) => t[image * 192 + plane * 64 + 10];
    expect(at(0, 0)).toBeCloseTo((1 - CLIP_MEAN[0]) / CLIP_STD[0], 5);
    expect(at(0, 2)).toBeCloseTo((0 - CLIP_MEAN[2]) / CLIP_STD[2], 5);
    expect(at(1, 0)).toBeCloseTo((0 - CLIP_MEAN[0]) / CLIP_STD[0], 5);
    expect(at(1, 2)).toBeCloseTo((1 - CLIP_MEAN[2]) / CLIP_STD[2], 5);
  });

  it('drops alpha and expands greyscale to three channels', async () => {
    const rgba = await sharp({ create: { width: 16, height: 16, channels: 4, background: { r: 10, g: 20, b: 30, alpha: 0.5 } } }).png().toBuffer();
    const grey = await sharp({ create: { width: 16, height: 16, channels: 3, background: { r: 90, g: 90, b: 90 } } }).greyscale().png().toBuffer();
    const spec = { ...PREPROCESS_PRESETS['clip-vit-l14'], width: 16, height: 16, shortestSide: 16, scale: 1, mean: [0, 0, 0] as const, std: [1, 1, 1] as const };
    const [a, g] = await Promise.all([preprocessBatch([rgba], spec), preprocessBatch([grey], spec)]);
    expect([a[0], a[256], a[512]]).toEqual([10, 20, 30]);
    expect([g[0], g[256], g[512]]).toEqual([90, 90, 90]);
  });

  it('rejects bytes that are not an image', async () => {
    await expect(preprocessBatch([new TextEncoder().encode('not a png')], PREPROCESS_PRESETS['clip-vit-l14'])).rejects.toThrow();
  });
});
