import type { Architecture, BlockPreset } from '../../space/presets.js';

/**
 * ComfyUI's block merge nodes (comfy_extras/nodes_model_merging_model_specific.py) and how a
 * preset's blocks map onto their inputs. Each node is a ModelMergeBlocks: a UNet key takes the
 * ratio of the input name it starts with, and `ratio` is model1's share:
 * `m.add_patches({k: model2[k]}, 1 - ratio, ratio)` gives ratio·model1 + (1 − ratio)·model2.
 * Our weight w is model B's share with model1 = A, so each input gets 1 − w.
 */
export interface MergeNodeLayout {
  classType: 'ModelMergeSD1' | 'ModelMergeSDXL';
  /** Input name → the preset block whose weight it takes. */
  inputs: ReadonlyArray<{ input: string; block: string }>;
  /** The block of the text encoder (CLIPMergeSimple), or undefined when A's encoder is kept. */
  textEncoderBlock: string | undefined;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Input names exactly as ComfyUI declares them: SD1's carry a trailing dot, SDXL's block inputs do not. */
function inputNames(arch: Architecture): string[] {
  if (arch === 'sdxl') {
    return ['time_embed.', 'label_emb.', ...range(9).map((i) => `input_blocks.${i}`), ...range(3).map((i) => `middle_block.${i}`), ...range(9).map((i) => `output_blocks.${i}`), 'out.'];
  }
  return ['time_embed.', 'label_emb.', ...range(12).map((i) => `input_blocks.${i}.`), ...range(3).map((i) => `middle_block.${i}.`), ...range(12).map((i) => `output_blocks.${i}.`), 'out.'];
}

/** A text-encoder key of each architecture, to ask the preset whether it merges the encoder. */
const TEXT_ENCODER_KEY: Record<Architecture, string> = {
  sd1: 'cond_stage_model.transformer.text_model.embeddings.token_embedding.weight',
  sd2: 'cond_stage_model.model.token_embedding.weight',
  sdxl: 'conditioner.embedders.0.transformer.text_model.embeddings.token_embedding.weight',
};

/**
 * The layout for a preset, derived from the preset's own key mapping (the same one the merge
 * engine uses), so ComfyUI and file merges agree on which block a tensor belongs to.
 */
export function mergeNodeLayout(preset: BlockPreset): MergeNodeLayout {
  const arch = preset.architectures[0];
  const inputs = inputNames(arch).map((input) => {
    const key = `model.diffusion_model.${input}${input.endsWith('.') ? '' : '.'}0.weight`;
    const target = preset.mapKey(key);
    if (target?.kind !== 'block') throw new Error(`preset ${preset.id} has no block for ComfyUI merge input "${input}"`);
    return { input, block: target.block };
  });
  const te = preset.mapKey(TEXT_ENCODER_KEY[arch]);
  return {
    classType: arch === 'sdxl' ? 'ModelMergeSDXL' : 'ModelMergeSD1',
    inputs,
    textEncoderBlock: te?.kind === 'block' ? te.block : undefined,
  };
}

/** ComfyUI's ratio (model1 = A's share) for our weight (B's share), free of float dust like 0.7000000000000001. */
export function comfyRatio(weight: number): number {
  return Math.round((1 - weight) * 1e9) / 1e9;
}
