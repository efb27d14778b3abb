import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeTensors } from '../../src/merge/memory.js';
import { demoModels } from '../../src/runtime/demo/models.js';
import { demoGroup, demoSweetSpots } from '../../src/runtime/demo/render.js';
import { sd1TextEncoderKeys, sd1UnetKeys } from '../../src/runtime/demo/sd1-keys.js';
import { getPreset } from '../../src/space/presets.js';
import { buildObjective, DEMO_SCORER, evaluate, weightsFor, type Built } from './harness.js';

const realKeys = JSON.parse(gunzipSync(readFileSync(new URL('../merge/fixtures/sd1-ldm.json.gz', import.meta.url))).toString('utf8')) as Record<string, { component: string; dtype: string }>;
const keysOf = (component: string) => Object.entries(realKeys).filter(([, v]) => v.component === component && v.dtype === 'float32').map(([k]) => k).sort();

/** The sweet spot of each block of sd1-28 (every part of the demo model has its own block there). */
function bestWeights(): Record<string, number> {
  const spots = demoSweetSpots();
  const part: Record<string, string> = { BASE: 'text', M00: 'middle', TIME_EMBED: 'time_embed', OUT: 'out' };
  for (let i = 0; i < 12; i++) {
    part[`IN${String(i).padStart(2, '0')}`] = `in${i}`;
    part[`OUT${String(i).padStart(2, '0')}`] = `out${i}`;
  }
  return Object.fromEntries(getPreset('sd1-28')!.blocks.map((b) => [b, spots[part[b]]]));
}

describe('demo models', () => {
  it('carry the real SD1 UNet and text-encoder key names', () => {
    expect([...sd1UnetKeys()].sort()).toEqual(keysOf('diffuser'));
    expect([...sd1TextEncoderKeys()].sort()).toEqual(keysOf('clip_l'));
  });

  it('merge so that each block\'s mean level is its weighted-sum weight', () => {
    const { tensors } = demoModels();
    const weights = Object.fromEntries(getPreset('sd1-27')!.blocks.map((b, i) => [b, i / 26]));
    const { tensors: merged } = mergeTensors({ method: 'weighted-sum', weights, preset: 'sd1-27', models: { a: tensors.a, b: tensors.b } });
    const mean = (key: string) => merged.get(key)!.data.reduce((s, v) => s + v, 0) / 4;
    expect(mean('model.diffusion_model.input_blocks.4.1.proj_in.weight')).toBeCloseTo(weights.IN04, 5);
    expect(mean('model.diffusion_model.out.2.bias')).toBeCloseTo(weights.OUT, 5);
    expect(demoGroup('model.diffusion_model.output_blocks.5.2.conv.weight')).toBe('out5');
  });

  it('put every sweet spot strictly inside (0, 1)', () => {
    const spots = Object.values(demoSweetSpots());
    expect(spots).toHaveLength(28);
    for (const s of spots) expect(s).toBeGreaterThan(0.1), expect(s).toBeLessThan(0.9);
  });
});

describe('demo backend with the built-in scorer', () => {
  let demo: Built;
  beforeAll(async () => {
    demo = await buildObjective(
      { payloads: { items: ['a red fox', 'a blue lake'], defaults: { images: 2 } }, scorer: DEMO_SCORER, runtime: { backend: 'demo', cache: { enabled: false }, save_images: 'none' } },
      { space: { preset: 'sd1-28' } },
    );
  });
  afterAll(() => demo.objective.close());

  it('scores the sweet spot above the centre and far above the corners', async () => {
    const best = (await evaluate(demo, bestWeights())).value;
    const centre = (await evaluate(demo, weightsFor(demo.space, 0.5))).value;
    const zeros = (await evaluate(demo, weightsFor(demo.space, 0))).value;
    const ones = (await evaluate(demo, weightsFor(demo.space, 1))).value;
    expect(best).toBeGreaterThan(9.5);
    expect(centre).toBeLessThan(best - 3);
    expect(Math.max(zeros, ones)).toBeLessThan(1);
  });

  it('responds to every block', async () => {
    const best = bestWeights();
    const top = (await evaluate(demo, best)).value;
    for (const block of demo.space.preset.blocks) {
      const moved = { ...best, [block]: best[block] > 0.5 ? best[block] - 0.4 : best[block] + 0.4 };
      expect((await evaluate(demo, moved)).value, block).toBeLessThan(top - 0.01);
    }
  });

  it('evaluates a recipe of 4 images in well under a second, deterministically', async () => {
    const weights = weightsFor(demo.space, 0.3);
    const started = performance.now();
    const first = await evaluate(demo, weights);
    expect(performance.now() - started).toBeLessThan(500);
    expect((await evaluate(demo, weights)).value).toBe(first.value);
  });
});
