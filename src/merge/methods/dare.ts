import type { MergeMethod } from './types.js';

/**
 * DARE (Yu et al. 2023, "Language Models are Super Mario"): drop each entry of the task vector
 * B − C with probability p and rescale the survivors by 1/(1−p), so the expected delta is
 * unchanged, then add it to A like add-difference. One 32-bit draw per element, in element order.
 */
export const dare: MergeMethod = {
  id: 'dare',
  formula: 'A + α·m⊙(B − C)/(1−p), m ~ Bernoulli(1−p)',
  needsC: true,
  uses: ['dropRate'],
  random: true,
  elementwise: true,
  kernel({ alpha, options, rng }) {
    const p = options.dropRate;
    const dropBelow = Math.floor(p * 2 ** 32);
    const scale = alpha / (1 - p);
    return (a, b, c, out) => {
      const n = out.length;
      for (let i = 0; i < n; i++) {
        out[i] = rng.nextUint32() < dropBelow ? a[i] : a[i] + scale * (b[i] - c![i]);
      }
    };
  },
};
