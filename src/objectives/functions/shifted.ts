import type { BenchmarkFamily, BenchmarkFunction } from './types.js';

/** A classical function (minimized) with the per-coordinate minimizer it shares across coordinates. */
export interface ShiftedSpec {
  name: string;
  description: string;
  noiseSd: number;
  /** Width of the classical domain, e.g. 10.24 for [-5.12, 5.12]. */
  width: number;
  /** The classical minimizer of every coordinate (0 for sphere, 1 for Rosenbrock, …). */
  minimizer: number;
  /** The classical minimum f(z*) for dimension d. */
  minimum(dim: number): number;
  f(z: readonly number[]): number;
  /** Range of the optimum's coordinates in the unmirrored frame; [0.15, 0.85] unless the landscape needs less. */
  band?: readonly [number, number];
  /** Offset of the golden-ratio sequence, so families put their optima in different places. */
  phase: number;
}

const GOLDEN = 0.6180339887498949;
const DEFAULT_BAND: readonly [number, number] = [0.15, 0.85];

/**
 * Where coordinate i of the optimum sits in the unmirrored frame: a golden-ratio sequence spread
 * over the band. Deterministic, interior, different per coordinate, and never the centre point,
 * so space-filling designs that favour the centre or the corners get no free win.
 */
export function optimumOffsets(dim: number, band: readonly [number, number], phase: number): number[] {
  return Array.from({ length: dim }, (_, i) => band[0] + (band[1] - band[0]) * (((i + 1) * GOLDEN + phase) % 1));
}

/**
 * The affine map from the unit cube to the classical domain, shifted so that the classical
 * minimizer lands on the offset t_i, and mirrored on odd coordinates (u → 1 − u) so asymmetric
 * functions do not all lean the same way:
 *   z_i = minimizer + width · (v_i − t_i),  v_i = u_i (even i) or 1 − u_i (odd i).
 * The classical domain is therefore translated by width · (½ − t_i); its width is kept.
 */
export function toClassical(x: readonly number[], offsets: readonly number[], width: number, minimizer: number): number[] {
  return x.map((u, i) => minimizer + width * ((i % 2 === 0 ? u : 1 - u) - offsets[i]));
}

/** The unit-cube point that maps onto the classical minimizer. */
export function unitOptimum(offsets: readonly number[]): number[] {
  return offsets.map((t, i) => (i % 2 === 0 ? t : 1 - t));
}

export function shiftedFamily(spec: ShiftedSpec): BenchmarkFamily {
  return {
    name: spec.name,
    description: spec.description,
    noiseSd: spec.noiseSd,
    create(dim: number): BenchmarkFunction {
      if (!Number.isInteger(dim) || dim < 2) throw new RangeError(`${spec.name}: dimension must be an integer ≥ 2, got ${dim}`);
      const offsets = optimumOffsets(dim, spec.band ?? DEFAULT_BAND, spec.phase);
      return {
        name: spec.name,
        description: spec.description,
        dim,
        optimum: { x: unitOptimum(offsets), value: 0 - spec.minimum(dim) },
        evaluate(x: readonly number[]): number {
          if (x.length !== dim) throw new RangeError(`${spec.name}: expected a point of dimension ${dim}, got ${x.length}`);
          return -spec.f(toClassical(x, offsets, spec.width, spec.minimizer));
        },
      };
    },
  };
}
