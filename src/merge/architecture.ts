import type { Architecture } from '../space/presets.js';

export interface Detection {
  architecture: Architecture;
  /** The key (and shape, where it decided) that identified the architecture, for messages. */
  evidence: string;
  /** conv_in takes 9 channels (image + mask + masked image) instead of 4. */
  inpainting: boolean;
}

interface KeyShape {
  readonly name: string;
  readonly shape: readonly number[];
}

const UNET = 'model.diffusion_model.';
// Cross-attention key projection of the first transformer: its input width is the text encoder's width.
const CROSS_ATTENTION_K = `${UNET}input_blocks.1.1.transformer_blocks.0.attn2.to_k.weight`;
const CONV_IN = `${UNET}input_blocks.0.0.weight`;

/**
 * Detects SD1.x, SD2.x or SDXL from checkpoint keys (LDM/SGM layout), by the text encoder's
 * prefix when present, otherwise from the UNet: SDXL has `label_emb` and 9 input blocks, SD1 and
 * SD2 differ in cross-attention width (768 vs 1024). Returns undefined for anything else.
 */
export function detectArchitecture(tensors: readonly KeyShape[]): Detection | undefined {
  const byName = new Map(tensors.map((t) => [t.name, t.shape]));
  const inpainting = byName.get(CONV_IN)?.[1] === 9;
  const found = (architecture: Architecture, evidence: string): Detection => ({ architecture, evidence, inpainting });
  const has = (prefix: string) => tensors.find((t) => t.name.startsWith(prefix))?.name;

  let key = has('conditioner.embedders.1.') ?? has(`${UNET}label_emb.`);
  if (key) return found('sdxl', key);
  key = has('cond_stage_model.model.');
  if (key) return found('sd2', key);
  key = has('cond_stage_model.transformer.');
  if (key) return found('sd1', key);
  const width = byName.get(CROSS_ATTENTION_K)?.[1];
  if (width === 768) return found('sd1', `${CROSS_ATTENTION_K} [${byName.get(CROSS_ATTENTION_K)!.join(', ')}]`);
  if (width === 1024) return found('sd2', `${CROSS_ATTENTION_K} [${byName.get(CROSS_ATTENTION_K)!.join(', ')}]`);
  return undefined;
}
