/**
 * Block presets: the named, versioned sets of block weights a search runs over, and how every
 * checkpoint key maps onto them. The conventions differ between the tools users come from (see
 * docs/blocks.md): time_embed and the final `out` layer have their own weights in auto-MBW-rt,
 * but are folded into IN00/OUT11 by supermerger and meh. A preset's `version` enters the run
 * hash, so changing a mapping can never silently change what an old hash means.
 */

export type Architecture = 'sd1' | 'sd2' | 'sdxl';

/** Where a checkpoint tensor's merge weight comes from. */
export type KeyTarget =
  | { kind: 'block'; block: string }
  /** Not merged: copied from model A (VAE, scheduler buffers, components the preset has no weight for). */
  | { kind: 'copy-a'; reason: string }
  /** Left out of the merged checkpoint (EMA copies of the UNet). */
  | { kind: 'drop'; reason: string };

export interface BlockPreset {
  readonly id: string;
  readonly version: number;
  readonly architectures: readonly Architecture[];
  readonly description: string;
  /** Block names in the preset's canonical order. */
  readonly blocks: readonly string[];
  /** Maps a checkpoint key to its block or policy. Returns undefined for keys it does not know. */
  mapKey(key: string): KeyTarget | undefined;
}

const pad = (n: number) => String(n).padStart(2, '0');
const range = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${pad(i)}`);

const SD1_UNET_25 = [...range('IN', 12), 'M00', ...range('OUT', 12)];
const SDXL_UNET_19 = [...range('IN', 9), 'M00', ...range('OUT', 9)];

const UNET = 'model.diffusion_model.';
const VAE: KeyTarget = { kind: 'copy-a', reason: 'VAE (first_stage_model) is taken from model A' };
const EMA: KeyTarget = { kind: 'drop', reason: 'EMA copy of the UNet is not needed for inference' };
const SCHEDULER_KEYS = new Set([
  'alphas_cumprod', 'alphas_cumprod_prev', 'betas', 'log_one_minus_alphas_cumprod',
  'posterior_log_variance_clipped', 'posterior_mean_coef1', 'posterior_mean_coef2', 'posterior_variance',
  'sqrt_alphas_cumprod', 'sqrt_one_minus_alphas_cumprod', 'sqrt_recip_alphas_cumprod',
  'sqrt_recipm1_alphas_cumprod', 'model_ema.decay', 'model_ema.num_updates', 'v_pred', 'ztsnr',
  'edm_vpred.sigma_max', 'edm_vpred.sigma_min',
]);
const SCHEDULER: KeyTarget = { kind: 'copy-a', reason: 'scheduler buffer or flag, identical across models' };
// Merged files often carry a float copy of the position ids that interpolation corrupts (ComfyUI's CLIP merge skips both).
const TEXT_CONSTANT: KeyTarget = { kind: 'copy-a', reason: 'text-encoder constant (position_ids, logit_scale), not a learned weight' };

interface UnetConvention {
  /** Block for `time_embed.*` (and SDXL `label_emb.*`). */
  timeEmbed: string;
  /** Block for the final `out.*` norm and conv. */
  out: string;
  /** Block for the text encoder(s), or undefined when the preset does not merge them. */
  textEncoder: string | undefined;
  inputCount: number;
  outputCount: number;
}

function unetMapper(c: UnetConvention) {
  return (key: string): KeyTarget | undefined => {
    if (SCHEDULER_KEYS.has(key)) return SCHEDULER;
    if (key.startsWith('first_stage_model.')) return VAE;
    if (key.startsWith('model_ema.')) return EMA;
    if (key.endsWith('.position_ids') || key.endsWith('.logit_scale')) return TEXT_CONSTANT;
    if (key.startsWith('cond_stage_model.') || key.startsWith('conditioner.embedders.')) {
      return c.textEncoder
        ? { kind: 'block', block: c.textEncoder }
        : { kind: 'copy-a', reason: 'this preset has no text-encoder weight (BASE); model A\'s is kept' };
    }
    if (!key.startsWith(UNET)) return undefined;
    const rest = key.slice(UNET.length);
    let m = /^input_blocks\.(\d+)\./.exec(rest);
    if (m) return indexed('IN', Number(m[1]), c.inputCount);
    if (rest.startsWith('middle_block.')) return { kind: 'block', block: 'M00' };
    m = /^output_blocks\.(\d+)\./.exec(rest);
    if (m) return indexed('OUT', Number(m[1]), c.outputCount);
    if (rest.startsWith('time_embed.') || rest.startsWith('label_emb.')) return { kind: 'block', block: c.timeEmbed };
    if (rest.startsWith('out.')) return { kind: 'block', block: c.out };
    return undefined;
  };
}

function indexed(prefix: string, index: number, count: number): KeyTarget | undefined {
  return index < count ? { kind: 'block', block: `${prefix}${pad(index)}` } : undefined;
}

export const PRESETS: Readonly<Record<string, BlockPreset>> = Object.freeze({
  'sd1-27': {
    id: 'sd1-27',
    version: 1,
    architectures: ['sd1', 'sd2'],
    description: 'IN00–IN11, M00, OUT00–OUT11, TIME_EMBED, OUT (auto-MBW-rt); text encoder not merged',
    blocks: [...SD1_UNET_25, 'TIME_EMBED', 'OUT'],
    mapKey: unetMapper({ timeEmbed: 'TIME_EMBED', out: 'OUT', textEncoder: undefined, inputCount: 12, outputCount: 12 }),
  },
  'sd1-26': {
    id: 'sd1-26',
    version: 1,
    architectures: ['sd1', 'sd2'],
    description: 'BASE, IN00–IN11, M00, OUT00–OUT11 (supermerger/meh); time_embed→IN00, out→OUT11',
    blocks: ['BASE', ...SD1_UNET_25],
    mapKey: unetMapper({ timeEmbed: 'IN00', out: 'OUT11', textEncoder: 'BASE', inputCount: 12, outputCount: 12 }),
  },
  'sd1-28': {
    id: 'sd1-28',
    version: 1,
    architectures: ['sd1', 'sd2'],
    description: 'BASE plus the 27 weights of sd1-27',
    blocks: ['BASE', ...SD1_UNET_25, 'TIME_EMBED', 'OUT'],
    mapKey: unetMapper({ timeEmbed: 'TIME_EMBED', out: 'OUT', textEncoder: 'BASE', inputCount: 12, outputCount: 12 }),
  },
  'sdxl-20': {
    id: 'sdxl-20',
    version: 1,
    architectures: ['sdxl'],
    description: 'BASE, IN00–IN08, M00, OUT00–OUT08 (supermerger XL); time_embed/label_emb→IN00, out→OUT08',
    blocks: ['BASE', ...SDXL_UNET_19],
    mapKey: unetMapper({ timeEmbed: 'IN00', out: 'OUT08', textEncoder: 'BASE', inputCount: 9, outputCount: 9 }),
  },
});

export const DEFAULT_PRESET = 'sd1-27';

export function getPreset(id: string): BlockPreset | undefined {
  return Object.prototype.hasOwnProperty.call(PRESETS, id) ? PRESETS[id] : undefined;
}
