import { bf16Value, f16Value } from '../support/checkpoints.js';

/**
 * Reference rounding to half and bfloat16 by search: the representable neighbours of |x| are
 * found by binary search over all finite values, and the nearer wins, the one with an even
 * mantissa on a tie. Slow and obviously right; the engine's bit-twiddling is checked against it.
 */

function nearest(x: number, value: (bits: number) => number, maxFinite: number, infBits: number, overflowStep: number): number {
  if (Number.isNaN(x)) return NaN;
  const sign = x < 0 || Object.is(x, -0) ? 1 : 0;
  const a = Math.abs(x);
  let lo = 0;
  let hi = maxFinite;
  if (a >= value(maxFinite)) lo = maxFinite;
  else {
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (value(mid) <= a) lo = mid;
      else hi = mid;
    }
  }
  const below = value(lo);
  const upperBits = lo === maxFinite ? infBits : lo + 1;
  const above = lo === maxFinite ? below + overflowStep : value(upperBits);
  let bits: number;
  if (a === below) bits = lo;
  else if (a - below < above - a) bits = lo;
  else if (a - below > above - a) bits = upperBits;
  else bits = lo % 2 === 0 ? lo : upperBits;
  return sign ? bits | 0x8000 : bits;
}

/** Half-precision bits nearest to x (ties to even); NaN for NaN. */
export function referenceF16(x: number): number {
  if (x === Infinity) return 0x7c00;
  if (x === -Infinity) return 0xfc00;
  return nearest(x, f16Value, 0x7bff, 0x7c00, 32);
}

/** bfloat16 bits nearest to x (ties to even); NaN for NaN. */
export function referenceBf16(x: number): number {
  if (x === Infinity) return 0x7f80;
  if (x === -Infinity) return 0xff80;
  return nearest(x, bf16Value, 0x7f7f, 0x7f80, 2 ** 120);
}
