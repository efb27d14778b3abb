import { createHash } from 'node:crypto';
import type { FloatTensor, TensorMap } from '../../merge/memory.js';
import { Rng } from '../../util/rng.js';
import { sd1TextEncoderKeys, sd1UnetKeys } from './sd1-keys.js';

/**
 * The demo's checkpoints: every SD1 UNet and text-encoder key, each a tensor of 4 floats.
 * Model A sits at 0, model B at 1 and model C (the common base for add-difference, TIES, DARE)
 * at −0.5, each with zero-mean noise, so after a weighted sum the mean of a block's tensors is
 * exactly the block's weight. Generated from a fixed seed: the same bytes everywhere.
 */

/** Bump when the models change; it enters their hashes and so the evaluation cache key. */
export const DEMO_MODELS_VERSION = 1;
const ELEMENTS = 4;
const LEVELS = { a: 0, b: 1, c: -0.5 } as const;

export type DemoSlot = keyof typeof LEVELS;

export interface DemoModels {
  tensors: Record<DemoSlot, TensorMap>;
  /** SHA-256 of each model's names and values, standing in for a file hash. */
  sha256: Record<DemoSlot, string>;
}

let built: DemoModels | undefined;

export function demoModels(): DemoModels {
  if (built) return built;
  const keys = [...sd1UnetKeys(), ...sd1TextEncoderKeys()];
  const root = Rng.fromSeed(`autombw-demo-models/${DEMO_MODELS_VERSION}`);
  const tensors = {} as Record<DemoSlot, TensorMap>;
  const sha256 = {} as Record<DemoSlot, string>;
  for (const slot of Object.keys(LEVELS) as DemoSlot[]) {
    const map = new Map<string, FloatTensor>();
    const hash = createHash('sha256');
    for (const key of keys) {
      const rng = root.derive(slot, key);
      const noise = Array.from({ length: ELEMENTS }, () => 0.05 * rng.normal());
      const mean = noise.reduce((s, x) => s + x, 0) / ELEMENTS;
      const data = Float32Array.from(noise, (x) => LEVELS[slot] + x - mean);
      map.set(key, { shape: [ELEMENTS], data });
      hash.update(key).update(new Uint8Array(data.buffer));
    }
    tensors[slot] = map;
    sha256[slot] = hash.digest('hex');
  }
  built = { tensors, sha256 };
  return built;
}
