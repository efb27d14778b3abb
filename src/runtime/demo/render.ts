import type { TensorMap } from '../../merge/memory.js';
import { Rng } from '../../util/rng.js';
import type { Payload } from '../payloads/types.js';
import { encodePng } from '../png.js';

/**
 * The demo's "generator": a deterministic CPU toy that turns a merged demo model into small
 * images. Every part of the model matters. Each of its 28 parts (time_embed, input blocks 0–11,
 * middle block, output blocks 0–11, out, text encoder) has a sweet spot: a level, between the
 * demo models A (0) and B (1), where it "works best"; how close a part is to its sweet spot
 * drives one image quality strongly and another weakly:
 *
 *   detail (sharpness), contrast and colourfulness grow with closeness; brightness drifts dark
 *   or light as its parts move off their sweet spots.
 *
 * The built-in demo scorer likes moderate detail, contrast, colour and brightness, so the best
 * recipe puts each block at its sweet spot: an interior point that differs per block, not a
 * corner of the cube. What an image shows (blobs of colour) comes from the payload's prompt and
 * seed, so payloads differ while the model decides their quality.
 */

export const DEMO_LOOK_VERSION = 1;

const FEATURES = ['sharpness', 'contrast', 'colourfulness', 'brightness'] as const;
type Feature = (typeof FEATURES)[number];
/** How sharply quality falls off around a sweet spot. */
const WIDTH = 0.2;
const SECONDARY = 0.3;

const GROUPS = ['time_embed', ...Array.from({ length: 12 }, (_, i) => `in${i}`), 'middle', ...Array.from({ length: 12 }, (_, i) => `out${i}`), 'out', 'text'];

interface GroupRole {
  sweetSpot: number;
  primary: Feature;
  secondary: Feature;
}

const ROLES: ReadonlyMap<string, GroupRole> = (() => {
  const rng = Rng.fromSeed(`autombw-demo-look/${DEMO_LOOK_VERSION}`);
  const order = rng.derive('order').shuffle([...GROUPS]);
  return new Map(
    order.map((g, i) => [g, { sweetSpot: rng.derive('spot', g).uniform(0.12, 0.88), primary: FEATURES[i % 4], secondary: FEATURES[(i + 1) % 4] }]),
  );
})();

/** The sweet spot of each part, for tests and docs: the best weighted-sum weight of the blocks holding it. */
export function demoSweetSpots(): Record<string, number> {
  return Object.fromEntries([...ROLES].map(([g, r]) => [g, r.sweetSpot]));
}

/** Which of the 28 parts a checkpoint key belongs to. */
export function demoGroup(key: string): string | undefined {
  if (key.startsWith('cond_stage_model.')) return 'text';
  const m = /^model\.diffusion_model\.(time_embed|input_blocks|middle_block|output_blocks|out)\.(\d+)?/.exec(key);
  if (!m) return undefined;
  if (m[1] === 'input_blocks') return `in${m[2]}`;
  if (m[1] === 'output_blocks') return `out${m[2]}`;
  return m[1] === 'middle_block' ? 'middle' : m[1];
}

/** The qualities a merged model renders with: three in [0, 1], brightness as a signed drift. */
export interface DemoLook {
  sharpness: number;
  contrast: number;
  colourfulness: number;
  /** Mean luma the image is shifted to. */
  brightness: number;
}

export function demoLook(model: TensorMap): DemoLook {
  const sums = new Map<string, { total: number; count: number }>();
  for (const [key, t] of model) {
    const g = demoGroup(key);
    if (g === undefined) continue;
    const s = sums.get(g) ?? { total: 0, count: 0 };
    for (const v of t.data) s.total += v;
    s.count += t.data.length;
    sums.set(g, s);
  }
  const quality = { sharpness: [0, 0], contrast: [0, 0], colourfulness: [0, 0], brightness: [0, 0] } as Record<Feature, [number, number]>;
  let drift = 0;
  let drifting = 0;
  for (const [g, role] of ROLES) {
    const s = sums.get(g);
    if (!s) continue;
    const level = s.total / s.count;
    const q = Math.exp(-(((level - role.sweetSpot) / WIDTH) ** 2));
    for (const [feature, weight] of [[role.primary, 1], [role.secondary, SECONDARY]] as const) {
      quality[feature][0] += weight * q;
      quality[feature][1] += weight;
    }
    if (role.primary === 'brightness') {
      drift += level - role.sweetSpot;
      drifting++;
    }
  }
  const mean = (f: Feature) => (quality[f][1] > 0 ? quality[f][0] / quality[f][1] : 0);
  return {
    sharpness: mean('sharpness'),
    contrast: mean('contrast'),
    colourfulness: mean('colourfulness'),
    // Parts off their sweet spot also dull the image a little (the brightness family's quality).
    brightness: 0.45 + 0.35 * Math.tanh((2.5 * drift) / Math.max(1, drifting)) - 0.1 * (1 - mean('brightness')),
  };
}

/** Feature levels the look aims at when every quality is 1 (the demo scorer's sweet spots). */
const TARGET = { sharpness: 0.1, contrast: 0.2, colourfulness: 0.2 };
/** Mean |4-neighbour Laplacian| of the ±1 texture of 2×2 cells per unit amplitude. */
const TEXTURE_SHARPNESS = 4;

/** One image of a payload: `size`×`size` RGB PNG. */
export function renderDemo(look: DemoLook, payload: Payload, index: number, size: number): Buffer {
  const rng = Rng.fromSeed(`autombw-demo-image:${payload.seed}:${payload.prompt}`).derive(index);
  const n = size * size;
  const r = new Float64Array(n);
  const g = new Float64Array(n);
  const b = new Float64Array(n);
  const hue = () => [rng.float(), rng.float(), rng.float()];
  const [br, bg, bb] = hue();
  r.fill(br);
  g.fill(bg);
  b.fill(bb);
  const blobs = 3 + rng.int(4);
  for (let k = 0; k < blobs; k++) {
    const [cr, cg, cb] = hue();
    const cx = rng.float() * size;
    const cy = rng.float() * size;
    const radius = (0.12 + 0.25 * rng.float()) * size;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const a = Math.exp(-(((x - cx) ** 2 + (y - cy) ** 2) / (2 * radius * radius)));
        const i = y * size + x;
        r[i] += a * (cr - r[i]);
        g[i] += a * (cg - g[i]);
        b[i] += a * (cb - b[i]);
      }
    }
  }
  // Split into luma and chroma, then set each quality's level directly.
  const luma = new Float64Array(n);
  for (let i = 0; i < n; i++) luma[i] = 0.299 * r[i] + 0.587 * g[i] + 0.114 * b[i];
  const lumaMean = average(luma);
  const lumaStd = Math.sqrt(average(luma.map((v) => (v - lumaMean) ** 2))) || 1;
  let chromaRms = 0;
  for (let i = 0; i < n; i++) chromaRms += (r[i] - g[i]) ** 2 + ((r[i] + g[i]) / 2 - b[i]) ** 2;
  chromaRms = Math.sqrt(chromaRms / n) || 1;
  const contrastScale = (TARGET.contrast * look.contrast) / lumaStd;
  const chromaScale = (TARGET.colourfulness * look.colourfulness) / chromaRms;
  const amplitude = (TARGET.sharpness * look.sharpness) / TEXTURE_SHARPNESS;
  const phase = rng.int(4);
  const out = new Uint8Array(n * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const texture = amplitude * cell(x + phase) * cell(y);
      const l = look.brightness + (luma[i] - lumaMean) * contrastScale + texture;
      out[i * 3] = toByte(l + (r[i] - luma[i]) * chromaScale);
      out[i * 3 + 1] = toByte(l + (g[i] - luma[i]) * chromaScale);
      out[i * 3 + 2] = toByte(l + (b[i] - luma[i]) * chromaScale);
    }
  }
  return encodePng(size, size, out);
}

/** ±1 in runs of two pixels: the finest texture that survives the scorer's resize. */
function cell(v: number): number {
  return (v >> 1) & 1 ? -1 : 1;
}

function average(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function toByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v * 255)));
}
