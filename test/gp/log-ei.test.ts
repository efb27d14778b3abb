import { describe, expect, it } from 'vitest';
import { erfc, erfcx } from '../../src/gp/erfcx.js';
import { logExpectedImprovement, logH, logHSlope } from '../../src/gp/log-ei.js';

/** Composite Simpson rule of f on [a, b] with an even number of intervals. */
function simpson(f: (x: number) => number, a: number, b: number, intervals: number): number {
  const h = (b - a) / intervals;
  let sum = f(a) + f(b);
  for (let i = 1; i < intervals; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * log h(z), h(z) = E[max(Z + z, 0)] = ∫₀^∞ s φ(s − z) ds, by quadrature with φ(z) factored out:
 * h(z) = φ(z) ∫₀^∞ s e^(sz − s²/2) ds; below z = −1 the substitution s = u/|z| keeps the
 * integrand O(1), h(z) = φ(z)/z² ∫₀^∞ u e^(−u − u²/(2z²)) du.
 */
function logHByQuadrature(z: number): number {
  const logPhi = -0.5 * z * z - LOG_SQRT_2PI;
  if (z >= -1) return logPhi + Math.log(simpson((s) => s * Math.exp(s * z - 0.5 * s * s), 0, Math.max(z, 0) + 14, 200_000));
  return logPhi - 2 * Math.log(-z) + Math.log(simpson((u) => u * Math.exp(-u - (u * u) / (2 * z * z)), 0, 60, 200_000));
}

describe('erfc and erfcx', () => {
  // Reference values from Python's math.erfc (and math.exp(x*x) * math.erfc(x)).
  const ERFC: Array<[number, number]> = [
    [-3, 1.9999779095030015],
    [-1, 1.842700792949715],
    [-0.3, 1.3286267594591274],
    [0, 1],
    [0.2, 0.7772974107895215],
    [0.46875, 0.507386526782062],
    [1, 0.15729920705028513],
    [2, 0.004677734981047265],
    [3.5, 7.430983723414128e-7],
    [5, 1.5374597944280351e-12],
    [10, 2.088487583762545e-45],
    [26, 5.663192408856143e-296],
  ];
  const ERFCX: Array<[number, number]> = [
    [0.2, 0.8090195199015807],
    [0.5, 0.6156903441929259],
    [2, 0.2553956763105057],
    [4, 0.13699945762506138],
    [5, 0.11070463773306866],
    [20, 0.02817434874105132],
    [26, 0.021683584850562907],
  ];

  it.each(ERFC)('erfc(%d) agrees with a reference value to 1e-14 relative', (x, expected) => {
    expect(Math.abs(erfc(x) / expected - 1)).toBeLessThan(1e-14);
  });

  it.each(ERFCX)('erfcx(%d) agrees with a reference value to 1e-14 relative', (x, expected) => {
    expect(Math.abs(erfcx(x) / expected - 1)).toBeLessThan(1e-14);
  });

  it('follows the asymptotic series 1/(x√π)·(1 − 1/(2x²) + 3/(4x⁴)) far in the tail, where erfc underflows', () => {
    for (const x of [1e3, 1e5, 1e8]) {
      const series = (1 - 1 / (2 * x * x) + 3 / (4 * x ** 4)) / (x * Math.sqrt(Math.PI));
      expect(Math.abs(erfcx(x) / series - 1)).toBeLessThan(1e-15);
      expect(erfc(x)).toBe(0);
    }
  });
});

describe('log h(z) = log(φ(z) + zΦ(z))', () => {
  const Z = [5, 2, 0.5, 0, -0.5, -0.999, -1, -1.001, -2, -5, -12, -30, -49.9, -50, -50.1, -80, -300, -1e4];

  it.each(Z)('matches quadrature at z = %d to 1e-9', (z) => {
    expect(Math.abs(logH(z) - logHByQuadrature(z))).toBeLessThan(1e-9);
  });

  it.each(Z)('has the derivative Φ(z)/h(z), checked by central differences at z = %d', (z) => {
    const step = 1e-5 * Math.max(1, Math.abs(z));
    const numeric = (logH(z + step) - logH(z - step)) / (2 * step);
    expect(Math.abs(logHSlope(z) / numeric - 1)).toBeLessThan(1e-6);
  });

  it('stays finite, decreasing and on the asymptote log φ(z) − 2 log|z| where h underflows', () => {
    let previous = Infinity;
    for (const z of [-40, -1e3, -1e6, -1e10, -1e150]) {
      const value = logH(z);
      expect(Number.isFinite(value)).toBe(true);
      expect(value).toBeLessThan(previous);
      expect(Math.abs(value - (-0.5 * z * z - LOG_SQRT_2PI - 2 * Math.log(-z)))).toBeLessThan(4 / (z * z));
      previous = value;
    }
  });
});

describe('log expected improvement', () => {
  it('equals log(σ(φ(z) + zΦ(z))) wherever EI is representable', () => {
    const best = 1.5;
    for (const [mean, sd] of [[2, 0.3], [1.5, 1], [0, 0.7], [-3, 0.5], [1.4999, 1e-3]]) {
      const z = (mean - best) / sd;
      const ei = sd * (Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI) + z * 0.5 * erfc(-z / Math.SQRT2));
      expect(ei).toBeGreaterThan(0);
      expect(logExpectedImprovement(best).value(mean, sd)).toBeCloseTo(Math.log(ei), 10);
    }
  });

  it('still ranks points where EI itself underflows to zero', () => {
    const acquisition = logExpectedImprovement(0);
    const nearer = acquisition.value(-30, 0.5);
    const farther = acquisition.value(-40, 0.5);
    expect(Number.isFinite(farther)).toBe(true);
    expect(nearer).toBeGreaterThan(farther);
  });

  it('reports its partial derivatives in the mean and the standard deviation', () => {
    const acquisition = logExpectedImprovement(0.4);
    const out = new Float64Array(2);
    for (const [mean, sd] of [[1, 0.2], [0, 0.5], [-8, 0.1]]) {
      acquisition.slopes(mean, sd, out);
      const h = 1e-6;
      expect(out[0]).toBeCloseTo((acquisition.value(mean + h, sd) - acquisition.value(mean - h, sd)) / (2 * h), 4);
      expect(out[1]).toBeCloseTo((acquisition.value(mean, sd + h) - acquisition.value(mean, sd - h)) / (2 * h), 4);
    }
  });
});
