import { writeFile, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../config/issues.js';
import { decodeFloats, isFloatDtype, type Dtype } from '../../merge/dtype.js';
import { SafetensorsReader } from '../../merge/safetensors/reader.js';
import { TorchCheckpoint } from '../../torch/checkpoint.js';
import { encodeModel, type Initializer, type NodeSpec } from '../onnx-writer.js';

/**
 * Turns the community's aesthetic heads into ONNX without Python. The architectures are those of
 * the published training code, recognised by their state-dict keys and shapes:
 *
 * - `laion-v1` (LAION-AI/aesthetic-predictor, sa_0_4_vit_l_14_linear.pth): Linear(dim→1),
 *   keys `weight` [1, dim], `bias` [1].
 * - `laion-v2` (christophschuhmann/improved-aesthetic-predictor, sac+logos+ava1-l14-linearMSE.pth,
 *   and chadscorer.pth, which shares it): Linear(dim→1024), Dropout, Linear(1024→128), Dropout,
 *   Linear(128→64), Dropout, Linear(64→16), Linear(16→1), no activations (their ReLUs are
 *   commented out in the source), keys `layers.{0,2,4,6,7}.{weight,bias}`.
 *
 * Dropout is the identity at inference, so each head is a chain of Gemm nodes: `embedding`
 * [N, dim] → `score` [N, 1], as scripts/export_laion_head.py exports it.
 */

export type HeadArchitecture = 'laion-v1' | 'laion-v2';

export interface ImportedHead {
  readonly architecture: HeadArchitecture;
  /** Width of the CLIP embedding the head takes (768 for ViT-L/14). */
  readonly dim: number;
  readonly onnx: Uint8Array;
}

interface Linear {
  weight: Float32Array;
  bias: Float32Array;
  out: number;
  in: number;
}

const V2_LINEARS = ['layers.0', 'layers.2', 'layers.4', 'layers.6', 'layers.7'];
const V2_WIDTHS = [1024, 128, 64, 16, 1];

/** Reads a head's weights (.pth/.pt/.ckpt via the safe PyTorch reader, or .safetensors) and builds its ONNX model. */
export async function importHead(file: string): Promise<ImportedHead> {
  const tensors = await readTensors(file);
  const keys = [...tensors.keys()].sort();
  const linear = (prefix: string): Linear => {
    const w = tensors.get(prefix ? `${prefix}.weight` : 'weight')!;
    const b = tensors.get(prefix ? `${prefix}.bias` : 'bias')!;
    if (w.shape.length !== 2 || b.shape.length !== 1 || b.shape[0] !== w.shape[0]) {
      throw new UserInputError(`${file}: ${prefix || 'the head'} has weight [${w.shape.join(', ')}] and bias [${b.shape.join(', ')}]; a Linear layer has weight [out, in] and bias [out]`);
    }
    return { weight: w.values, bias: b.values, out: w.shape[0], in: w.shape[1] };
  };

  let architecture: HeadArchitecture;
  let layers: Linear[];
  if (sameKeys(keys, ['bias', 'weight'])) {
    architecture = 'laion-v1';
    layers = [linear('')];
  } else if (sameKeys(keys, V2_LINEARS.flatMap((l) => [`${l}.bias`, `${l}.weight`]))) {
    architecture = 'laion-v2';
    layers = V2_LINEARS.map(linear);
    const widths = layers.map((l) => l.out);
    if (widths.join() !== V2_WIDTHS.join()) throw new UserInputError(`${file}: layer widths ${widths.join('→')} are not the LAION v2 head's ${V2_WIDTHS.join('→')}`);
  } else {
    throw new UserInputError(
      `${file}: not a known aesthetic head. Expected the keys of LAION v1 (weight, bias) or LAION v2 / chad (layers.{0,2,4,6,7}.{weight,bias}); found ${keys.slice(0, 12).join(', ')}${keys.length > 12 ? ', …' : ''}`,
    );
  }
  for (let i = 1; i < layers.length; i++) {
    if (layers[i].in !== layers[i - 1].out) throw new UserInputError(`${file}: layer ${i} takes ${layers[i].in} inputs but the layer before gives ${layers[i - 1].out}`);
  }
  if (layers[layers.length - 1].out !== 1) throw new UserInputError(`${file}: the last layer gives ${layers[layers.length - 1].out} values, not one score`);
  return { architecture, dim: layers[0].in, onnx: encodeHead(layers) };
}

/** Writes the ONNX model to `output`, only once complete; refuses to replace a file unless `overwrite`. */
export async function importHeadToFile(file: string, output: string, options: { overwrite?: boolean } = {}): Promise<ImportedHead> {
  if (path.extname(output).toLowerCase() !== '.onnx') throw new UserInputError(`output ${output} must be an .onnx file`);
  if (!options.overwrite && (await stat(output).catch(() => undefined))) throw new UserInputError(`output ${output} already exists; pass --force to replace it`);
  const head = await importHead(file);
  const temp = `${output}.tmp-${process.pid}`;
  await writeFile(temp, head.onnx);
  await rename(temp, output);
  return head;
}

function encodeHead(layers: readonly Linear[]): Uint8Array {
  const initializers: Initializer[] = [];
  const nodes: NodeSpec[] = [];
  let input = 'embedding';
  layers.forEach((layer, i) => {
    const output = i === layers.length - 1 ? 'score' : `hidden_${i}`;
    initializers.push({ name: `linear_${i}.weight`, dims: [layer.out, layer.in], values: layer.weight }, { name: `linear_${i}.bias`, dims: [layer.out], values: layer.bias });
    nodes.push({ op: 'Gemm', inputs: [input, `linear_${i}.weight`, `linear_${i}.bias`], outputs: [output], attributes: { transB: 1 } });
    input = output;
  });
  return encodeModel({
    name: 'aesthetic_head',
    inputs: [{ name: 'embedding', type: 'float32', shape: ['N', layers[0].in] }],
    outputs: [{ name: 'score', type: 'float32', shape: ['N', 1] }],
    initializers,
    nodes,
  });
}

interface Values {
  shape: readonly number[];
  values: Float32Array;
}

async function readTensors(file: string): Promise<Map<string, Values>> {
  const out = new Map<string, Values>();
  const add = (name: string, dtype: Dtype, shape: readonly number[], bytes: Uint8Array): void => {
    if (!isFloatDtype(dtype)) throw new UserInputError(`${file}: tensor "${name}" is ${dtype}; a head's weights are floats`);
    const values = new Float32Array(shape.reduce((a, b) => a * b, 1));
    decodeFloats(bytes, dtype, values);
    out.set(name, { shape, values });
  };
  if (path.extname(file).toLowerCase() === '.safetensors') {
    const reader = await SafetensorsReader.open(file);
    try {
      for (const t of reader.tensors) add(t.name, t.dtype, t.shape, await reader.read(t));
    } finally {
      await reader.close();
    }
  } else {
    const checkpoint = await TorchCheckpoint.open(file);
    try {
      for (const t of checkpoint.tensors) add(t.name, t.dtype, t.shape, await checkpoint.read(t));
    } finally {
      await checkpoint.close();
    }
  }
  return out;
}

function sameKeys(keys: readonly string[], expected: readonly string[]): boolean {
  return keys.length === expected.length && [...expected].sort().every((k, i) => k === keys[i]);
}
