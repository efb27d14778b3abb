/**
 * CMA-ES strategy parameters: the defaults of Hansen's tutorial (arXiv:1604.00772v1, Table 1 and
 * eqs. 48–56), as the `cmaes` package that Optuna's CmaEsSampler runs computes them (cmaes 0.9.1,
 * _cma.py), so the two strategies differ only where documented in docs/optimizers.md.
 */
export interface CmaParameters {
  readonly dim: number;
  /** Population size λ the weights were computed for. */
  readonly lambda: number;
  /** Parents μ = ⌊λ/2⌋: the samples with positive weight. */
  readonly mu: number;
  /** w_1 ≥ … ≥ w_μ > 0 ≥ … ≥ w_λ: positive weights sum to 1, negative ones are scaled by eq. 53 (active CMA). */
  readonly weights: readonly number[];
  /** Variance-effective selection mass of the positive weights. */
  readonly muEff: number;
  readonly cSigma: number;
  readonly dSigma: number;
  readonly cc: number;
  readonly c1: number;
  readonly cMu: number;
  /** E‖N(0, I)‖, approximated as √n (1 − 1/(4n) + 1/(21n²)). */
  readonly chiN: number;
}

/** The tutorial's α_cov. */
const ALPHA_COV = 2;

/** λ = 4 + ⌊3 ln n⌋ (eq. 48). */
export function defaultPopulation(dim: number): number {
  return 4 + Math.floor(3 * Math.log(dim));
}

export function cmaParameters(dim: number, lambda: number): CmaParameters {
  if (!Number.isInteger(lambda) || lambda < 2) throw new RangeError(`CMA-ES needs a population of at least 2, got ${lambda}`);
  const mu = Math.floor(lambda / 2);
  const raw = Array.from({ length: lambda }, (_, i) => Math.log((lambda + 1) / 2) - Math.log(i + 1));
  const selectionMass = (w: readonly number[]) => w.reduce((s, v) => s + v, 0) ** 2 / w.reduce((s, v) => s + v * v, 0);
  const muEff = selectionMass(raw.slice(0, mu));
  // λ = 2 or 3 leaves no negative raw weight (w'_2 = 0 at λ = 3): their mass does not enter the bound.
  const negative = raw.slice(mu).filter((w) => w < 0);
  const muEffMinus = negative.length > 0 ? selectionMass(negative) : 0;

  const c1 = ALPHA_COV / ((dim + 1.3) ** 2 + muEff);
  // 1e-8 keeps 1 − c1 − cμ > 0 for very large populations, as in cmaes.
  const cMu = Math.min(1 - c1 - 1e-8, (ALPHA_COV * (muEff - 2 + 1 / muEff)) / ((dim + 2) ** 2 + (ALPHA_COV * muEff) / 2));
  const alphaMinus = Math.min(1 + c1 / cMu, 1 + (2 * muEffMinus) / (muEff + 2), (1 - c1 - cMu) / (dim * cMu));
  const positiveSum = raw.filter((w) => w > 0).reduce((s, v) => s + v, 0);
  const negativeSum = -negative.reduce((s, v) => s + v, 0);
  const weights = raw.map((w) => (w >= 0 ? w / positiveSum : (alphaMinus * w) / negativeSum));

  const cSigma = (muEff + 2) / (dim + muEff + 5);
  const dSigma = 1 + 2 * Math.max(0, Math.sqrt((muEff - 1) / (dim + 1)) - 1) + cSigma;
  const cc = (4 + muEff / dim) / (dim + 4 + (2 * muEff) / dim);
  const chiN = Math.sqrt(dim) * (1 - 1 / (4 * dim) + 1 / (21 * dim * dim));
  return { dim, lambda, mu, weights, muEff, cSigma, dSigma, cc, c1, cMu, chiN };
}
