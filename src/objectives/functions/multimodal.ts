/** Classical multimodal test functions (minimized), on their own coordinates z. */

/** Ackley (a = 20, b = 0.2, c = 2π): a flat outer plateau around one deep funnel; minimum 0 at z = 0. */
export function ackley(z: readonly number[]): number {
  const d = z.length;
  let squares = 0;
  let cosines = 0;
  for (const v of z) {
    squares += v * v;
    cosines += Math.cos(2 * Math.PI * v);
  }
  return -20 * Math.exp(-0.2 * Math.sqrt(squares / d)) - Math.exp(cosines / d) + 20 + Math.E;
}

/** Rastrigin 10d + Σ(z_i² − 10 cos 2πz_i): a regular grid of local minima; minimum 0 at z = 0. */
export function rastrigin(z: readonly number[]): number {
  let s = 10 * z.length;
  for (const v of z) s += v * v - 10 * Math.cos(2 * Math.PI * v);
  return s;
}

/** Levy, with w_i = 1 + (z_i − 1)/4; minimum 0 at z = 1. */
export function levy(z: readonly number[]): number {
  const d = z.length;
  const w = z.map((v) => 1 + (v - 1) / 4);
  let s = Math.sin(Math.PI * w[0]) ** 2;
  for (let i = 0; i + 1 < d; i++) s += (w[i] - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i] + 1) ** 2);
  s += (w[d - 1] - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[d - 1]) ** 2);
  return s;
}

/** Root of 4z³ − 32z + 5 = 0 that minimizes one Styblinski–Tang term. */
export const STYBLINSKI_TANG_MINIMIZER = -2.903534027771177;
/** The value of one Styblinski–Tang term at its minimizer. */
export const STYBLINSKI_TANG_TERM_MINIMUM = -39.16616570377141;

/** Styblinski–Tang ½Σ(z_i⁴ − 16z_i² + 5z_i): separable, 2^d basins; minimum −39.166…·d. */
export function styblinskiTang(z: readonly number[]): number {
  let s = 0;
  for (const v of z) s += v ** 4 - 16 * v * v + 5 * v;
  return s / 2;
}

/** Griewank 1 + Σz_i²/4000 − Π cos(z_i/√i): wide bowl with fine ripples; minimum 0 at z = 0. */
export function griewank(z: readonly number[]): number {
  let sum = 0;
  let product = 1;
  for (let i = 0; i < z.length; i++) {
    sum += (z[i] * z[i]) / 4000;
    product *= Math.cos(z[i] / Math.sqrt(i + 1));
  }
  return 1 + sum - product;
}

/** Maximizer of z·sin√z near the edge of [−500, 500] (tan s = −2/s with s = √z). */
export const SCHWEFEL_MINIMIZER = 420.9687463599821;
/** z·sin√z at SCHWEFEL_MINIMIZER; the classical 418.9829 rounded, which leaves f(z*) ≈ 1e-5·d. */
const SCHWEFEL_TERM_MAXIMUM = 418.98288727243374;

/**
 * Schwefel Σ(c − z_i sin√|z_i|): deceptive, the second-best basin is far from the best one;
 * minimum 0 at z_i = 420.97. Outside about [−500, 660] the term keeps falling, so its domain
 * may only be shifted a little (see its placement in the registry).
 */
export function schwefel(z: readonly number[]): number {
  let s = 0;
  for (const v of z) s += SCHWEFEL_TERM_MAXIMUM - v * Math.sin(Math.sqrt(Math.abs(v)));
  return s;
}
