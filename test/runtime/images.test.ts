import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileName, ImageStore, type RenderedImage } from '../../src/runtime/images.js';
import type { Payload } from '../../src/runtime/payloads/types.js';
import { encodePng, pngText } from '../../src/runtime/png.js';
import { tempDir } from '../support/tmp.js';

const payload = (name: string): Payload => ({ name, prompt: 'a cat', negative: 'blurry', seed: 3, steps: 20, cfg: 7, sampler: 'euler', scheduler: 'normal', width: 64, height: 64, images: 1, weight: 1 });
const image = (trial: number, name = 'cat', index = 0): RenderedImage => ({
  origin: { trial, recipe: { preset: 'sd1-27', weights: { IN00: 0.25 } }, payload: payload(name), index },
  png: encodePng(1, 1, Uint8Array.from([trial, 0, 0])),
});

describe('ImageStore', () => {
  it('saves every image with the recipe and payload in text chunks (all)', async () => {
    const run = tempDir();
    const store = new ImageStore(run, 'all');
    const rel = await store.save(image(7));
    expect(rel).toBe('images/trial-000007/cat-0.png');
    const text = pngText(readFileSync(path.join(run, rel!)));
    expect(JSON.parse(text['autombw:recipe'])).toEqual({ preset: 'sd1-27', weights: { IN00: 0.25 } });
    expect(JSON.parse(text['autombw:payload'])).toMatchObject({ name: 'cat', seed: 3, index: 0 });
    expect(text.parameters).toMatch(/^a cat\nNegative prompt: blurry\nSteps: 20, Sampler: euler/);
  });

  it('keeps file names inside the run directory whatever the payload is called', () => {
    expect(fileName(image(0, '../../etc/passwd').origin)).toBe('__.._etc_passwd-0.png');
    expect(fileName(image(0, 'cat#2').origin)).toBe('cat_2-0.png');
  });

  it('keeps only the best recipe\'s images (best), across store instances', async () => {
    const run = tempDir();
    const store = new ImageStore(run, 'best');
    expect(await store.save(image(1))).toBeUndefined();
    expect(await store.offerBest(1, 5, [image(1)])).toBe(true);
    expect(await store.offerBest(2, 4, [image(2)])).toBe(false);
    expect(await store.offerBest(3, 6, [image(3, 'dog')])).toBe(true);
    const best = path.join(run, 'images', 'best');
    expect(readdirSync(best).sort()).toEqual(['best.json', 'dog-0.png']);
    const resumed = new ImageStore(run, 'best');
    expect(await resumed.offerBest(4, 5.5, [image(4)])).toBe(false);
    expect(JSON.parse(readFileSync(path.join(best, 'best.json'), 'utf8'))).toEqual({ trial: 3, value: 6 });
  });

  it('writes nothing with none', async () => {
    const run = tempDir();
    const store = new ImageStore(run, 'none');
    await store.save(image(1));
    await store.offerBest(1, 1, [image(1)]);
    expect(existsSync(path.join(run, 'images'))).toBe(false);
  });
});
