/**
 * Box-constrained limited-memory BFGS, in the projected form: the quasi-Newton direction is
 * computed on the free variables (those not held at a bound by their gradient), and the line
 * search backtracks along the projection of that direction onto the box. It lacks L-BFGS-B's
 * generalized Cauchy point, which matters for problems with many active bounds; ours (GP
 * hyperparameters, acquisition functions) have few, and this is a fraction of the code.
 */

/** Objective value at x, with its gradient written into `grad`. Non-finite values count as +∞. */
export type ObjectiveWithGradient = (x: Float64Array, grad: Float64Array) => number;

export interface BoxMinimizeOptions {
  lower: ArrayLike<number>;
  upper: ArrayLike<number>;
  /** Objective evaluations allowed, line-search trials included. */
  maxEvaluations: number;
  /** Stop when the largest projected-gradient component falls below this. */
  gradientTolerance?: number;
  /** Stop when an iteration lowers f by less than this fraction of max(|f|, 1). */
  relativeTolerance?: number;
  /** Correction pairs kept. */
  memory?: number;
}

export interface BoxMinimizeResult {
  x: Float64Array;
  f: number;
  evaluations: number;
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 20;

export function minimizeBox(fg: ObjectiveWithGradient, x0: ArrayLike<number>, options: BoxMinimizeOptions): BoxMinimizeResult {
  const { lower, upper, maxEvaluations } = options;
  const gtol = options.gradientTolerance ?? 1e-5;
  const ftol = options.relativeTolerance ?? 1e-9;
  const m = options.memory ?? 10;
  const n = x0.length;

  let x = Float64Array.from(x0, (v, i) => Math.min(upper[i], Math.max(lower[i], v)));
  let g = new Float64Array(n);
  let f = finite(fg(x, g));
  let evaluations = 1;
  if (f === Infinity) return { x, f, evaluations };

  const sHistory: Float64Array[] = [];
  const yHistory: Float64Array[] = [];
  const rho: number[] = [];
  const alpha = new Float64Array(m);
  const free = new Uint8Array(n);
  const direction = new Float64Array(n);
  let xNew = new Float64Array(n);
  let gNew = new Float64Array(n);

  while (evaluations < maxEvaluations) {
    let projected = 0;
    for (let i = 0; i < n; i++) {
      const held = lower[i] === upper[i] || (x[i] <= lower[i] && g[i] > 0) || (x[i] >= upper[i] && g[i] < 0);
      free[i] = held ? 0 : 1;
      if (!held) projected = Math.max(projected, Math.abs(g[i]));
    }
    if (projected <= gtol) break;

    twoLoop(g, free, sHistory, yHistory, rho, alpha, direction);
    let slope = 0;
    for (let i = 0; i < n; i++) slope += direction[i] * g[i];
    if (!(slope < 0)) {
      sHistory.length = yHistory.length = rho.length = 0;
      for (let i = 0; i < n; i++) direction[i] = free[i] ? -g[i] : 0;
    }

    // Without curvature information the first step is scaled to move no variable by more than 1.
    let step = sHistory.length === 0 ? Math.min(1, 1 / projected) : 1;
    let accepted = false;
    let fNew = Infinity;
    for (let backtrack = 0; backtrack < MAX_BACKTRACKS && evaluations < maxEvaluations; backtrack++) {
      let decrease = 0;
      for (let i = 0; i < n; i++) {
        xNew[i] = Math.min(upper[i], Math.max(lower[i], x[i] + step * direction[i]));
        decrease += g[i] * (xNew[i] - x[i]);
      }
      if (!(decrease < 0)) break;
      fNew = finite(fg(xNew, gNew));
      evaluations++;
      if (fNew <= f + ARMIJO * decrease) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) {
      if (sHistory.length === 0) break;
      // A stale curvature model can point nowhere useful; retry once from steepest descent.
      sHistory.length = yHistory.length = rho.length = 0;
      continue;
    }

    const s = new Float64Array(n);
    const y = new Float64Array(n);
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    if (sy > 1e-10 * yy) {
      if (sHistory.length === m) {
        sHistory.shift();
        yHistory.shift();
        rho.shift();
      }
      sHistory.push(s);
      yHistory.push(y);
      rho.push(1 / sy);
    }
    const improvement = f - fNew;
    [x, xNew] = [xNew, x];
    [g, gNew] = [gNew, g];
    f = fNew;
    if (improvement <= ftol * Math.max(Math.abs(f), 1)) break;
  }
  return { x, f, evaluations };
}

/** direction = −H·g on the free variables (L-BFGS two-loop recursion), 0 on held ones. */
function twoLoop(
  g: Float64Array,
  free: Uint8Array,
  sHistory: readonly Float64Array[],
  yHistory: readonly Float64Array[],
  rho: readonly number[],
  alpha: Float64Array,
  direction: Float64Array,
): void {
  const n = g.length;
  const q = direction;
  for (let i = 0; i < n; i++) q[i] = free[i] ? g[i] : 0;
  const k = sHistory.length;
  for (let j = k - 1; j >= 0; j--) {
    const s = sHistory[j];
    let a = 0;
    for (let i = 0; i < n; i++) a += s[i] * q[i];
    a *= rho[j];
    alpha[j] = a;
    const y = yHistory[j];
    for (let i = 0; i < n; i++) q[i] -= a * y[i];
  }
  if (k > 0) {
    const s = sHistory[k - 1];
    const y = yHistory[k - 1];
    let sy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      sy += s[i] * y[i];
      yy += y[i] * y[i];
    }
    const gamma = sy / yy;
    for (let i = 0; i < n; i++) q[i] *= gamma;
  }
  for (let j = 0; j < k; j++) {
    const y = yHistory[j];
    let b = 0;
    for (let i = 0; i < n; i++) b += y[i] * q[i];
    b *= rho[j];
    const s = sHistory[j];
    for (let i = 0; i < n; i++) q[i] += (alpha[j] - b) * s[i];
  }
  for (let i = 0; i < n; i++) q[i] = free[i] ? -q[i] : 0;
}

function finite(v: number): number {
  return Number.isFinite(v) ? v : Infinity;
}
