import type { ElementwiseMethod } from './types.js';

export const weightedSum: ElementwiseMethod = {
  id: 'weighted-sum',
  formula: 'A·(1−α) + B·α',
  needsC: false,
  uses: [],
  random: false,
  kind: 'elementwise',
  expression: 'a * keep + b * alpha',
  parameters: ({ alpha }) => ({ keep: 1 - alpha, alpha }),
};
