import type { Rng } from '../util/rng.js';
import { JOE_KUO_ROWS } from './sobol-direction-numbers.js';

/** Digits per coordinate: points are exact multiples of 2^-32. */
const BITS = 32;
const TWO_POW_32 = 2 ** 32;

/** Highest dimension the bundled direction numbers cover. */
export const SOBOL_MAX_DIM = JOE_KUO_ROWS.length + 1;

/**
 * One Sobol' sequence in base 2, optionally scrambled. Point i is computed directly from i (Gray
 * code), so a stream can resume at any index without replaying the points before it.
 */
export interface SobolSequence {
  readonly dim: number;
  readonly scrambled: boolean;
  point(index: number): number[];
}

/**
 * The Sobol' sequence of `dim` coordinates. With `rng` it is scrambled by a random linear matrix
 * scramble plus a digital shift (Matoušek 1998; what scipy does), which keeps the (t, s)-net
 * structure, so every prefix of 2^k points stays balanced, while removing the unscrambled
 * sequence's point at the origin and its axis-aligned artefacts.
 */
export function sobolSequence(dim: number, rng?: Rng): SobolSequence {
  if (!Number.isInteger(dim) || dim < 1 || dim > SOBOL_MAX_DIM) {
    throw new RangeError(`Sobol' sequence: dimension must be an integer in [1, ${SOBOL_MAX_DIM}], got ${dim}`);
  }
  let directions = Array.from({ length: dim }, (_, j) => directionNumbers(j));
  let shift = new Uint32Array(dim);
  if (rng) {
    directions = directions.map((v) => linearScramble(v, rng));
    shift = Uint32Array.from({ length: dim }, () => rng.nextUint32());
  }
  return {
    dim,
    scrambled: rng !== undefined,
    point(index: number): number[] {
      if (!Number.isInteger(index) || index < 0 || index >= TWO_POW_32) {
        throw new RangeError(`Sobol' sequence: index must be an integer in [0, 2^32), got ${index}`);
      }
      const gray = (index ^ (index >>> 1)) >>> 0;
      return directions.map((v, j) => {
        let x = shift[j];
        for (let k = 0; k < BITS; k++) if ((gray >>> k) & 1) x ^= v[k];
        return (x >>> 0) / TWO_POW_32;
      });
    },
  };
}

/**
 * `n` points of a scrambled Sobol' sequence starting at index `start`. Without `rng` the
 * sequence is unscrambled and its first point, the origin, is skipped: it is a corner no design
 * should spend an evaluation on, and scrambling is what normally moves it.
 */
export function sobolPoints(n: number, dim: number, rng?: Rng, start = 0): number[][] {
  const sequence = sobolSequence(dim, rng);
  const first = start + (rng ? 0 : 1);
  return Array.from({ length: n }, (_, i) => sequence.point(first + i));
}

/** The 32 direction numbers v_k of coordinate j (0-based), bit 31 holding the first binary digit. */
function directionNumbers(j: number): Uint32Array {
  const v = new Uint32Array(BITS);
  if (j === 0) {
    for (let k = 0; k < BITS; k++) v[k] = 2 ** (BITS - 1 - k);
    return v;
  }
  const [, s, a, m] = JOE_KUO_ROWS[j - 1];
  for (let k = 0; k < s; k++) v[k] = m[k] * 2 ** (BITS - 1 - k);
  for (let k = s; k < BITS; k++) {
    let x = v[k - s] ^ (v[k - s] >>> s);
    for (let i = 1; i < s; i++) if ((a >>> (s - 1 - i)) & 1) x ^= v[k - i];
    v[k] = x >>> 0;
  }
  return v;
}

/**
 * Multiplies each direction number, read as a column of binary digits, by a random lower
 * triangular matrix with a unit diagonal. Digit r of the result mixes digits 0…r of the input,
 * so the leading digits, which decide which elementary interval a point falls in, stay a
 * bijection of the unscrambled ones.
 */
function linearScramble(v: Uint32Array, rng: Rng): Uint32Array {
  const rows = Array.from({ length: BITS }, (_, r) => {
    const above = r === 0 ? 0 : (0xffffffff << (BITS - r)) >>> 0;
    return ((rng.nextUint32() & above) | (2 ** (BITS - 1 - r))) >>> 0;
  });
  return v.map((x) => {
    let out = 0;
    for (let r = 0; r < BITS; r++) if (parity(x & rows[r])) out += 2 ** (BITS - 1 - r);
    return out;
  });
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}
