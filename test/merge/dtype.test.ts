import { describe, expect, it } from 'vitest';
import { decodeFloats, encodeFloats, F16_VALUES, floatBitsToBf16, floatBitsToF16 } from '../../src/merge/dtype.js';
import { Rng } from '../../src/util/rng.js';
import { bf16Value, f16Value } from '../support/checkpoints.js';
import { referenceBf16, referenceF16 } from './float-reference.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (x: number) => ((f32[0] = x), u32[0]);
const valueOf = (bits: number) => ((u32[0] = bits), f32[0]);
const isNaNHalf = (h: number) => (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;

describe('half precision', () => {
  it('decodes all 65536 bit patterns to the IEEE 754 value', () => {
    for (let h = 0; h < 65536; h++) {
      const expected = f16Value(h);
      if (Number.isNaN(expected)) expect(Number.isNaN(F16_VALUES[h])).toBe(true);
      else expect(Object.is(F16_VALUES[h], expected)).toBe(true);
    }
  });

  it('encodes every half value back to its own bits', () => {
    for (let h = 0; h < 65536; h++) {
      if (isNaNHalf(h)) continue;
      expect(floatBitsToF16(bitsOf(f16Value(h)))).toBe(h);
    }
  });

  it('rounds exact midpoints between neighbours to the even mantissa', () => {
    // 1 + 2^-11 lies halfway between 1 (even) and 1 + 2^-10 (odd); 1 + 3·2^-11 between odd and even.
    expect(floatBitsToF16(bitsOf(1 + 2 ** -11))).toBe(0x3c00);
    expect(floatBitsToF16(bitsOf(1 + 3 * 2 ** -11))).toBe(0x3c02);
    expect(floatBitsToF16(bitsOf(-(1 + 2 ** -11)))).toBe(0xbc00);
  });

  it('rounds values one float32 step off a midpoint to the nearer neighbour', () => {
    const mid = bitsOf(1 + 2 ** -11);
    expect(floatBitsToF16(mid + 1)).toBe(0x3c01);
    expect(floatBitsToF16(mid - 1)).toBe(0x3c00);
  });

  it('overflows to infinity from 65520 (the midpoint above the largest half, 65504)', () => {
    expect(floatBitsToF16(bitsOf(65504))).toBe(0x7bff);
    expect(floatBitsToF16(bitsOf(65519.996))).toBe(0x7bff);
    expect(floatBitsToF16(bitsOf(65520))).toBe(0x7c00);
    expect(floatBitsToF16(bitsOf(-1e10))).toBe(0xfc00);
  });

  it('rounds tiny magnitudes to subnormals, ties to even, and underflows to signed zero', () => {
    expect(floatBitsToF16(bitsOf(2 ** -24))).toBe(0x0001);
    expect(floatBitsToF16(bitsOf(2 ** -25))).toBe(0x0000); // tie between 0 and 2^-24: even is 0
    expect(floatBitsToF16(bitsOf(3 * 2 ** -25))).toBe(0x0002); // tie between 1 and 2 units: even is 2
    expect(floatBitsToF16(bitsOf(2 ** -14 - 2 ** -26))).toBe(0x0400); // rounds up into the smallest normal
    expect(floatBitsToF16(bitsOf(-1e-30))).toBe(0x8000);
  });

  it('keeps infinities and NaN (quiet, sign kept)', () => {
    expect(floatBitsToF16(bitsOf(Infinity))).toBe(0x7c00);
    expect(floatBitsToF16(bitsOf(-Infinity))).toBe(0xfc00);
    const quiet = floatBitsToF16(0x7fc00000);
    expect(isNaNHalf(quiet)).toBe(true);
    // A signalling NaN whose payload lives only in the low bits must not collapse into infinity.
    const lowPayload = floatBitsToF16(0xff800001);
    expect(isNaNHalf(lowPayload)).toBe(true);
    expect(lowPayload & 0x8000).toBe(0x8000);
  });

  it('agrees with a rounding-by-search reference on 200,000 random float32 values', () => {
    const rng = Rng.fromSeed('f16-reference');
    for (let i = 0; i < 200_000; i++) {
      // Exponents concentrated around the half range, including subnormal and overflow regions.
      const bits = ((rng.int(2) << 31) | ((98 + rng.int(50)) << 23) | rng.int(1 << 23)) >>> 0;
      const got = floatBitsToF16(bits);
      const want = referenceF16(valueOf(bits));
      if (got !== want) expect({ bits: bits.toString(16), got, want }).toBeUndefined();
    }
  });
});

describe('bfloat16', () => {
  it('decodes as the high half of a float32', () => {
    const out = new Float32Array(3);
    const src = new Uint16Array([0x3f80, 0xc040, 0x7f80]);
    decodeFloats(new Uint8Array(src.buffer), 'BF16', out);
    expect([...out]).toEqual([1, -3, Infinity]);
  });

  it('agrees with a rounding-by-search reference on 200,000 random float32 values, ties to even', () => {
    const rng = Rng.fromSeed('bf16-reference');
    for (let i = 0; i < 200_000; i++) {
      const bits = rng.nextUint32();
      const x = valueOf(bits);
      if (Number.isNaN(x)) continue;
      const got = floatBitsToBf16(bits);
      const want = referenceBf16(x);
      if (got !== want) expect({ bits: bits.toString(16), got, want }).toBeUndefined();
    }
    expect(floatBitsToBf16(bitsOf(1 + 2 ** -8))).toBe(0x3f80);
    expect(floatBitsToBf16(bitsOf(1 + 3 * 2 ** -8))).toBe(0x3f82);
  });

  it('overflows the largest float32 to infinity and keeps NaN a NaN', () => {
    expect(floatBitsToBf16(0x7f7fffff)).toBe(0x7f80);
    const nan = floatBitsToBf16(0x7f800001);
    expect(Number.isNaN(bf16Value(nan))).toBe(true);
  });
});

describe('array conversions', () => {
  it('round-trips float32 and float64 arrays, rounding float64 to nearest float32', () => {
    const values = [0, -0, 1.5, -2.25, 1e-40, Infinity, 1 / 3];
    const f64 = new Float64Array(values);
    const decoded = new Float32Array(values.length);
    decodeFloats(new Uint8Array(f64.buffer), 'F64', decoded);
    expect([...decoded]).toEqual(values.map(Math.fround));

    const bytes = new Uint8Array(values.length * 4);
    encodeFloats(decoded, 'F32', bytes);
    expect([...new Float32Array(bytes.buffer)]).toEqual([...decoded]);
  });

  it('encodes a float32 array to half precision element by element', () => {
    const src = new Float32Array([1, -2, 65520, NaN, 2 ** -25]);
    const out = new Uint8Array(src.length * 2);
    encodeFloats(src, 'F16', out);
    const halves = [...new Uint16Array(out.buffer)];
    expect(halves.slice(0, 3)).toEqual([0x3c00, 0xc000, 0x7c00]);
    expect(isNaNHalf(halves[3])).toBe(true);
    expect(halves[4]).toBe(0);
  });
});
