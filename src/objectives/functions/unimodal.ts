/** Classical unimodal test functions (minimized), on their own coordinates z. */

/** Σ z_i²; minimum 0 at z = 0. */
export function sphere(z: readonly number[]): number {
  let s = 0;
  for (const v of z) s += v * v;
  return s;
}

/** Σ 10^(6·i/(d−1)) z_i² (BBOB f2): condition number 10⁶, so one step size fits no coordinate. */
export function ellipsoid(z: readonly number[]): number {
  const d = z.length;
  let s = 0;
  for (let i = 0; i < d; i++) s += 10 ** ((6 * i) / (d - 1)) * z[i] * z[i];
  return s;
}

/** Σ 100(z_{i+1} − z_i²)² + (z_i − 1)²; minimum 0 at z = 1, at the end of a curved valley. */
export function rosenbrock(z: readonly number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < z.length; i++) {
    const a = z[i + 1] - z[i] * z[i];
    const b = z[i] - 1;
    s += 100 * a * a + b * b;
  }
  return s;
}
