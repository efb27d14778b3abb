import type { ElementwiseMethod } from './types.js';

export const addDifference: ElementwiseMethod = {
  id: 'add-difference',
  formula: 'A + α·(B − C)',
  needsC: true,
  uses: [],
  random: false,
  kind: 'elementwise',
  expression: 'a + alpha * (b - c)',
  parameters: ({ alpha }) => ({ alpha }),
};
