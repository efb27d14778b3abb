import { endianness } from 'node:os';

/**
 * Element types of safetensors and the conversions between float types and float32, the type the
 * merge methods compute in. Conversions to narrower floats round to nearest, ties to even, as
 * IEEE 754 and PyTorch do, and keep NaN (quiet, payload truncated) and ±Inf.
 */

export type Dtype =
  | 'BOOL' | 'U8' | 'I8' | 'F8_E5M2' | 'F8_E4M3'
  | 'I16' | 'U16' | 'F16' | 'BF16'
  | 'I32' | 'U32' | 'F32'
  | 'I64' | 'U64' | 'F64';

export const DTYPE_SIZES: Readonly<Record<Dtype, number>> = Object.freeze({
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  I64: 8, U64: 8, F64: 8,
});

/** The float types the merge reads and computes with; all other types are copied byte for byte. */
export type FloatDtype = 'F16' | 'BF16' | 'F32' | 'F64';
/** Output precisions a merged checkpoint can be written in. */
export type OutputDtype = 'f16' | 'bf16' | 'f32';
export const OUTPUT_DTYPES: readonly OutputDtype[] = ['f16', 'bf16', 'f32'];

export function isDtype(value: unknown): value is Dtype {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(DTYPE_SIZES, value);
}

export function isFloatDtype(dtype: Dtype): dtype is FloatDtype {
  return dtype === 'F16' || dtype === 'BF16' || dtype === 'F32' || dtype === 'F64';
}

export function storageDtype(output: OutputDtype): FloatDtype {
  return output === 'f16' ? 'F16' : output === 'bf16' ? 'BF16' : 'F32';
}

// Typed-array views below reinterpret file bytes directly, which is only right on little-endian hosts.
if (endianness() !== 'LE') throw new Error('autombw merge needs a little-endian CPU (safetensors data is little-endian)');

/** Float32 value of every half-precision bit pattern: decoding is one table lookup. */
export const F16_VALUES: Float32Array = (() => {
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0x1f) bits[h] = sign | 0x7f800000 | (man << 13);
    else if (exp === 0) table[h] = (sign ? -1 : 1) * man * 2 ** -24;
    else bits[h] = sign | ((exp + 112) << 23) | (man << 13);
  }
  return table;
})();

/** Float32 value of every bfloat16 bit pattern (the high half of a float32). */
export const BF16_VALUES: Float32Array = (() => {
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) bits[h] = h << 16;
  return table;
})();

/** Half-precision bits of a float32 given by its bit pattern, rounded to nearest even. */
export function floatBitsToF16(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const a = x & 0x7fffffff;
  if (a >= 0x47800000) {
    // |x| ≥ 65536, Inf or NaN. NaN stays NaN with the quiet bit set so a payload cut to zero cannot turn it into Inf.
    if (a > 0x7f800000) return sign | 0x7e00 | ((a >>> 13) & 0x3ff);
    return sign | 0x7c00;
  }
  if (a < 0x38800000) return sign | f16Subnormal(a);
  // Re-bias the exponent, then round at bit 13; a carry out of the mantissa correctly bumps the exponent (up to Inf).
  const r = a - 0x38000000;
  return sign | ((r + 0xfff + ((r >>> 13) & 1)) >>> 13);
}

const scratch = new Float32Array(1);
const scratchBits = new Uint32Array(scratch.buffer);

/** Magnitudes below 2^-14 become subnormal halves: multiples of 2^-24, rounded to nearest even. */
function f16Subnormal(absBits: number): number {
  scratchBits[0] = absBits;
  const units = scratch[0] * 16777216; // exact: a power-of-two scaling of a float32
  const floor = Math.floor(units);
  const frac = units - floor;
  return frac > 0.5 || (frac === 0.5 && (floor & 1) === 1) ? floor + 1 : floor;
}

/** bfloat16 bits of a float32 given by its bit pattern, rounded to nearest even. */
export function floatBitsToBf16(x: number): number {
  if ((x & 0x7fffffff) > 0x7f800000) return ((x >>> 16) | 0x40) & 0xffff;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

/**
 * Decodes `count` elements of a float dtype from `bytes` into `out`. `bytes` must start at a
 * multiple of the element size within its buffer (buffers from the reader always do).
 */
export function decodeFloats(bytes: Uint8Array, dtype: FloatDtype, out: Float32Array, count = out.length): void {
  switch (dtype) {
    case 'F16': {
      const src = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
      const table = F16_VALUES;
      for (let i = 0; i < count; i++) out[i] = table[src[i]];
      return;
    }
    case 'BF16': {
      const src = new Uint16Array(bytes.buffer, bytes.byteOffset, count);
      const dst = new Uint32Array(out.buffer, out.byteOffset, count);
      for (let i = 0; i < count; i++) dst[i] = src[i] << 16;
      return;
    }
    case 'F32':
      out.set(new Float32Array(bytes.buffer, bytes.byteOffset, count));
      return;
    case 'F64': {
      const src = new Float64Array(bytes.buffer, bytes.byteOffset, count);
      for (let i = 0; i < count; i++) out[i] = src[i]; // Float32Array stores round to nearest even
      return;
    }
  }
}

/** Encodes `count` float32 values into `out` bytes of `dtype` (same alignment rule as decodeFloats). */
export function encodeFloats(src: Float32Array, dtype: FloatDtype, out: Uint8Array, count = src.length): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, count);
  switch (dtype) {
    case 'F16':
      return encodeF16(bits, new Uint16Array(out.buffer, out.byteOffset, count));
    case 'BF16':
      return encodeBf16(bits, new Uint16Array(out.buffer, out.byteOffset, count));
    case 'F32':
      new Uint32Array(out.buffer, out.byteOffset, count).set(bits);
      return;
    case 'F64':
      new Float64Array(out.buffer, out.byteOffset, count).set(src.subarray(0, count));
      return;
  }
}

// One small function per loop: V8 inlines the conversion there, not in a function with several loops.
function encodeF16(bits: Uint32Array, dst: Uint16Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] = floatBitsToF16(bits[i]);
}

function encodeBf16(bits: Uint32Array, dst: Uint16Array): void {
  for (let i = 0; i < dst.length; i++) dst[i] = floatBitsToBf16(bits[i]);
}
