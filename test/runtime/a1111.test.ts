import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { sd1TextEncoderKeys, sd1UnetKeys } from '../../src/runtime/demo/sd1-keys.js';
import sharp from 'sharp';
import { isPng, pngText } from '../../src/runtime/png.js';
import { writeTensors } from '../support/checkpoints.js';
import { FakeA1111, type FakeA1111Options } from '../support/fake-a1111.js';
import { tempDir } from '../support/tmp.js';
import { buildObjective, DEMO_SCORER, evaluate, rampWeights, weightsFor, type Built } from './harness.js';

const fakes: FakeA1111[] = [];
const built: Built[] = [];

afterEach(async () => {
  await Promise.all(built.splice(0).map((b) => b.objective.close()));
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

/** An experiment directory with constant-valued SD1 checkpoints a (0), b (1), c (0.4) and the web UI's models dir. */
async function setup(): Promise<{ dir: string; modelsDir: string }> {
  const dir = tempDir('autombw-a1111-');
  const modelsDir = path.join(dir, 'webui-models');
  mkdirSync(modelsDir);
  const keys = [...sd1UnetKeys(), ...sd1TextEncoderKeys()];
  for (const [name, value] of [['a', 0], ['b', 1], ['c', 0.4]] as const) {
    await writeTensors(path.join(dir, `${name}.safetensors`), keys.map((k) => ({ name: k, dtype: 'F32', shape: [2], values: [value, value] })));
  }
  return { dir, modelsDir };
}

async function server(options: FakeA1111Options): Promise<FakeA1111> {
  const f = await new FakeA1111(options).start();
  fakes.push(f);
  return f;
}

async function build(dir: string, url: string, modelsDir: string, extra: Record<string, unknown> = {}, runtime: Record<string, unknown> = {}, log?: (line: string) => void): Promise<Built> {
  const b = await buildObjective(
    {
      models: { a: 'a.safetensors', b: 'b.safetensors' },
      payloads: { defaults: { width: 64, height: 64, sampler: 'euler_ancestral', scheduler: 'karras' }, items: [{ name: 'cat', prompt: 'a cat', images: 2 }, 'a dog'] },
      scorer: DEMO_SCORER,
      runtime: { backend: 'a1111', endpoints: [{ url, concurrency: 1 }], a1111: { models_dir: modelsDir, precision: 'f32' }, backoff: 0.01, save_images: 'all', ...runtime },
      ...extra,
    },
    { baseDir: dir, ...(log ? { log } : {}) },
  );
  built.push(b);
  return b;
}

function renderedValues(b: Built, trial: number): Array<Record<string, number>> {
  const d = path.join(b.runDir, 'images', `trial-${String(trial).padStart(6, '0')}`);
  return readdirSync(d).sort().map((f) => JSON.parse(pngText(readFileSync(path.join(d, f)))['fake:unet']));
}

describe('AUTOMATIC1111 backend', () => {
  it('merges the recipe into the web UI\'s directory, renders every payload with it, then deletes the file', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir });
    const b = await build(dir, f.url, modelsDir);
    const weights = rampWeights(b.space);
    await evaluate(b, weights, 0);
    const [first] = f.requests;
    expect(first).toMatchObject({ prompt: 'a cat', sampler_name: 'Euler a', scheduler: 'karras', batch_size: 2, save_images: false, override_settings_restore_afterwards: false });
    expect((first.override_settings as { sd_model_checkpoint: string }).sd_model_checkpoint).toMatch(/^autombw-\d+-\d+\.safetensors \[[0-9a-f]{10}\]$/);
    expect(f.loads).toHaveLength(1); // both payloads used the one merged checkpoint
    const values = renderedValues(b, 0);
    expect(values).toHaveLength(3);
    expect(values[0]['input_blocks.7.']).toBeCloseTo(weights.IN07, 6);
    expect(values[0]['out.']).toBeCloseTo(weights.OUT, 6);
    expect(values[0]['time_embed.']).toBeCloseTo(weights.TIME_EMBED, 6);
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it('merges add-difference with the merge engine: A + w·(B − C)', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir });
    const b = await build(dir, f.url, modelsDir, { method: 'add-difference', models: { a: 'a.safetensors', b: 'b.safetensors', c: 'c.safetensors' } });
    const weights = rampWeights(b.space);
    await evaluate(b, weights, 0);
    expect(renderedValues(b, 0)[0]['middle_block.1.']).toBeCloseTo(weights.M00 * (1 - 0.4), 6);
  });

  it('drops the grid image that builds returning one put first', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir, grid: true });
    const b = await build(dir, f.url, modelsDir);
    await evaluate(b, weightsFor(b.space, 0.5), 0);
    expect(renderedValues(b, 0)).toHaveLength(3);
  });

  it('asks for PNG images whatever format the web UI saves in', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir, samplesFormat: 'jpg' });
    const b = await build(dir, f.url, modelsDir);
    const weights = rampWeights(b.space);
    const result = await evaluate(b, weights, 0);
    expect((result.details as { attempts: number }).attempts).toBe(1);
    expect(renderedValues(b, 0)[0]['input_blocks.7.']).toBeCloseTo(weights.IN07, 6);
  });

  for (const samplesFormat of ['jpg', 'webp']) {
    it(`turns the ${samplesFormat === 'jpg' ? 'JPEG' : 'WebP'} images of a web UI that keeps its own format into PNGs, pixel for pixel`, async () => {
      const { dir, modelsDir } = await setup();
      const f = await server({ modelsDir, samplesFormat, refusedOverrides: ['samples_format'] });
      const b = await build(dir, f.url, modelsDir);
      const result = await evaluate(b, weightsFor(b.space, 0.5), 0);
      expect((result.details as { attempts: number }).attempts).toBe(1);
      const d = path.join(b.runDir, 'images', 'trial-000000');
      const saved = ['cat-0.png', 'cat-1.png', 'p2-0.png'].map((file) => readFileSync(path.join(d, file)));
      expect(saved.every((png) => isPng(png))).toBe(true);
      const pixels = (image: Buffer) => sharp(image).raw().toBuffer();
      expect(await Promise.all(saved.map(pixels))).toEqual(await Promise.all(f.sent.map(pixels)));
    });
  }

  it('retries out-of-memory and truncated images; the temporary checkpoints are always removed', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir });
    f.faults.oom = 1;
    f.faults.truncatedImage = 1;
    const b = await build(dir, f.url, modelsDir);
    const result = await evaluate(b, weightsFor(b.space, 0.5), 0);
    expect((result.details as { attempts: number }).attempts).toBe(3);
    expect(readdirSync(modelsDir)).toEqual([]);
  });

  it('explains a models_dir the web UI does not read', async () => {
    const { dir, modelsDir } = await setup();
    const elsewhere = path.join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const f = await server({ modelsDir: elsewhere });
    const b = await build(dir, f.url, modelsDir);
    await expect(evaluate(b, weightsFor(b.space, 0.5), 0)).rejects.toThrow(/does not list autombw-.*after a rescan; is .*webui-models the web UI's checkpoint directory/);
  });

  it('checks samplers and schedulers before the run starts', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir, samplers: ['Euler', 'DPM++ 2M'], schedulers: ['automatic', 'normal'] });
    await expect(build(dir, f.url, modelsDir)).rejects.toMatchObject({
      issues: [expect.stringMatching(/has no sampler "Euler a" \(did you mean "Euler"\?\)/), expect.stringMatching(/has no scheduler "karras"/)],
    });
  });

  it('warns once at start-up that a web UI without the schedulers route may ignore the payloads\' scheduler', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir, withoutSchedulersRoute: true });
    const lines: string[] = [];
    const b = await build(dir, f.url, modelsDir, {}, {}, (line) => lines.push(line));
    await evaluate(b, weightsFor(b.space, 0.5), 0);
    await evaluate(b, weightsFor(b.space, 0.6), 1);
    expect(lines).toEqual([
      `warning: ${f.url} has no /sdapi/v1/schedulers (A1111 before 1.9.1): if it is older than 1.9.0 it ignores the payloads' scheduler (karras) and each sampler uses its own schedule; to choose one there, name it in the sampler label (sampler: "DPM++ 2M Karras")`,
    ]);
  });

  it('answers a repeated recipe from the cache without merging or rendering', async () => {
    const { dir, modelsDir } = await setup();
    const f = await server({ modelsDir });
    const b = await build(dir, f.url, modelsDir);
    const weights = weightsFor(b.space, 0.5);
    const first = await evaluate(b, weights, 0);
    const again = await evaluate(b, weights, 1);
    expect(again.value).toBe(first.value);
    expect(f.requests).toHaveLength(2);
  });
});
