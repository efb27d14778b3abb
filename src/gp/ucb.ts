import type { Acquisition } from './acquisition.js';

/** Upper confidence bound μ + √β σ (Srinivas et al. 2010), β as in BoTorch's UpperConfidenceBound. */
export function upperConfidenceBound(beta: number): Acquisition {
  const width = Math.sqrt(beta);
  return {
    value: (mean, sd) => mean + width * sd,
    slopes: (_mean, _sd, out) => {
      out[0] = 1;
      out[1] = width;
    },
  };
}
