import type { MergeMethod } from './types.js';

export const addDifference: MergeMethod = {
  id: 'add-difference',
  formula: 'A + α·(B − C)',
  needsC: true,
  uses: [],
  random: false,
  elementwise: true,
  kernel({ alpha }) {
    return (a, b, c, out) => {
      const n = out.length;
      for (let i = 0; i < n; i++) out[i] = a[i] + alpha * (b[i] - c![i]);
    };
  },
};
