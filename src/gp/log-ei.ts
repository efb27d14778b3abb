import type { Acquisition } from './acquisition.js';
import { erfc, erfcx } from './erfcx.js';

/**
 * Log expected improvement (Ament et al. 2023, "Unexpected improvements to expected
 * improvement", BoTorch's LogExpectedImprovement). EI = σ h(z) with z = (μ − best)/σ and
 * h(z) = φ(z) + zΦ(z); h underflows to 0 below z ≈ −38, which leaves plain EI flat, without a
 * gradient, over most of a 27-D cube once a good point is known. log h stays finite and smooth:
 *   z > −1:      log h directly;
 *   −50 < z ≤ −1: log φ(z) + log(1 − |z|Φ(z)/φ(z)), with Φ/φ = √(π/2) erfcx(−z/√2);
 *   z ≤ −50:      log φ(z) − 2 log|z| + log(1 − 3/z² + 15/z⁴ − 105/z⁶ + 945/z⁸), the asymptotic
 *                 series, where 1 − |z|Φ/φ ≈ 1/z² would cancel catastrophically.
 */
export function logExpectedImprovement(best: number): Acquisition {
  return {
    value: (mean, sd) => Math.log(sd) + logH((mean - best) / sd),
    slopes: (mean, sd, out) => {
      const z = (mean - best) / sd;
      const slope = logHSlope(z);
      out[0] = slope / sd;
      out[1] = (1 - slope * z) / sd;
    },
  };
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SQRT_HALF_PI = Math.sqrt(Math.PI / 2);
const ASYMPTOTIC_BELOW = -50;

function logPhi(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

function normalCdf(z: number): number {
  return 0.5 * erfc(-z * Math.SQRT1_2);
}

/** log(1 − e^w) for w < 0, accurate at both ends (Mächler 2012). */
function log1mexp(w: number): number {
  return w > -Math.LN2 ? Math.log(-Math.expm1(w)) : Math.log1p(-Math.exp(w));
}

/** The series 1 − 3u + 15u² − 105u³ + 945u⁴ in u = 1/z², and its derivative in u. */
function asymptoticSeries(u: number): [number, number] {
  return [1 + u * (-3 + u * (15 + u * (-105 + u * 945))), -3 + u * (30 + u * (-315 + u * 3780))];
}

/** log(φ(z) + zΦ(z)). */
export function logH(z: number): number {
  if (z > -1) return Math.log(Math.exp(logPhi(z)) + z * normalCdf(z));
  if (z > ASYMPTOTIC_BELOW) return logPhi(z) + log1mexp(Math.log(-z * SQRT_HALF_PI * erfcx(-z * Math.SQRT1_2)));
  const u = 1 / (z * z);
  return logPhi(z) + Math.log(u) + Math.log(asymptoticSeries(u)[0]);
}

/** d log h / dz = Φ(z)/h(z). */
export function logHSlope(z: number): number {
  if (z > -1) return normalCdf(z) / (Math.exp(logPhi(z)) + z * normalCdf(z));
  if (z > ASYMPTOTIC_BELOW) {
    // Φ/h = R/(1 − |z|R) with R = Φ/φ.
    const ratio = SQRT_HALF_PI * erfcx(-z * Math.SQRT1_2);
    return ratio / -Math.expm1(Math.log(-z * ratio));
  }
  const u = 1 / (z * z);
  const [series, derivative] = asymptoticSeries(u);
  return -z - 2 / z + (derivative / series) * (-2 * u / z);
}
