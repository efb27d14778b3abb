import type { ElementwiseMethod } from './types.js';

/**
 * DARE (Yu et al. 2023, "Language Models are Super Mario"): drop each entry of the task vector
 * B − C with probability p and rescale the survivors by 1/(1−p), so the expected delta is
 * unchanged, then add it to A like add-difference. One 32-bit draw per element, in element order.
 */
export const dare: ElementwiseMethod = {
  id: 'dare',
  formula: 'A + α·m⊙(B − C)/(1−p), m ~ Bernoulli(1−p)',
  needsC: true,
  uses: ['dropRate'],
  random: true,
  kind: 'elementwise',
  expression: 'rng.nextUint32() < dropBelow ? a : a + scale * (b - c)',
  parameters: ({ alpha, options, rng }) => ({
    rng,
    dropBelow: Math.floor(options.dropRate * 2 ** 32),
    scale: alpha / (1 - options.dropRate),
  }),
};
