import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { SafetensorsReader } from '../../src/merge/safetensors/reader.js';
import { writeSafetensors } from '../../src/merge/safetensors/writer.js';
import type { Dtype } from '../../src/merge/dtype.js';
import { Rng } from '../../src/util/rng.js';

/**
 * Tiny safetensors checkpoints with the real key names of SD1.5 (LDM layout) and SDXL (SGM
 * layout), shapes shrunk, values drawn from a seed. Values are generated as bit patterns and
 * decoded here by formula, so tests compare against numbers that do not go through the merge
 * engine's own conversions.
 */

export type Layout = 'sd1' | 'sdxl';

export interface KeySpec {
  component: string;
  shape: number[];
  dtype: 'float32' | 'int64' | 'int32';
}

const LAYOUT_FILES: Record<Layout, string> = { sd1: 'sd1-ldm.json.gz', sdxl: 'sdxl-sgm.json.gz' };
const layoutCache = new Map<Layout, Record<string, KeySpec>>();

/** Every key of a real checkpoint with its full shape (from sd-mecha's model configs). */
export function keyLayout(layout: Layout): Record<string, KeySpec> {
  let keys = layoutCache.get(layout);
  if (!keys) {
    const file = new URL(`../merge/fixtures/${LAYOUT_FILES[layout]}`, import.meta.url);
    keys = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as Record<string, KeySpec>;
    layoutCache.set(layout, keys);
  }
  return keys;
}

export interface TinyTensor {
  name: string;
  dtype: Dtype;
  shape: number[];
  /** The stored values, exactly. */
  values: number[];
  data: Uint8Array;
}

export interface TinyOptions {
  layout: Layout;
  seed: string | number;
  /** Storage of float tensors (default F16); integer tensors keep their type. */
  dtype?: 'F16' | 'BF16' | 'F32' | 'F64';
  include?: (key: string, spec: KeySpec) => boolean;
  /** Shapes to use instead of the shrunk ones. */
  shapes?: Record<string, number[]>;
  /** Every dimension is cut to at most this (default 3). */
  maxDim?: number;
}

export function tinyTensors(o: TinyOptions): TinyTensor[] {
  const rng = Rng.fromSeed(o.seed);
  const maxDim = o.maxDim ?? 3;
  const tensors: TinyTensor[] = [];
  for (const [name, spec] of Object.entries(keyLayout(o.layout))) {
    if (o.include && !o.include(name, spec)) continue;
    const shape = o.shapes?.[name] ?? spec.shape.map((d) => Math.min(d, maxDim));
    const n = shape.reduce((a, d) => a * d, 1);
    const dtype: Dtype = spec.dtype === 'int64' ? 'I64' : spec.dtype === 'int32' ? 'I32' : (o.dtype ?? 'F16');
    tensors.push({ name, dtype, shape, ...randomData(dtype, n, rng.derive(name)) });
  }
  return tensors;
}

export async function writeTinyCheckpoint(file: string, o: TinyOptions & { metadata?: Record<string, string> }): Promise<TinyTensor[]> {
  const tensors = tinyTensors(o);
  await writeSafetensors(file, tensors, o.metadata ?? {});
  return tensors;
}

/** Writes explicit tensors (values are rounded to `dtype` by the independent encoders of this file). */
export async function writeTensors(file: string, tensors: ReadonlyArray<{ name: string; dtype: Dtype; shape: number[]; values: number[] }>): Promise<void> {
  await writeSafetensors(file, tensors.map((t) => ({ ...t, data: encodeValues(t.dtype, t.values) })));
}

export interface ReadTensor {
  dtype: Dtype;
  shape: number[];
  values: number[];
  /** Raw element bits (F16/BF16 as 16-bit, F32 as 32-bit), for exact comparisons including NaN payloads. */
  bits: number[];
}

/** Every tensor of a file, decoded by formula (not by the engine's conversion tables). */
export async function readTensors(file: string): Promise<{ tensors: Map<string, ReadTensor>; order: string[]; metadata: Record<string, string> }> {
  const reader = await SafetensorsReader.open(file);
  try {
    const tensors = new Map<string, ReadTensor>();
    for (const entry of reader.tensors) {
      const bytes = await reader.read(entry);
      tensors.set(entry.name, { dtype: entry.dtype, shape: [...entry.shape], ...decodeValues(entry.dtype, bytes) });
    }
    return { tensors, order: reader.tensors.map((t) => t.name), metadata: { ...reader.metadata } };
  } finally {
    await reader.close();
  }
}

/** Value of half-precision bits by the IEEE 754 formula. */
export function f16Value(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const man = bits & 0x3ff;
  if (exp === 0x1f) return man ? NaN : sign * Infinity;
  if (exp === 0) return sign * man * 2 ** -24;
  return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

export function bf16Value(bits: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, bits << 16);
  return view.getFloat32(0);
}

function randomData(dtype: Dtype, n: number, rng: Rng): { values: number[]; data: Uint8Array } {
  const values: number[] = [];
  for (let i = 0; i < n; i++) {
    const sign = rng.int(2) ? 0x8000 : 0;
    switch (dtype) {
      case 'F16': // magnitudes 2^-5 … 2^3, every mantissa
        values.push(f16Value(sign | ((10 + rng.int(8)) << 10) | rng.int(1024)));
        break;
      case 'BF16':
        values.push(bf16Value(sign | ((122 + rng.int(8)) << 7) | rng.int(128)));
        break;
      case 'F32':
        values.push(Math.fround(rng.normal()));
        break;
      case 'F64':
        values.push(rng.normal());
        break;
      default:
        values.push(i);
    }
  }
  return { values, data: encodeValues(dtype, values) };
}

/** Bytes of values already representable in `dtype` (the tiny-model generator only makes such values). */
function encodeValues(dtype: Dtype, values: readonly number[]): Uint8Array {
  const size = { F16: 2, BF16: 2, F32: 4, F64: 8, I64: 8, I32: 4 }[dtype as string];
  if (size === undefined) throw new Error(`test helper cannot encode ${dtype}`);
  const view = new DataView(new ArrayBuffer(values.length * size));
  values.forEach((v, i) => {
    if (dtype === 'F16') view.setUint16(i * 2, f16BitsExact(v), true);
    else if (dtype === 'BF16') {
      const f = new DataView(new ArrayBuffer(4));
      f.setFloat32(0, v);
      if ((f.getUint32(0) & 0xffff) !== 0) throw new Error(`${v} is not a bfloat16 value`);
      view.setUint16(i * 2, f.getUint32(0) >>> 16, true);
    } else if (dtype === 'F32') view.setFloat32(i * 4, v, true);
    else if (dtype === 'F64') view.setFloat64(i * 8, v, true);
    else if (dtype === 'I64') view.setBigInt64(i * 8, BigInt(v), true);
    else view.setInt32(i * 4, v, true);
  });
  return new Uint8Array(view.buffer);
}

let f16Bits: Map<number, number> | undefined;

function f16BitsExact(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  if (!f16Bits) {
    f16Bits = new Map();
    for (let bits = 1; bits < 0x10000; bits++) if (bits !== 0x8000 && !Number.isNaN(f16Value(bits))) f16Bits.set(f16Value(bits), bits);
  }
  const bits = f16Bits.get(v);
  if (bits === undefined) throw new Error(`${v} is not a half-precision value`);
  return bits;
}

function decodeValues(dtype: Dtype, bytes: Uint8Array): { values: number[]; bits: number[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: number[] = [];
  const bits: number[] = [];
  switch (dtype) {
    case 'F16':
    case 'BF16':
      for (let i = 0; i < bytes.length; i += 2) {
        const b = view.getUint16(i, true);
        bits.push(b);
        values.push(dtype === 'F16' ? f16Value(b) : bf16Value(b));
      }
      break;
    case 'F32':
      for (let i = 0; i < bytes.length; i += 4) {
        bits.push(view.getUint32(i, true));
        values.push(view.getFloat32(i, true));
      }
      break;
    case 'F64':
      for (let i = 0; i < bytes.length; i += 8) values.push(view.getFloat64(i, true));
      break;
    case 'I64':
      for (let i = 0; i < bytes.length; i += 8) values.push(Number(view.getBigInt64(i, true)));
      break;
    case 'I32':
      for (let i = 0; i < bytes.length; i += 4) values.push(view.getInt32(i, true));
      break;
    case 'U8':
      values.push(...bytes);
      break;
    default:
      throw new Error(`test helper cannot decode ${dtype}`);
  }
  return { values, bits };
}
