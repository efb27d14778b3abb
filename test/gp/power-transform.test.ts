import { describe, expect, it } from 'vitest';
import { powerTransform, yeoJohnson, yeoJohnsonLogLikelihood } from '../../src/gp/power-transform.js';
import { standardize } from '../../src/gp/standardize.js';
import { Rng } from '../../src/util/rng.js';

const rng = Rng.fromSeed('power-transform');
const normal = Array.from({ length: 400 }, () => rng.normal());
/** Scores with a long bad tail, like −f of a test function: −exp(N(0, 1)). */
const skewed = normal.map((z) => -Math.exp(z));

function skewness(v: ArrayLike<number>): number {
  const n = v.length;
  const mean = Array.from(v).reduce((s, x) => s + x, 0) / n;
  const m2 = Array.from(v).reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  const m3 = Array.from(v).reduce((s, x) => s + (x - mean) ** 3, 0) / n;
  return m3 / m2 ** 1.5;
}

/** The λ of largest likelihood on a fine grid: an independent check of the golden-section search. */
function gridLambda(values: readonly number[]): number {
  const y = standardize(values);
  let best = { lambda: 0, value: -Infinity };
  for (let lambda = -2; lambda <= 4; lambda += 0.001) {
    const value = yeoJohnsonLogLikelihood(y, lambda);
    if (value > best.value) best = { lambda, value };
  }
  return best.lambda;
}

describe('Yeo–Johnson transform', () => {
  it('is the identity at λ = 1 and continuous across its special cases λ = 0 and λ = 2', () => {
    for (const y of [-3, -0.5, 0, 0.7, 4]) {
      expect(yeoJohnson(y, 1)).toBeCloseTo(y, 14);
      expect(yeoJohnson(y, 1e-9)).toBeCloseTo(yeoJohnson(y, 0), 6);
      expect(yeoJohnson(y, 2 - 1e-9)).toBeCloseTo(yeoJohnson(y, 2), 6);
    }
  });

  it('picks the maximum-likelihood λ (a grid search agrees)', () => {
    const y = standardize(skewed);
    const transformed = powerTransform(skewed);
    const lambda = gridLambda(skewed);
    expect(lambda).toBeGreaterThan(1);
    expect(Array.from(transformed)).toEqual(Array.from(standardize(Array.from(y, (v) => yeoJohnson(v, lambda))), (v) => expect.closeTo(v, 3)));
  });

  it('removes most of the skew of a long bad tail and keeps the order of the scores', () => {
    const transformed = powerTransform(skewed);
    expect(skewness(standardize(skewed))).toBeLessThan(-2);
    expect(Math.abs(skewness(transformed))).toBeLessThan(0.5);
    const order = (v: ArrayLike<number>) => Array.from({ length: v.length }, (_, i) => i).sort((a, b) => v[a] - v[b]);
    expect(order(transformed)).toEqual(order(skewed));
  });

  it('leaves normal scores nearly as they are', () => {
    const transformed = powerTransform(normal);
    const standardized = standardize(normal);
    let worst = 0;
    for (let i = 0; i < normal.length; i++) worst = Math.max(worst, Math.abs(transformed[i] - standardized[i]));
    expect(worst).toBeLessThan(0.25);
  });

  it('turns constant scores into zeros', () => {
    expect(Array.from(powerTransform([3, 3, 3]))).toEqual([0, 0, 0]);
  });
});
