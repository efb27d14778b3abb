import type { AbstractMatrix } from 'ml-matrix';
import { mean as average, standardDeviation } from 'simple-statistics';
import { DenseMatrix } from '../gp/dense-matrix.js';
import { GaussianProcess } from '../gp/gaussian-process.js';
import { fitHyperparameters } from '../gp/hyperparameter-fit.js';
import { standardize } from '../gp/standardize.js';
import type { Rng } from '../util/rng.js';

/**
 * gp-bo's Gaussian process (Matérn 5/2 with one lengthscale per variable, learned noise, MAP
 * hyperparameters) fitted to observed values, predicting in the values' own units. The surrogate
 * objective answers with it; the report reads parameter importance from its lengthscales.
 */
export class SurrogateModel {
  private constructor(
    private readonly gp: GaussianProcess,
    /** Mean and standard deviation the values were standardized with. */
    private readonly centre: number,
    private readonly scale: number,
  ) {}

  /** Fits points of the unit cube (one per row) and their values. Deterministic for a given rng. */
  static fit(points: AbstractMatrix, values: readonly number[], rng: Rng, restarts = 2): SurrogateModel {
    if (points.rows < 2 || points.rows !== values.length) throw new Error(`a surrogate needs at least two points with values, got ${points.rows}`);
    const x = DenseMatrix.from(points, false);
    const y = standardize(values);
    // No pull towards a shared lengthscale (gp-bo's default): the surrogate's landscape and the
    // report's importance figure need free ARD lengthscales to tell the variables apart.
    const theta = fitHyperparameters(x, y, { noise: 'learned', noisePrior: 'moderate', restarts, rng, lengthscaleSpread: Number.POSITIVE_INFINITY });
    const sd = standardDeviation([...values]);
    return new SurrogateModel(GaussianProcess.fromHyperparameters(theta, x, y), average([...values]), sd > 0 ? sd : 1);
  }

  get dim(): number {
    return this.gp.d;
  }

  /** Posterior mean and standard deviation (of the noise-free function) at each row of `points`, in value units. */
  predict(points: AbstractMatrix): { mean: number[]; sd: number[] } {
    if (points.columns !== this.gp.d) throw new RangeError(`the surrogate has ${this.gp.d} variables, got points with ${points.columns}`);
    const { mean, variance } = this.gp.predict(DenseMatrix.from(points, false));
    return {
      mean: Array.from(mean, (m) => this.centre + this.scale * m),
      sd: Array.from(variance, (v) => this.scale * Math.sqrt(v)),
    };
  }

  /** Lengthscale of each variable on the unit cube: short means the value changes fast along it. */
  get lengthscales(): number[] {
    return Array.from(this.gp.w, (w) => 1 / Math.sqrt(w));
  }

  /** Standard deviation of the observation noise the fit attributes to the data, in value units. */
  get noiseSd(): number {
    return this.scale * Math.sqrt(this.gp.noise);
  }
}
