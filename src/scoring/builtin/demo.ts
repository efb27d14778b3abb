import { sha256Hex } from '../../util/sha256.js';
import { createOnnxScorer } from '../onnx-scorer.js';
import { encodeModel, type NodeSpec } from '../onnx-writer.js';
import type { PreprocessSpec } from '../preprocess.js';
import type { Scorer } from '../types.js';

/**
 * The built-in demo scorer: a tiny ONNX graph, built in memory (no file, no download), that rates
 * four image statistics on a 64×64 thumbnail and likes moderate values of each, so that the best
 * image is neither blank nor noise:
 *
 *   sharpness      mean |Laplacian| of the luma
 *   contrast       standard deviation of the luma
 *   colourfulness  root mean square of the opponent chroma (R − G, (R + G)/2 − B)
 *   brightness     mean luma
 *
 *   score = 10 · exp(−Σ ((feature − target) / tolerance)²)   ∈ (0, 10]
 *
 * It runs through the same onnxruntime path as user models, so the demo exercises the real scorer.
 */

export const DEMO_SIZE = 64;

/** Luma weights (BT.601), the same ones PIL's convert('L') uses. */
export const LUMA = [0.299, 0.587, 0.114] as const;

export const DEMO_FEATURES = [
  { name: 'sharpness', target: 0.1, tolerance: 0.1 },
  { name: 'contrast', target: 0.2, tolerance: 0.15 },
  { name: 'colourfulness', target: 0.2, tolerance: 0.2 },
  { name: 'brightness', target: 0.45, tolerance: 0.3 },
] as const;

/** Stretch to 64×64, RGB in 0..1. */
export const DEMO_PREPROCESS: PreprocessSpec = {
  width: DEMO_SIZE,
  height: DEMO_SIZE,
  resize: 'stretch',
  shortestSide: DEMO_SIZE,
  kernel: 'cubic',
  scale: 1 / 255,
  mean: [0, 0, 0],
  std: [1, 1, 1],
  channels: 'rgb',
};

let cached: Uint8Array | undefined;

/** The demo model's ONNX bytes (deterministic: the same bytes in every process). */
export function demoModelBytes(): Uint8Array {
  cached ??= encodeModel({
    name: 'autombw-demo-scorer',
    inputs: [{ name: 'image', type: 'float32', shape: ['N', 3, DEMO_SIZE, DEMO_SIZE] }],
    outputs: [{ name: 'score', type: 'float32', shape: ['N', 1] }],
    initializers: [
      { name: 'luma_w', dims: [1, 3, 1, 1], values: [...LUMA] },
      { name: 'laplacian', dims: [1, 1, 3, 3], values: [0, 1, 0, 1, -4, 1, 0, 1, 0] },
      { name: 'opponent_w', dims: [2, 3, 1, 1], values: [1, -1, 0, 0.5, 0.5, -1] },
      { name: 'sum2_w', dims: [1, 2, 1, 1], values: [1, 1] },
      { name: 'targets', dims: [4], values: DEMO_FEATURES.map((f) => f.target) },
      { name: 'precision', dims: [4, 1], values: DEMO_FEATURES.map((f) => 1 / f.tolerance ** 2) },
      { name: 'minus_one', dims: [1], values: [-1] },
      { name: 'ten', dims: [1], values: [10] },
    ],
    nodes: graph(),
  });
  return cached;
}

function graph(): NodeSpec[] {
  const n = (op: string, inputs: string[], output: string, attributes?: NodeSpec['attributes']): NodeSpec => ({
    op,
    inputs,
    outputs: [output],
    ...(attributes ? { attributes } : {}),
  });
  return [
    n('Conv', ['image', 'luma_w'], 'luma'),
    // sharpness: valid 3×3 Laplacian (no padding, so borders add no false edges)
    n('Conv', ['luma', 'laplacian'], 'lap'),
    n('Abs', ['lap'], 'lap_abs'),
    n('GlobalAveragePool', ['lap_abs'], 'sharpness'),
    // brightness and contrast
    n('GlobalAveragePool', ['luma'], 'brightness'),
    n('Sub', ['luma', 'brightness'], 'luma_dev'),
    n('Mul', ['luma_dev', 'luma_dev'], 'luma_dev2'),
    n('GlobalAveragePool', ['luma_dev2'], 'luma_var'),
    n('Sqrt', ['luma_var'], 'contrast'),
    // colourfulness
    n('Conv', ['image', 'opponent_w'], 'opponent'),
    n('Mul', ['opponent', 'opponent'], 'opponent2'),
    n('GlobalAveragePool', ['opponent2'], 'opponent_ms'),
    n('Conv', ['opponent_ms', 'sum2_w'], 'chroma_ms'),
    n('Sqrt', ['chroma_ms'], 'colourfulness'),
    // score
    n('Concat', ['sharpness', 'contrast', 'colourfulness', 'brightness'], 'features4d', { axis: 1 }),
    n('Flatten', ['features4d'], 'features', { axis: 1 }),
    n('Sub', ['features', 'targets'], 'dev'),
    n('Mul', ['dev', 'dev'], 'dev2'),
    n('MatMul', ['dev2', 'precision'], 'energy'),
    n('Mul', ['energy', 'minus_one'], 'neg_energy'),
    n('Exp', ['neg_energy'], 'likelihood'),
    n('Mul', ['likelihood', 'ten'], 'score'),
  ];
}

/** The demo scorer, ready to score; the demo backend and `kind: builtin, model: demo` use it. */
export async function createDemoScorer(options: { name?: string; log?: (line: string) => void } = {}): Promise<Scorer> {
  const bytes = demoModelBytes();
  return createOnnxScorer({
    name: options.name ?? 'demo',
    stages: { kind: 'model', model: { bytes, label: 'builtin:demo' } },
    preprocess: DEMO_PREPROCESS,
    normalize: false,
    batch: 16,
    runtime: { provider: 'cpu', device: 0, threads: 1 },
    identity: `builtin:demo:${sha256Hex(bytes)}`,
    log: options.log ?? (() => {}),
  });
}
