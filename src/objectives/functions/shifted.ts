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
  /** Where the optimum's coordinates may sit; DEFAULT_PLACEMENT unless the landscape needs less. */
  placement?: Placement;
  /** Offset of the golden-ratio sequence, so families put their optima in different places. */
  phase: number;
}

/**
 * How far from ½ each coordinate of the optimum sits (in the unmirrored frame), and on which
 * side: `both` alternates below and above ½, `high` keeps it above.
 */
export interface Placement {
  distance: readonly [number, number];
  sides: 'both' | 'high';
}

const GOLDEN = 0.6180339887498949;
/** Every coordinate 0.15 to 0.35 away from ½: at least 0.15 from each face and from the centre. */
export const DEFAULT_PLACEMENT: Placement = { distance: [0.15, 0.35], sides: 'both' };

/**
 * Where coordinate i of the optimum sits in the unmirrored frame, driven by the golden-ratio
 * sequence v_i = frac((i + 1)·φ + phase): deterministic, different per coordinate, off the centre
 * in every coordinate and off the faces, so designs that favour the centre, the faces or the
 * corners get no free win.
 */
export function optimumOffsets(dim: number, placement: Placement, phase: number): number[] {
  const [near, far] = placement.distance;
  return Array.from({ length: dim }, (_, i) => {
    const v = ((i + 1) * GOLDEN + phase) % 1;
    if (placement.sides === 'high') return 0.5 + near + (far - near) * v;
    const side = v < 0.5 ? -1 : 1;
    return 0.5 + side * (near + (far - near) * ((2 * v) % 1));
  });
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
      const offsets = optimumOffsets(dim, spec.placement ?? DEFAULT_PLACEMENT, spec.phase);
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
