import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { detectArchitecture } from '../../src/merge/architecture.js';
import { choosePreset, summarizeBlocks } from '../../src/merge/block-map.js';
import { getPreset, PRESETS } from '../../src/space/presets.js';
import { keyLayout, type Layout } from '../support/checkpoints.js';

const tensorsOf = (layout: Layout) => Object.entries(keyLayout(layout)).map(([name, s]) => ({ name, shape: s.shape }));
const UNET = 'model.diffusion_model.';

describe('architecture detection', () => {
  it('recognizes SD1.5 by its CLIP-L text encoder', () => {
    expect(detectArchitecture(tensorsOf('sd1'))).toMatchObject({ architecture: 'sd1', inpainting: false });
  });

  it('recognizes SDXL by its second text encoder', () => {
    expect(detectArchitecture(tensorsOf('sdxl'))?.architecture).toBe('sdxl');
  });

  it('recognizes SD2 by its OpenCLIP text encoder prefix', () => {
    const sd2 = tensorsOf('sd1').map((t) => ({ ...t, name: t.name.replace('cond_stage_model.transformer.', 'cond_stage_model.model.') }));
    expect(detectArchitecture(sd2)?.architecture).toBe('sd2');
  });

  it('tells SD1 from SD2 in a UNet-only file by the cross-attention width', () => {
    const unet = tensorsOf('sd1').filter((t) => t.name.startsWith(UNET));
    expect(detectArchitecture(unet)?.architecture).toBe('sd1');
    const key = `${UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight`;
    const sd2 = unet.map((t) => (t.name === key ? { ...t, shape: [320, 1024] } : t));
    expect(detectArchitecture(sd2)).toMatchObject({ architecture: 'sd2', evidence: `${key} [320, 1024]` });
  });

  it('flags an inpainting UNet by its 9-channel conv_in', () => {
    const tensors = tensorsOf('sd1').map((t) => (t.name === `${UNET}input_blocks.0.0.weight` ? { ...t, shape: [320, 9, 3, 3] } : t));
    expect(detectArchitecture(tensors)?.inpainting).toBe(true);
  });

  it('returns undefined for keys of no known architecture', () => {
    expect(detectArchitecture([{ name: 'lora_unet_down.weight', shape: [4, 4] }])).toBeUndefined();
  });
});

describe('block coverage of real key lists', () => {
  const sd1Presets = Object.values(PRESETS).filter((p) => p.architectures.includes('sd1')).map((p) => p.id);

  it.each(sd1Presets)('maps every SD1.5 key of preset %s to a block or a policy', (id) => {
    const summary = summarizeBlocks(getPreset(id)!, tensorsOf('sd1'));
    expect(summary.unmatched).toEqual([]);
  });

  it('maps every SDXL key of preset sdxl-20 to a block or a policy', () => {
    expect(summarizeBlocks(getPreset('sdxl-20')!, tensorsOf('sdxl')).unmatched).toEqual([]);
  });

  it.each([['sd1', 'sd1-27'], ['sd1', 'sd1-26'], ['sd1', 'sd1-28'], ['sdxl', 'sdxl-20']] as const)('puts every %s UNet key in a block of %s', (layout, id) => {
    const preset = getPreset(id)!;
    const unet = Object.keys(keyLayout(layout)).filter((k) => k.startsWith(UNET));
    const off = unet.filter((k) => preset.mapKey(k)?.kind !== 'block');
    expect(off).toEqual([]);
  });

  it('counts the SD1.5 UNet blocks of sd1-27: all 27 blocks used, 686 tensors, 859.5 M parameters', () => {
    const summary = summarizeBlocks(getPreset('sd1-27')!, tensorsOf('sd1'));
    expect(summary.blocks.map((b) => b.name)).toEqual(getPreset('sd1-27')!.blocks);
    expect(summary.blocks.every((b) => b.tensors > 0)).toBe(true);
    expect(summary.blocks.reduce((n, b) => n + b.tensors, 0)).toBe(686);
    expect(Math.round(summary.blocks.reduce((n, b) => n + b.parameters, 0) / 1e5) / 10).toBe(859.5);
    expect(summary.blocks.find((b) => b.name === 'TIME_EMBED')).toEqual({ name: 'TIME_EMBED', tensors: 4, parameters: 2_050_560 });
    expect(summary.blocks.find((b) => b.name === 'IN00')).toEqual({ name: 'IN00', tensors: 2, parameters: 11_840 });
  });

  it('keeps the VAE, text encoder, scheduler and text constants of SD1.5 from model A under sd1-27 and drops the EMA copy', () => {
    const summary = summarizeBlocks(getPreset('sd1-27')!, tensorsOf('sd1'));
    const tensors = (list: typeof summary.copied) => list.reduce((n, c) => n + c.tensors, 0);
    expect(tensors(summary.copied)).toBe(248 + 196 + 12 + 1 + 2); // VAE, CLIP-L weights, scheduler, position_ids, EMA counters
    expect(tensors(summary.dropped)).toBe(686);
  });

  it('folds time_embed into IN00 and out into OUT11 under sd1-26, and merges the text encoder as BASE', () => {
    const preset = getPreset('sd1-26')!;
    expect(preset.mapKey(`${UNET}time_embed.0.weight`)).toEqual({ kind: 'block', block: 'IN00' });
    expect(preset.mapKey(`${UNET}out.2.weight`)).toEqual({ kind: 'block', block: 'OUT11' });
    expect(preset.mapKey('cond_stage_model.transformer.text_model.final_layer_norm.weight')).toEqual({ kind: 'block', block: 'BASE' });
    expect(preset.mapKey('cond_stage_model.transformer.text_model.embeddings.position_ids')?.kind).toBe('copy-a');
  });

  it('puts both SDXL text encoders in BASE and label_emb in IN00 under sdxl-20', () => {
    const summary = summarizeBlocks(getPreset('sdxl-20')!, tensorsOf('sdxl'));
    expect(summary.blocks.find((b) => b.name === 'BASE')!.tensors).toBe(196 + 389);
    expect(getPreset('sdxl-20')!.mapKey(`${UNET}label_emb.0.0.weight`)).toEqual({ kind: 'block', block: 'IN00' });
  });
});

describe('preset choice', () => {
  const sdxl = detectArchitecture(tensorsOf('sdxl'));

  it('defaults to sd1-27 for SD1 and sdxl-20 for SDXL', () => {
    expect(choosePreset(undefined, detectArchitecture(tensorsOf('sd1')), 'm').id).toBe('sd1-27');
    expect(choosePreset(undefined, sdxl, 'm').id).toBe('sdxl-20');
  });

  it('refuses a preset of another architecture, naming the file and the evidence', () => {
    expect(() => choosePreset('sd1-27', sdxl, 'xl.safetensors')).toThrow(UserInputError);
    expect(() => choosePreset('sd1-27', sdxl, 'xl.safetensors')).toThrow(/xl\.safetensors is an sdxl checkpoint \(conditioner\.embedders\.1\..*\) but preset sd1-27 is for sd1\/sd2/);
  });

  it('suggests the closest preset for a typo', () => {
    expect(() => choosePreset('sd1_27', undefined, 'm')).toThrow(/unknown preset "sd1_27" \(did you mean "sd1-27"\?\)/);
  });

  it('needs a preset when the architecture is unknown', () => {
    expect(() => choosePreset(undefined, undefined, 'odd.safetensors')).toThrow(/odd\.safetensors: cannot tell whether this is an SD1, SD2 or SDXL checkpoint/);
  });
});
