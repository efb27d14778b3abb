import type { JsonValue } from '../../util/json.js';
import type { Payload } from '../payloads/types.js';
import { comfyRatio, type MergeNodeLayout } from './merge-inputs.js';

/** A node of an API-format workflow; links are `[sourceNodeId, outputIndex]`. */
export interface ApiNode {
  class_type: string;
  inputs: Record<string, JsonValue>;
}
export type ApiWorkflow = Record<string, ApiNode>;

export type ImageOutput = 'websocket' | 'history';

/** Checkpoint names as the server lists them (CheckpointLoaderSimple's ckpt_name). */
export interface CheckpointNames {
  a: string;
  b: string;
  c?: string;
}

export interface WorkflowSpec {
  layout: MergeNodeLayout;
  method: 'weighted-sum' | 'add-difference';
  checkpoints: CheckpointNames;
  weights: Readonly<Record<string, number>>;
  payload: Payload;
  output: ImageOutput;
}

/** Every node class the built-in graph may use, for the /object_info check. */
export function builtInNodeClasses(layout: MergeNodeLayout, method: WorkflowSpec['method'], output: ImageOutput): string[] {
  const classes = ['CheckpointLoaderSimple', layout.classType, 'CLIPTextEncode', 'EmptyLatentImage', 'KSampler', 'VAEDecode', outputClass(output)];
  if (layout.textEncoderBlock !== undefined) classes.push('CLIPMergeSimple');
  if (method === 'add-difference') {
    classes.push('ModelMergeSubtract', 'ModelMergeAdd');
    if (layout.textEncoderBlock !== undefined) classes.push('CLIPMergeSubtract', 'CLIPMergeAdd');
  }
  return classes;
}

export function outputClass(output: ImageOutput): string {
  // SaveImageWebsocket streams PNGs over the socket and writes nothing; PreviewImage writes to
  // the server's temp/, which ComfyUI empties at start.
  return output === 'websocket' ? 'SaveImageWebsocket' : 'PreviewImage';
}

const link = (node: string, output: number): JsonValue => [node, output];

/**
 * The per-payload graph: checkpoint loaders, the block merge node (ratios 1 − w, see
 * merge-inputs.ts), a CLIP merge when the preset weights the text encoder, text encoding, an
 * empty latent batch of `images`, KSampler, VAE decode (A's VAE) and the image output.
 *
 * Add-difference A + w·(B − C) is built from ComfyUI's own nodes: D = B − C
 * (ModelMergeSubtract, multiplier 1), S = A + D (ModelMergeAdd), then the block merge of A with
 * S at ratio 1 − w gives (1 − w)·A + w·(A + B − C) = A + w·(B − C).
 */
export function buildWorkflow(spec: WorkflowSpec): ApiWorkflow {
  const { layout, payload, weights } = spec;
  const g: ApiWorkflow = {};
  g['1'] = { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: spec.checkpoints.a } };
  g['2'] = { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: spec.checkpoints.b } };
  let modelB = link('2', 0);
  let clipB = link('2', 1);
  if (spec.method === 'add-difference') {
    if (spec.checkpoints.c === undefined) throw new Error('add-difference needs checkpoint c');
    g['3'] = { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: spec.checkpoints.c } };
    g['4'] = { class_type: 'ModelMergeSubtract', inputs: { model1: link('2', 0), model2: link('3', 0), multiplier: 1 } };
    g['5'] = { class_type: 'ModelMergeAdd', inputs: { model1: link('1', 0), model2: link('4', 0) } };
    modelB = link('5', 0);
    if (layout.textEncoderBlock !== undefined) {
      g['6'] = { class_type: 'CLIPMergeSubtract', inputs: { clip1: link('2', 1), clip2: link('3', 1), multiplier: 1 } };
      g['7'] = { class_type: 'CLIPMergeAdd', inputs: { clip1: link('1', 1), clip2: link('6', 0) } };
      clipB = link('7', 0);
    }
  }
  const ratios: Record<string, JsonValue> = {};
  for (const { input, block } of layout.inputs) ratios[input] = comfyRatio(blockWeight(weights, block));
  g['10'] = { class_type: layout.classType, inputs: { model1: link('1', 0), model2: modelB, ...ratios } };
  let clip = link('1', 1);
  if (layout.textEncoderBlock !== undefined) {
    g['11'] = { class_type: 'CLIPMergeSimple', inputs: { clip1: link('1', 1), clip2: clipB, ratio: comfyRatio(blockWeight(weights, layout.textEncoderBlock)) } };
    clip = link('11', 0);
  }
  g['12'] = { class_type: 'CLIPTextEncode', inputs: { clip, text: payload.prompt } };
  g['13'] = { class_type: 'CLIPTextEncode', inputs: { clip, text: payload.negative } };
  g['14'] = { class_type: 'EmptyLatentImage', inputs: { width: payload.width, height: payload.height, batch_size: payload.images } };
  g['15'] = {
    class_type: 'KSampler',
    inputs: {
      model: link('10', 0),
      positive: link('12', 0),
      negative: link('13', 0),
      latent_image: link('14', 0),
      seed: payload.seed,
      steps: payload.steps,
      cfg: payload.cfg,
      sampler_name: payload.sampler,
      scheduler: payload.scheduler,
      denoise: 1,
    },
  };
  g['16'] = { class_type: 'VAEDecode', inputs: { samples: link('15', 0), vae: link('1', 2) } };
  g['17'] = { class_type: outputClass(spec.output), inputs: { images: link('16', 0) } };
  return g;
}

function blockWeight(weights: Readonly<Record<string, number>>, block: string): number {
  const w = weights[block];
  if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`recipe has no weight for block ${block}`);
  return w;
}
