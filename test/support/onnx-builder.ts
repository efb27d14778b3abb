import { encodeModel, type Dim, type NodeSpec } from '../../src/scoring/onnx-writer.js';
import type { Rng } from '../../src/util/rng.js';

/**
 * Small real ONNX models for the scoring tests, with their weights, so each test can recompute the
 * forward pass independently (test/support/reference-nets.ts) and compare with onnxruntime.
 */

export interface Linear {
  /** [in, out], row-major (ONNX MatMul layout). */
  w: Float32Array;
  b: Float32Array;
  inDim: number;
  outDim: number;
}

export interface PatchEncoder {
  /** [channels, 3, patch, patch] */
  conv: Float32Array;
  convBias: Float32Array;
  channels: number;
  patch: number;
  proj: Linear;
}

export function randomLinear(rng: Rng, inDim: number, outDim: number, scale = 1 / Math.sqrt(inDim)): Linear {
  return {
    w: Float32Array.from({ length: inDim * outDim }, () => rng.normal() * scale),
    b: Float32Array.from({ length: outDim }, () => rng.normal() * 0.1),
    inDim,
    outDim,
  };
}

export function randomPatchEncoder(rng: Rng, channels: number, patch: number, embedDim: number): PatchEncoder {
  const fanIn = 3 * patch * patch;
  return {
    conv: Float32Array.from({ length: channels * fanIn }, () => rng.normal() / Math.sqrt(fanIn)),
    convBias: Float32Array.from({ length: channels }, () => rng.normal() * 0.1),
    channels,
    patch,
    proj: randomLinear(rng, channels, embedDim),
  };
}

/** Nodes: Conv (patchify, stride = kernel) → Relu → GlobalAveragePool → Flatten → MatMul → Add. */
function encoderNodes(e: PatchEncoder, input: string, output: string, prefix: string) {
  const nodes: NodeSpec[] = [
    { op: 'Conv', inputs: [input, `${prefix}conv_w`, `${prefix}conv_b`], outputs: [`${prefix}c`], attributes: { kernel_shape: [e.patch, e.patch], strides: [e.patch, e.patch] } },
    { op: 'Relu', inputs: [`${prefix}c`], outputs: [`${prefix}r`] },
    { op: 'GlobalAveragePool', inputs: [`${prefix}r`], outputs: [`${prefix}p`] },
    { op: 'Flatten', inputs: [`${prefix}p`], outputs: [`${prefix}f`], attributes: { axis: 1 } },
    ...linearNodes(`${prefix}proj`, `${prefix}f`, output),
  ];
  const initializers = [
    { name: `${prefix}conv_w`, dims: [e.channels, 3, e.patch, e.patch], values: e.conv },
    { name: `${prefix}conv_b`, dims: [e.channels], values: e.convBias },
    ...linearInits(`${prefix}proj`, e.proj),
  ];
  return { nodes, initializers };
}

function linearNodes(name: string, input: string, output: string): NodeSpec[] {
  return [
    { op: 'MatMul', inputs: [input, `${name}_w`], outputs: [`${name}_mm`] },
    { op: 'Add', inputs: [`${name}_mm`, `${name}_b`], outputs: [output] },
  ];
}

function linearInits(name: string, l: Linear) {
  return [
    { name: `${name}_w`, dims: [l.inDim, l.outDim], values: l.w },
    { name: `${name}_b`, dims: [l.outDim], values: l.b },
  ];
}

/**
 * A CLIP-like image encoder: `pixel_values` [N,3,size,size] → `image_embeds` [N,D]. A second output
 * (`pooled`, the pre-projection features) makes the output choice matter, as in real CLIP exports.
 */
export function encoderModel(e: PatchEncoder, size: number | 'dynamic', batch: Dim = 'N'): Uint8Array {
  const { nodes, initializers } = encoderNodes(e, 'pixel_values', 'image_embeds', '');
  const hw: Dim[] = size === 'dynamic' ? ['H', 'W'] : [size, size];
  return encodeModel({
    name: 'encoder',
    inputs: [{ name: 'pixel_values', type: 'float32', shape: [batch, 3, ...hw] }],
    outputs: [
      { name: 'pooled', type: 'float32', shape: [batch, e.channels] },
      { name: 'image_embeds', type: 'float32', shape: [batch, e.proj.outDim] },
    ],
    initializers,
    nodes: [...nodes, { op: 'Identity', inputs: ['f'], outputs: ['pooled'] }],
  });
}

/** A stack of Linear layers with optional Relu between them: `input` [N,D] → `score` [N,1]. */
export function mlpModel(layers: readonly Linear[], relu: boolean): Uint8Array {
  const nodes: NodeSpec[] = [];
  let x = 'input';
  layers.forEach((_, i) => {
    const y = i === layers.length - 1 ? 'score' : `h${i}`;
    nodes.push(...linearNodes(`l${i}`, x, relu && i < layers.length - 1 ? `${y}_pre` : y));
    if (relu && i < layers.length - 1) nodes.push({ op: 'Relu', inputs: [`${y}_pre`], outputs: [y] });
    x = y;
  });
  return encodeModel({
    name: 'head',
    inputs: [{ name: 'input', type: 'float32', shape: ['N', layers[0].inDim] }],
    outputs: [{ name: 'score', type: 'float32', shape: ['N', 1] }],
    initializers: layers.flatMap((l, i) => linearInits(`l${i}`, l)),
    nodes,
  });
}

/** Image → score in one model: the encoder with a 1-d projection, then Sigmoid: `image` → `prob` [N,1]. */
export function singleStageModel(e: PatchEncoder, size: number): Uint8Array {
  const { nodes, initializers } = encoderNodes(e, 'image', 'logit', '');
  return encodeModel({
    name: 'single',
    inputs: [{ name: 'image', type: 'float32', shape: ['batch', 3, size, size] }],
    outputs: [{ name: 'prob', type: 'float32', shape: ['batch', 1] }],
    initializers,
    nodes: [...nodes, { op: 'Sigmoid', inputs: ['logit'], outputs: ['prob'] }],
  });
}

/**
 * A prompt-aware single model: image embedding (encoder) · mean of token embeddings (a table
 * looked up by `input_ids`, masked by `attention_mask`) → `score` [N].
 */
export function promptModel(e: PatchEncoder, table: Float32Array, vocabSize: number, size: number, contextLength: number): Uint8Array {
  const d = e.proj.outDim;
  const { nodes, initializers } = encoderNodes(e, 'pixel_values', 'img', '');
  return encodeModel({
    name: 'prompt',
    inputs: [
      { name: 'pixel_values', type: 'float32', shape: ['N', 3, size, size] },
      { name: 'input_ids', type: 'int64', shape: ['N', contextLength] },
      { name: 'attention_mask', type: 'int64', shape: ['N', contextLength] },
    ],
    outputs: [{ name: 'score', type: 'float32', shape: ['N'] }],
    initializers: [...initializers, ...textInits(table, vocabSize, d)],
    nodes: [
      ...nodes,
      ...textMeanNodes('txt'),
      { op: 'Mul', inputs: ['img', 'txt'], outputs: ['prod'] },
      { op: 'ReduceSum', inputs: ['prod', 'sum_axes'], outputs: ['score'], attributes: { keepdims: 0 } },
    ],
  });
}

/** Masked mean of looked-up token embeddings: Σ mask·table[ids] / Σ mask → `output` [N, D]. */
function textMeanNodes(output: string): NodeSpec[] {
  return [
    { op: 'Gather', inputs: ['table', 'input_ids'], outputs: ['tok'], attributes: { axis: 0 } },
    { op: 'Cast', inputs: ['attention_mask'], outputs: ['maskf'], attributes: { to: 1 } },
    { op: 'Unsqueeze', inputs: ['maskf', 'unsq_axes'], outputs: ['mask3'] },
    { op: 'Mul', inputs: ['tok', 'mask3'], outputs: ['tokm'] },
    { op: 'ReduceSum', inputs: ['tokm', 'sum_axes'], outputs: ['tsum'], attributes: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['maskf', 'sum_axes'], outputs: ['count'], attributes: { keepdims: 1 } },
    { op: 'Div', inputs: ['tsum', 'count'], outputs: [output] },
  ];
}

function textInits(table: Float32Array, vocabSize: number, dim: number) {
  return [
    { name: 'table', dims: [vocabSize, dim], values: table },
    { name: 'sum_axes', dims: [1], values: [1], type: 'int64' as const },
    { name: 'unsq_axes', dims: [1], values: [2], type: 'int64' as const },
  ];
}

/** A text encoder: `input_ids`, `attention_mask` → masked mean of a token table → `text_embeds` [N, D]. */
export function textEncoderModel(table: Float32Array, vocabSize: number, dim: number, contextLength: number): Uint8Array {
  return encodeModel({
    name: 'text',
    inputs: [
      { name: 'input_ids', type: 'int64', shape: ['N', contextLength] },
      { name: 'attention_mask', type: 'int64', shape: ['N', contextLength] },
    ],
    outputs: [{ name: 'text_embeds', type: 'float32', shape: ['N', dim] }],
    initializers: textInits(table, vocabSize, dim),
    nodes: textMeanNodes('text_embeds'),
  });
}
