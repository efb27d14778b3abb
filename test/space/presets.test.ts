import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PRESETS, getPreset } from '../../src/space/presets.js';

const keys = (file: string) => Object.keys(JSON.parse(readFileSync(new URL(`../fixtures/checkpoint-keys/${file}`, import.meta.url), 'utf8')));
const SD1 = keys('sd1-ldm.json');
const SDXL = keys('sdxl-sgm.json');

function countByBlock(presetId: string, list: string[]) {
  const preset = getPreset(presetId)!;
  const counts: Record<string, number> = {};
  const unmatched: string[] = [];
  for (const k of list) {
    const t = preset.mapKey(k);
    if (!t) unmatched.push(k);
    else if (t.kind === 'block') counts[t.block] = (counts[t.block] ?? 0) + 1;
  }
  return { counts, unmatched };
}

describe('block presets', () => {
  it('sd1-27 has the auto-MBW-rt 27 blocks; sd1-26 the supermerger 26; sd1-28 both; sdxl-20 supermerger XL', () => {
    expect(PRESETS['sd1-27'].blocks).toHaveLength(27);
    expect(PRESETS['sd1-26'].blocks).toHaveLength(26);
    expect(PRESETS['sd1-28'].blocks).toHaveLength(28);
    expect(PRESETS['sdxl-20'].blocks).toHaveLength(20);
    expect(PRESETS['sd1-26'].blocks[0]).toBe('BASE');
  });

  for (const id of ['sd1-27', 'sd1-26', 'sd1-28']) {
    it(`${id} maps every real SD1.5 key, and every block gets at least one tensor`, () => {
      const { counts, unmatched } = countByBlock(id, SD1);
      expect(unmatched).toEqual([]);
      for (const b of PRESETS[id].blocks) expect(counts[b], b).toBeGreaterThan(0);
    });
  }

  it('sdxl-20 maps every real SDXL key, and every block gets at least one tensor', () => {
    const { counts, unmatched } = countByBlock('sdxl-20', SDXL);
    expect(unmatched).toEqual([]);
    for (const b of PRESETS['sdxl-20'].blocks) expect(counts[b], b).toBeGreaterThan(0);
  });

  it('sd1-27 gives time_embed and out their own weights; sd1-26 folds them into IN00 and OUT11', () => {
    const t = 'model.diffusion_model.time_embed.0.weight';
    const o = 'model.diffusion_model.out.2.bias';
    expect(PRESETS['sd1-27'].mapKey(t)).toEqual({ kind: 'block', block: 'TIME_EMBED' });
    expect(PRESETS['sd1-27'].mapKey(o)).toEqual({ kind: 'block', block: 'OUT' });
    expect(PRESETS['sd1-26'].mapKey(t)).toEqual({ kind: 'block', block: 'IN00' });
    expect(PRESETS['sd1-26'].mapKey(o)).toEqual({ kind: 'block', block: 'OUT11' });
  });

  it('keeps model A\'s text encoder in sd1-27 and merges it as BASE in sd1-26', () => {
    const k = 'cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight';
    expect(PRESETS['sd1-27'].mapKey(k)?.kind).toBe('copy-a');
    expect(PRESETS['sd1-26'].mapKey(k)).toEqual({ kind: 'block', block: 'BASE' });
  });

  it('copies the VAE from model A and drops the EMA copy', () => {
    expect(PRESETS['sd1-27'].mapKey('first_stage_model.decoder.conv_in.weight')?.kind).toBe('copy-a');
    expect(PRESETS['sd1-27'].mapKey('model_ema.diffusion_modelinput_blocks00weight')?.kind).toBe('drop');
  });

  it('does not map SDXL-only indices in an SD1 preset or beyond index 8 in sdxl-20', () => {
    expect(PRESETS['sdxl-20'].mapKey('model.diffusion_model.input_blocks.9.0.op.weight')).toBeUndefined();
  });
});
