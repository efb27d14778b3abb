import { describe, expect, it } from 'vitest';
import { minimizeBox, type ObjectiveWithGradient } from '../../src/gp/lbfgsb.js';

/** The Rosenbrock valley in n dimensions, minimum 0 at (1, …, 1). */
const rosenbrock: ObjectiveWithGradient = (x, grad) => {
  grad.fill(0);
  let f = 0;
  for (let i = 0; i + 1 < x.length; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    f += 100 * a * a + b * b;
    grad[i] += -400 * x[i] * a - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return f;
};

/** Σ (x_i − t_i)². */
function bowl(target: readonly number[]): ObjectiveWithGradient {
  return (x, grad) => {
    let f = 0;
    for (let i = 0; i < x.length; i++) {
      grad[i] = 2 * (x[i] - target[i]);
      f += (x[i] - target[i]) ** 2;
    }
    return f;
  };
}

const wide = (n: number) => ({ lower: new Array(n).fill(-10), upper: new Array(n).fill(10) });

describe('minimizeBox (projected L-BFGS)', () => {
  it('follows the curved Rosenbrock valley to its minimum', () => {
    const result = minimizeBox(rosenbrock, [-1.2, 1, -1.2, 1, 0.5], { ...wide(5), maxEvaluations: 2000, gradientTolerance: 1e-9, relativeTolerance: 0 });
    for (const v of result.x) expect(v).toBeCloseTo(1, 5);
    expect(result.f).toBeLessThan(1e-10);
  });

  it('stops at the bound when the unconstrained minimum lies outside the box', () => {
    const result = minimizeBox(bowl([0.5, 2, -1]), [0.2, 0.2, 0.2], { lower: [0, 0, 0], upper: [1, 1, 1], maxEvaluations: 100 });
    expect(Array.from(result.x)).toEqual([expect.closeTo(0.5, 8), 1, 0]);
  });

  it('leaves variables with equal bounds where they are', () => {
    const result = minimizeBox(bowl([3, 3]), [0, 0.25], { lower: [-5, 0.25], upper: [5, 0.25], maxEvaluations: 100 });
    expect(result.x[0]).toBeCloseTo(3, 8);
    expect(result.x[1]).toBe(0.25);
  });

  it('projects a start outside the box onto it', () => {
    const result = minimizeBox(bowl([0, 0]), [7, -7], { lower: [-1, -1], upper: [1, 1], maxEvaluations: 1 });
    expect(Array.from(result.x)).toEqual([1, -1]);
  });

  it('never spends more evaluations than allowed', () => {
    let calls = 0;
    const counted: ObjectiveWithGradient = (x, grad) => {
      calls++;
      return rosenbrock(x, grad);
    };
    const result = minimizeBox(counted, [-1.2, 1], { ...wide(2), maxEvaluations: 15, gradientTolerance: 0, relativeTolerance: 0 });
    expect(calls).toBe(15);
    expect(result.evaluations).toBe(15);
  });

  it('backs off from points where the objective is not finite', () => {
    // A barrier: +∞ left of x = 1, where the unconstrained minimum (0) lies.
    const barrier: ObjectiveWithGradient = (x, grad) => {
      grad[0] = 2 * x[0];
      return x[0] < 1 ? Infinity : x[0] * x[0];
    };
    const result = minimizeBox(barrier, [4], { ...wide(1), maxEvaluations: 200 });
    expect(result.x[0]).toBeGreaterThanOrEqual(1);
    expect(result.x[0]).toBeLessThan(1.01);
  });
});
