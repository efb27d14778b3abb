import sharp from 'sharp';
import type { ScoredImage } from '../../src/scoring/types.js';
import type { Rng } from '../../src/util/rng.js';

/** A PNG of smooth colour blobs plus seeded noise: every image drawn from `rng` differs. */
export async function randomPng(rng: Rng, width: number, height: number): Promise<Buffer> {
  const base = [rng.int(256), rng.int(256), rng.int(256)];
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const wave = 60 * Math.sin((x * (c + 1)) / 9 + (y * (3 - c)) / 13 + base[c]);
        px[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base[c] + wave + 40 * (rng.float() - 0.5))));
      }
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

export function scoredImages(pngs: readonly Uint8Array[], prompt = 'a photo', payload = 'p'): ScoredImage[] {
  return pngs.map((data, index) => ({ data, prompt, payload, index }));
}
