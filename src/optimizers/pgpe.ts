import { Matrix } from 'ml-matrix';
import type { Rng } from '../util/rng.js';
import { isPlainObject, type JsonValue } from '../util/json.js';
import { BaseOptimizer, pointKey, type Proposal, type ProposeContext } from './base.js';
import { ProposalSet } from './proposal-set.js';
import { reflect } from './reflect.js';
import type { OptimizerContext, Outcome, Trial } from './types.js';

export interface PgpeOptions {
  /** Samples per generation (even: mirrored pairs); null picks 4 + ⌊3 ln d⌋, made even, within [8, 16]. */
  readonly population: number | null;
  /** Initial standard deviation of every coordinate, as a fraction of its range. */
  readonly stdev_init: number;
  readonly stdev_min: number;
  readonly stdev_max: number;
  readonly center_learning_rate: number;
  readonly stdev_learning_rate: number;
  /** Largest relative change of a standard deviation in one update. */
  readonly stdev_max_change: number;
  readonly optimizer: 'clipup' | 'adam';
  /** ClipUp: momentum of the velocity. */
  readonly momentum: number;
  /** ClipUp: largest step of the centre (Euclidean, unit-cube units); null means 2 × center_learning_rate. */
  readonly max_speed: number | null;
}

/** What a PGPE trial carries in the journal: which sample it is, and its unreflected perturbation. */
interface SampleMeta {
  generation: number;
  pair: number;
  sign: 1 | -1;
  eps: number[];
}

interface Generation {
  readonly index: number;
  readonly mu: number[];
  readonly sigma: number[];
  /** Per pair, the perturbation drawn when its + sample was issued. */
  readonly eps: number[][];
  /** Per pair, as told: the journaled ε, and the value of each sample (null when it failed). */
  readonly results: Array<{ eps?: number[]; plus?: number | null; minus?: number | null }>;
  issued: number;
  told: number;
}

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;
const ADAM_EPSILON = 1e-8;
/** Redraws of a perturbation whose mirrored pair would land on points already taken. */
const MAX_PAIR_DRAWS = 16;

/**
 * PGPE (Sehnke et al. 2010): a Gaussian search distribution N(μ, diag σ²) over the unit cube,
 * sampled in mirrored pairs μ ± ε. Fitness is shaped into centred ranks, μ follows the estimated
 * gradient through ClipUp (Toklu et al. 2020) or Adam, and each σ_i learns from whether wider or
 * narrower samples ranked better.
 *
 * Samples leaving the cube are reflected back in; the gradient still uses the drawn ε, which is
 * the exact score-function gradient of the reflected objective. ε is journaled in each trial's
 * meta, and the update reads it from there.
 *
 * A generation updates the distribution when all its samples are told. A pair counts only when
 * both its samples succeed; a failed one drops its pair, and a generation with no complete pair
 * leaves μ and σ unchanged. Once a generation is fully issued, further asks open the next one
 * from the current distribution, so parallel workers never wait.
 */
export class Pgpe extends BaseOptimizer {
  readonly kind = 'pgpe';
  readonly population: number;
  /** Row vectors (1 × d) of the search distribution and of the centre's optimizer state. */
  private mu: Matrix | undefined;
  private sigma: Matrix;
  private velocity: Matrix;
  private adamM: Matrix;
  private adamV: Matrix;
  private updates = 0;
  private open: Generation | undefined;
  private readonly generations = new Map<number, Generation>();
  private generationCount = 0;

  constructor(
    ctx: OptimizerContext,
    private readonly options: PgpeOptions,
  ) {
    super(ctx);
    this.population = options.population ?? defaultPopulation(this.dim);
    if (!Number.isInteger(this.population) || this.population < 2 || this.population % 2 !== 0) {
      throw new RangeError(`population must be an even integer ≥ 2, got ${this.population}`);
    }
    if (!(options.stdev_min > 0 && options.stdev_min <= options.stdev_init && options.stdev_init <= options.stdev_max)) {
      throw new RangeError(`stdev options need 0 < stdev_min ≤ stdev_init ≤ stdev_max, got ${options.stdev_min}, ${options.stdev_init}, ${options.stdev_max}`);
    }
    this.sigma = new Matrix(1, this.dim).fill(options.stdev_init);
    this.velocity = Matrix.zeros(1, this.dim);
    this.adamM = Matrix.zeros(1, this.dim);
    this.adamV = Matrix.zeros(1, this.dim);
  }

  /** Current centre of the search distribution (undefined before the first sample). */
  get center(): readonly number[] | undefined {
    return this.mu?.to1DArray();
  }

  get stdev(): readonly number[] {
    return this.sigma.to1DArray();
  }

  protected propose(n: number, { rng, isTaken }: ProposeContext): Proposal[] {
    const batch = new ProposalSet(isTaken, (x) => this.ctx.space.snap(x));
    return Array.from({ length: n }, () => {
      if (!this.open || this.open.issued === this.population) this.open = this.openGeneration();
      const g = this.open;
      const member = g.issued++;
      const pair = member >> 1;
      const sign = member % 2 === 0 ? 1 : -1;
      if (sign === 1) g.eps[pair] = this.drawPair(g, rng, batch);
      const eps = g.eps[pair];
      const meta: SampleMeta = { generation: g.index, pair, sign, eps };
      return { x: batch.add(sample(g.mu, eps, sign)), meta: meta as unknown as JsonValue };
    });
  }

  protected override observe(trial: Trial, outcome: Outcome): void {
    const meta = readMeta(trial.meta);
    const g = meta && this.generations.get(meta.generation);
    if (!meta || !g) return;
    // The base optimizer replaces a proposal that collided with a taken point; such a trial is not the sample.
    const isSample = pointKey(trial.x) === pointKey(this.ctx.space.snap(sample(g.mu, meta.eps, meta.sign)));
    const value = outcome.status === 'ok' && isSample ? outcome.value : null;
    const result = g.results[meta.pair];
    result[meta.sign === 1 ? 'plus' : 'minus'] = value;
    result.eps = meta.eps;
    if (++g.told === this.population) {
      this.generations.delete(g.index);
      this.update(g);
    }
  }

  private openGeneration(): Generation {
    this.mu ??= Matrix.rowVector(this.bestObservation()?.trial.x ?? new Array<number>(this.dim).fill(0.5));
    const g: Generation = {
      index: this.generationCount++,
      mu: this.mu.to1DArray(),
      sigma: this.sigma.to1DArray(),
      eps: [],
      results: Array.from({ length: this.population / 2 }, () => ({})),
      issued: 0,
      told: 0,
    };
    this.generations.set(g.index, g);
    return g;
  }

  /** ε ~ N(0, σ²), redrawn while either mirrored sample would land on a taken point. */
  private drawPair(g: Generation, rng: Rng, batch: ProposalSet): number[] {
    let eps: number[] = [];
    for (let draw = 0; draw < MAX_PAIR_DRAWS; draw++) {
      eps = g.sigma.map((s) => s * rng.normal());
      if (!batch.taken(sample(g.mu, eps, 1)) && !batch.taken(sample(g.mu, eps, -1))) break;
    }
    return eps;
  }

  private update(g: Generation): void {
    const complete = g.results.flatMap((r) => (typeof r.plus === 'number' && typeof r.minus === 'number' && r.eps ? [{ eps: r.eps, plus: r.plus, minus: r.minus }] : []));
    if (complete.length === 0) return;
    const utilities = centredRanks(complete.flatMap((p) => [p.plus, p.minus]));
    const uDifference = complete.map((_, k) => utilities[2 * k] - utilities[2 * k + 1]);
    const uMean = complete.map((_, k) => (utilities[2 * k] + utilities[2 * k + 1]) / 2);
    // One row per complete pair: its perturbation ε.
    const eps = new Matrix(complete.map((p) => p.eps));
    const sigma = Matrix.rowVector(g.sigma);
    const gradMu = Matrix.rowVector(eps.clone().mulColumnVector(uDifference).div(2).div(complete.length).sum('column'));
    const gradSigma = Matrix.rowVector(
      eps.clone().pow(2).subRowVector(sigma.clone().pow(2)).mulColumnVector(uMean).divRowVector(sigma).div(complete.length).sum('column'),
    );
    const step = this.options.optimizer === 'adam' ? this.adamStep(gradMu) : this.clipUpStep(gradMu);
    this.mu = clamp(this.mu!.clone().add(step), 0, 1);
    const limit = this.sigma.clone().mul(this.options.stdev_max_change);
    const change = Matrix.min(limit, Matrix.max(limit.clone().neg(), gradSigma.mul(this.options.stdev_learning_rate)));
    this.sigma = clamp(this.sigma.clone().add(change), this.options.stdev_min, this.options.stdev_max);
  }

  /** ClipUp: follow the normalised gradient with momentum, never faster than max_speed. */
  private clipUpStep(grad: Matrix): Matrix {
    const norm = Math.hypot(...grad.to1DArray());
    const lr = this.options.center_learning_rate;
    this.velocity = this.velocity.clone().mul(this.options.momentum).add(norm > 0 ? grad.clone().mul(lr).div(norm) : 0);
    const speed = Math.hypot(...this.velocity.to1DArray());
    const maxSpeed = this.options.max_speed ?? 2 * lr;
    if (speed > maxSpeed) this.velocity.mul(maxSpeed / speed);
    return this.velocity.clone();
  }

  private adamStep(grad: Matrix): Matrix {
    this.updates++;
    this.adamM = this.adamM.clone().mul(ADAM_BETA1).add(grad.clone().mul(1 - ADAM_BETA1));
    this.adamV = this.adamV.clone().mul(ADAM_BETA2).add(grad.clone().mul(1 - ADAM_BETA2).mul(grad));
    const m = this.adamM.clone().div(1 - ADAM_BETA1 ** this.updates);
    const v = this.adamV.clone().div(1 - ADAM_BETA2 ** this.updates);
    return m.mul(this.options.center_learning_rate).div(v.sqrt().add(ADAM_EPSILON));
  }
}

/** Each element of a row vector moved into [lo, hi]. */
function clamp(v: Matrix, lo: number, hi: number): Matrix {
  return Matrix.min(Matrix.max(v, new Matrix(v.rows, v.columns).fill(lo)), new Matrix(v.rows, v.columns).fill(hi));
}

/** 4 + ⌊3 ln d⌋ (the NES/CMA-ES rule), rounded up to even and kept within [8, 16] for small budgets. */
export function defaultPopulation(dim: number): number {
  const base = 4 + Math.floor(3 * Math.log(dim));
  return Math.min(16, Math.max(8, base + (base % 2)));
}

/** μ + sign·ε reflected into the unit cube. */
function sample(mu: readonly number[], eps: readonly number[], sign: 1 | -1): number[] {
  return mu.map((m, i) => reflect(m + sign * eps[i]));
}

/** Ranks scaled to [−0.5, 0.5] (Salimans et al. 2017); ties share their mean rank. */
export function centredRanks(values: readonly number[]): number[] {
  const n = values.length;
  if (n === 1) return [0];
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(n);
  for (let start = 0; start < n; ) {
    let end = start;
    while (end + 1 < n && order[end + 1].v === order[start].v) end++;
    for (let k = start; k <= end; k++) ranks[order[k].i] = (start + end) / 2;
    start = end + 1;
  }
  return ranks.map((r) => r / (n - 1) - 0.5);
}

function readMeta(meta: JsonValue | undefined): SampleMeta | undefined {
  if (!isPlainObject(meta)) return undefined;
  const { generation, pair, sign, eps } = meta;
  if (typeof generation !== 'number' || typeof pair !== 'number' || (sign !== 1 && sign !== -1) || !Array.isArray(eps)) return undefined;
  return { generation, pair, sign, eps: eps as number[] };
}
