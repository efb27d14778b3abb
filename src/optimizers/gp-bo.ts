import type { Rng } from '../util/rng.js';
import { isPlainObject } from '../util/json.js';
import { BaseOptimizer, type Proposal, type ProposeContext } from './base.js';
import { ProposalSet } from './proposal-set.js';
import type { Acquisition } from '../gp/acquisition.js';
import { maximizeAcquisition, type Region } from '../gp/acquisition-search.js';
import { DenseMatrix } from '../gp/dense-matrix.js';
import { GaussianProcess } from '../gp/gaussian-process.js';
import { fitHyperparameters } from '../gp/hyperparameter-fit.js';
import type { NoisePrior, NoiseSetting } from '../gp/hyperparameters.js';
import { logExpectedImprovement } from '../gp/log-ei.js';
import { powerTransform } from '../gp/power-transform.js';
import { upperConfidenceBound } from '../gp/ucb.js';
import type { Observation, OptimizerContext, Trial } from './types.js';

export interface GpBoOptions {
  readonly acquisition: 'log-ei' | 'ucb';
  readonly ucb_beta: number;
  /** Quasi-random candidates scored per proposal. */
  readonly n_candidates: number;
  /** Random starts of the hyperparameter fit, besides the warm start and the prior's centre. */
  readonly restarts: number;
  /** Candidates refined by gradient ascent per proposal. */
  readonly local_searches: number;
  /** How far each log lengthscale may stray from their average: the sd of small deviations (typical ones are about 3× larger). */
  readonly lengthscale_spread: number;
  readonly noise: NoiseSetting;
  /** Where a learned noise variance's prior sits (src/gp/hyperparameters.ts NOISE_PRIORS). */
  readonly noise_prior: NoisePrior;
}

/** What every gp-bo trial journals: the hyperparameters it was proposed with, to warm-start the next fit. */
interface GpMeta {
  gp: number[];
}

/** Best observed points around which the acquisition search perturbs, and how many perturbations in all. */
const ANCHORS = 5;
const PERTURBATIONS = 512;
const LOCAL_EVALUATIONS = 60;
/** Above this standardized noise variance (noise sd ≈ 10% of the observed sd) the objective counts as noisy. */
const NOISY_VARIANCE = 0.01;
/** Significant digits of journaled hyperparameters: plenty for a warm start, and short lines. */
const META_DIGITS = 8;

/**
 * Bayesian optimization with a Gaussian process: Matérn-5/2 ARD kernel, constant mean, learned
 * noise, MAP hyperparameters under dimension-scaled priors (src/gp/hyperparameters.ts) refitted at
 * every ask, scores passed through a fitted Yeo–Johnson transform (src/gp/power-transform.ts), and
 * log-EI (or UCB) maximized by quasi-random search plus gradient refinement
 * (src/gp/acquisition-search.ts).
 *
 * - Failed trials are left out of the model: a crash says nothing about the score of its point.
 *   Their points stay taken, so they are never proposed again.
 * - Pending trials, and earlier points of the same batch, enter the model as "Kriging believer"
 *   fantasies: observed at their posterior mean, which shrinks the variance around them so the
 *   next proposal goes elsewhere.
 * - `propose` changes no state and draws only from the per-ask rng; the fitted hyperparameters
 *   travel in each trial's meta and warm-start the next fit, so a resumed run, which reads them
 *   back from the journal, proposes exactly what the original run did.
 */
export class GpBo extends BaseOptimizer {
  readonly kind: string = 'gp-bo';
  protected override readonly proposalsArePure = true;
  private recommendation: { observations: number; x: readonly number[] | undefined } | undefined;

  constructor(
    ctx: OptimizerContext,
    private readonly options: GpBoOptions,
  ) {
    super(ctx);
  }

  protected propose(n: number, { rng, isTaken }: ProposeContext): Proposal[] {
    const proposals = new ProposalSet(isTaken, (x) => this.ctx.space.snap(x));
    if (this.observations.length < 2) {
      return Array.from({ length: n }, () => ({ x: proposals.add(this.uniformPoint(rng, (x) => proposals.taken(x))) }));
    }
    let gp = this.fit(rng.derive('fit'));
    const meta: GpMeta = { gp: Array.from(gp.theta, (v) => Number(v.toPrecision(META_DIGITS))) };
    const { region, anchors } = this.searchArea(gp);
    for (const trial of this.pending.values()) gp = believe(gp, trial.x);

    const out: Proposal[] = [];
    for (let i = 0; i < n; i++) {
      const searchRng = rng.derive('search', i);
      const x =
        maximizeAcquisition(gp, this.acquisition(gp), searchRng, {
          region,
          candidates: this.options.n_candidates,
          perturbations: Math.ceil(PERTURBATIONS / anchors.length),
          anchors,
          localStarts: this.options.local_searches,
          localEvaluations: LOCAL_EVALUATIONS,
          snap: (p) => this.ctx.space.snap(p),
          taken: (p) => proposals.taken(p),
        }) ?? this.uniformPoint(searchRng, (p) => proposals.taken(p));
      out.push({ x: proposals.add(x), meta: { ...meta } });
      gp = believe(gp, x);
    }
    return out;
  }

  /**
   * The observed point with the best posterior mean when the fitted noise says the scores are
   * noisy (a lucky draw should not win), else the best observed point.
   */
  override recommend(): readonly number[] | undefined {
    const count = this.observations.length;
    if (this.recommendation?.observations === count) return this.recommendation.x;
    let x = super.recommend();
    if (count >= 2) {
      const gp = this.fit(this.ctx.rng.derive('recommend', count));
      if (gp.noise >= NOISY_VARIANCE) x = this.bestPoints(gp, 1)[0];
    }
    this.recommendation = { observations: count, x };
    return x;
  }

  /** Where to search: the whole cube, perturbing around the few best points. */
  protected searchArea(gp: GaussianProcess): { region: Region; anchors: Array<readonly number[]> } {
    return { region: { lower: new Float64Array(this.dim), upper: new Float64Array(this.dim).fill(1) }, anchors: this.bestPoints(gp, ANCHORS) };
  }

  /** MAP fit on the observations, warm-started from the newest journaled hyperparameters. */
  private fit(rng: Rng): GaussianProcess {
    const obs = this.observations;
    const x = DenseMatrix.fromRows(obs.map((o) => o.trial.x), this.dim);
    const y = powerTransform(obs.map((o) => o.value));
    const warmStart = this.latestHyperparameters();
    const theta = fitHyperparameters(x, y, {
      noise: this.options.noise,
      noisePrior: this.options.noise_prior,
      lengthscaleSpread: this.options.lengthscale_spread,
      restarts: this.options.restarts,
      rng,
      ...(warmStart ? { warmStart } : {}),
    });
    return GaussianProcess.fromHyperparameters(theta, x, y);
  }

  /** The observed points with the highest posterior means, best first. */
  protected bestPoints(gp: GaussianProcess, count: number): Array<readonly number[]> {
    const means = gp.fittedMeans();
    return this.observations
      .map((o: Observation, i) => ({ x: o.trial.x, mean: means[i], i }))
      .sort((a, b) => b.mean - a.mean || a.i - b.i)
      .slice(0, count)
      .map((e) => e.x);
  }

  private acquisition(gp: GaussianProcess): Acquisition {
    if (this.options.acquisition === 'ucb') return upperConfidenceBound(this.options.ucb_beta);
    let best = -Infinity;
    for (const m of gp.fittedMeans()) best = Math.max(best, m);
    return logExpectedImprovement(best);
  }

  private latestHyperparameters(): number[] | undefined {
    let latest: Trial | undefined;
    const consider = (t: Trial) => {
      if (isGpMeta(t.meta) && (!latest || t.id > latest.id)) latest = t;
    };
    for (const o of this.observations) consider(o.trial);
    for (const t of this.failures) consider(t);
    for (const t of this.pending.values()) consider(t);
    return latest ? (latest.meta as unknown as GpMeta).gp : undefined;
  }

  private uniformPoint(rng: Rng, taken: (x: readonly number[]) => boolean): number[] {
    let x = Array.from({ length: this.dim }, () => rng.float());
    for (let draw = 0; draw < 64 && taken(x); draw++) x = Array.from({ length: this.dim }, () => rng.float());
    return x;
  }
}

/** Kriging believer: the posterior after "observing" its own mean at x. */
function believe(gp: GaussianProcess, x: readonly number[]): GaussianProcess {
  return gp.condition(x, gp.predict(DenseMatrix.fromRows([x])).mean[0]);
}

function isGpMeta(meta: unknown): meta is GpMeta {
  return isPlainObject(meta) && Array.isArray(meta.gp) && meta.gp.every((v) => typeof v === 'number' && Number.isFinite(v));
}
