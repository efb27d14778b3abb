import type { MergeMethod } from './types.js';

export const weightedSum: MergeMethod = {
  id: 'weighted-sum',
  formula: 'A·(1−α) + B·α',
  needsC: false,
  uses: [],
  random: false,
  elementwise: true,
  kernel({ alpha }) {
    const keep = 1 - alpha;
    return (a, b, _c, out) => {
      const n = out.length;
      for (let i = 0; i < n; i++) out[i] = a[i] * keep + b[i] * alpha;
    };
  },
};
