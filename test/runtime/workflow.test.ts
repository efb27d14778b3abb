import { describe, expect, it } from 'vitest';
import { comfyRatio, mergeNodeLayout } from '../../src/runtime/comfyui/merge-inputs.js';
import { checkTemplate, fillTemplate } from '../../src/runtime/comfyui/template.js';
import { buildWorkflow } from '../../src/runtime/comfyui/workflow.js';
import type { Payload } from '../../src/runtime/payloads/types.js';
import { getPreset } from '../../src/space/presets.js';
import { SD1_MERGE_INPUTS, SDXL_MERGE_INPUTS } from '../support/fake-comfyui.js';

const payload: Payload = { name: 'p', prompt: 'a cat', negative: '', seed: 5, steps: 9, cfg: 6.5, sampler: 'euler', scheduler: 'karras', width: 512, height: 768, images: 3, weight: 1 };

describe('ComfyUI merge inputs', () => {
  it('covers exactly the inputs ComfyUI declares for each architecture', () => {
    expect(mergeNodeLayout(getPreset('sd1-27')!).inputs.map((i) => i.input)).toEqual(SD1_MERGE_INPUTS);
    expect(mergeNodeLayout(getPreset('sdxl-20')!).inputs.map((i) => i.input)).toEqual(SDXL_MERGE_INPUTS);
  });

  it('folds time_embed into IN00 and out into OUT11 for sd1-26, and merges the text encoder by BASE', () => {
    const layout = mergeNodeLayout(getPreset('sd1-26')!);
    const block = Object.fromEntries(layout.inputs.map((i) => [i.input, i.block]));
    expect([block['time_embed.'], block['out.'], block['input_blocks.0.'], block['middle_block.2.']]).toEqual(['IN00', 'OUT11', 'IN00', 'M00']);
    expect(layout.textEncoderBlock).toBe('BASE');
    expect(mergeNodeLayout(getPreset('sd1-27')!).textEncoderBlock).toBeUndefined();
  });

  it('turns B\'s share into model1\'s ratio without float dust', () => {
    expect(comfyRatio(0.3)).toBe(0.7);
    expect(comfyRatio(0)).toBe(1);
    expect(comfyRatio(1)).toBe(0);
  });
});

describe('built-in workflow', () => {
  it('keeps A\'s text encoder when the preset has no BASE', () => {
    const g = buildWorkflow({ layout: mergeNodeLayout(getPreset('sd1-27')!), method: 'weighted-sum', checkpoints: { a: 'a', b: 'b' }, weights: Object.fromEntries(getPreset('sd1-27')!.blocks.map((b) => [b, 0.5])), payload, output: 'websocket' });
    expect(Object.values(g).some((n) => n.class_type === 'CLIPMergeSimple')).toBe(false);
    const encode = Object.values(g).find((n) => n.class_type === 'CLIPTextEncode')!;
    expect(encode.inputs.clip).toEqual(['1', 1]);
    const sampler = Object.values(g).find((n) => n.class_type === 'KSampler')!;
    expect(sampler.inputs).toMatchObject({ seed: 5, steps: 9, cfg: 6.5, sampler_name: 'euler', scheduler: 'karras', denoise: 1 });
    expect(Object.values(g).find((n) => n.class_type === 'EmptyLatentImage')!.inputs).toEqual({ width: 512, height: 768, batch_size: 3 });
  });
});

describe('workflow templates', () => {
  it('names placeholders it does not know and blocks the preset lacks', () => {
    const t = { '1': { class_type: 'SaveImageWebsocket', inputs: { images: '{{promt}}', x: '{{weight:IN99}}', y: '{{ratio:IN01}}' } } };
    expect(checkTemplate(t, getPreset('sd1-27')!.blocks)).toEqual([
      expect.stringMatching(/unknown placeholder \{\{promt\}\}/),
      expect.stringMatching(/placeholder \{\{weight:IN99\}\} names no block/),
    ]);
  });

  it('recognizes a UI-format export and asks for the API format', () => {
    expect(checkTemplate({ nodes: [], links: [] })).toEqual([expect.stringMatching(/Export \(API\)/)]);
  });

  it('asks for an image output node', () => {
    expect(checkTemplate({ '1': { class_type: 'KSampler', inputs: {} } })).toEqual([expect.stringMatching(/no image output node/)]);
  });

  it('substitutes weights, ratios and payload fields', () => {
    const t = { '1': { class_type: 'X', inputs: { w: '{{weight:M00}}', r: '{{ratio:M00}}', s: '{{ steps }}', text: 'photo of {{prompt}}, seed {{seed}}', link: ['2', 0] } } };
    const filled = fillTemplate(t, { checkpoints: { a: 'a', b: 'b' }, payload, weights: { M00: 0.25 } });
    expect(filled['1'].inputs).toEqual({ w: 0.25, r: 0.75, s: 9, text: 'photo of a cat, seed 5', link: ['2', 0] });
  });
});
