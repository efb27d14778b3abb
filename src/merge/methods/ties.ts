import type { TensorMethod } from './types.js';

/**
 * TIES-merging (Yadav et al. 2023) of the task vectors τA = A − C and τB = B − C: trim each to its
 * top-k entries by magnitude (k = ⌈density·n⌉, ties at the threshold kept), elect each entry's
 * sign as the sign of τ̂A + τ̂B, average the trimmed entries that agree with it (disjoint mean),
 * and add the result to C scaled by α. Needs whole tensors for the top-k.
 */
export const ties: TensorMethod = {
  id: 'ties',
  formula: 'C + α·disjoint_mean(trim_k(A − C), trim_k(B − C))',
  needsC: true,
  uses: ['density'],
  random: false,
  kind: 'tensor',
  kernel({ alpha, options }) {
    return (a, b, c, out) => {
      const n = out.length;
      for (let i = 0; i < n; i++) {
        a[i] -= c![i];
        b[i] -= c![i];
      }
      const keep = keepCount(options.density, n);
      const thresholdA = magnitudeThreshold(a, keep);
      const thresholdB = magnitudeThreshold(b, keep);
      const bitsA = new Uint32Array(a.buffer, a.byteOffset, n);
      const bitsB = new Uint32Array(b.buffer, b.byteOffset, n);
      for (let i = 0; i < n; i++) {
        const ta = (bitsA[i] & 0x7fffffff) >= thresholdA ? a[i] : 0;
        const tb = (bitsB[i] & 0x7fffffff) >= thresholdB ? b[i] : 0;
        out[i] = c![i] + alpha * disjointMean(ta, tb);
      }
    };
  },
};

/**
 * k = ⌈density·n⌉ for the decimal density the user wrote. Its double is off by up to half an ulp
 * (0.07 is stored as 0.0700000000000000067), and the product by another half, so 0.07·100 computes
 * as 7.000000000000001 and a plain ceiling keeps 8. A product within those few ulps of an integer
 * is that integer.
 */
export function keepCount(density: number, n: number): number {
  const product = density * n;
  const nearest = Math.round(product);
  return Math.abs(product - nearest) <= 4 * Number.EPSILON * product ? nearest : Math.ceil(product);
}

function disjointMean(ta: number, tb: number): number {
  const sum = ta + tb;
  if (sum > 0) return ta > 0 && tb > 0 ? sum / 2 : Math.max(ta, tb);
  if (sum < 0) return ta < 0 && tb < 0 ? sum / 2 : Math.min(ta, tb);
  return sum; // elected sign 0 gives 0; NaN stays NaN
}

/**
 * The magnitude bit pattern (|x| as float32 bits, which order like the magnitudes) of the
 * `keep`-th largest entry, found by a two-pass radix select on the high and low 16 bits: linear
 * time and no copy of the tensor. Entries at or above it are kept; 0 keeps everything.
 */
export function magnitudeThreshold(values: Float32Array, keep: number): number {
  const n = values.length;
  if (keep >= n) return 0;
  if (keep <= 0) return 0xffffffff;
  const bits = new Uint32Array(values.buffer, values.byteOffset, n);
  const counts = new Uint32Array(65536);
  for (let i = 0; i < n; i++) counts[(bits[i] & 0x7fffffff) >>> 16]++;
  let remaining = keep;
  let high = 65535;
  for (; counts[high] < remaining; high--) remaining -= counts[high];
  counts.fill(0);
  for (let i = 0; i < n; i++) {
    const m = bits[i] & 0x7fffffff;
    if (m >>> 16 === high) counts[m & 0xffff]++;
  }
  let low = 65535;
  for (; counts[low] < remaining; low--) remaining -= counts[low];
  return ((high << 16) | low) >>> 0;
}
