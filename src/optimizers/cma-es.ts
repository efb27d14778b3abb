import type { Rng } from '../util/rng.js';
import { isPlainObject, type JsonValue } from '../util/json.js';
import { BaseOptimizer, pointKey, type Proposal, type ProposeContext } from './base.js';
import { CmaDistribution, type CmaSample, type CmaSnapshot } from './cma-es-distribution.js';
import { defaultPopulation } from './cma-es-parameters.js';
import { ProposalSet } from './proposal-set.js';
import type { OptimizerContext, Outcome, Trial } from './types.js';

export interface CmaEsOptions {
  /** λ of the first run, samples per generation (IPOP doubles it at each restart); null picks initialPopulation(d). */
  readonly population: number | null;
  /** Initial step size σ0, as a fraction of every variable's range. */
  readonly sigma_init: number;
  /** `ipop`: restart from a random mean with twice the population when the run stops making progress. */
  readonly restarts: 'none' | 'ipop';
}

/** What a CMA-ES trial carries in the journal: which sample of which generation it is. */
interface SampleMeta {
  generation: number;
  member: number;
}

interface Generation {
  readonly index: number;
  readonly lambda: number;
  /** The distribution the samples were drawn from. */
  readonly from: CmaSnapshot;
  readonly samples: CmaSample[];
  /** Per member, as told: its value, or null when it failed or was replaced by another point. */
  readonly values: Array<number | null>;
  issued: number;
  told: number;
}

/** Redraws of a sample whose point is already taken, before the base optimizer replaces it. */
const MAX_SAMPLE_DRAWS = 16;

/**
 * CMA-ES (Hansen's tutorial, arXiv:1604.00772) on the unit cube, with optional IPOP restarts
 * (Auger & Hansen 2005). This class runs the ask/tell protocol; the distribution and its update,
 * on ml-matrix, are in cma-es-distribution.ts.
 *
 * Bounds: a sample m + σy outside the cube is drawn again, 10·d draws at most (as Optuna's
 * CmaEsSampler does); the last one is clipped into the cube, and the update uses the clipped
 * point. Reflecting samples back in instead (as PGPE does) lost to this on every function of
 * the benchmark suite at 1,000 evaluations (development seeds): CMA-ES then optimizes the folded
 * objective, whose mirror-image optima just outside the faces pull recombination off the real one.
 *
 * Asks: a generation is λ asks in a row; once it is fully issued, further asks open the next
 * generation from the current distribution, so parallel workers never wait. A generation
 * updates the distribution when all its samples are told, in any order. Failed samples (and the
 * rare one the base optimizer replaced with another point) carry no weight: the generation is
 * ranked as one of the successful samples' size, with that size's weights and learning rates,
 * and one with fewer than two successes leaves the distribution unchanged.
 */
export class CmaEs extends BaseOptimizer {
  readonly kind = 'cma-es';
  private readonly basePopulation: number;
  private distribution: CmaDistribution | undefined;
  private restartCount = 0;
  private open: Generation | undefined;
  private readonly generations = new Map<number, Generation>();
  private generationCount = 0;

  constructor(
    ctx: OptimizerContext,
    private readonly options: CmaEsOptions,
  ) {
    super(ctx);
    this.basePopulation = options.population ?? initialPopulation(this.dim);
    if (!Number.isInteger(this.basePopulation) || this.basePopulation < 2) throw new RangeError(`population must be an integer ≥ 2, got ${this.basePopulation}`);
    if (!(options.sigma_init > 0)) throw new RangeError(`sigma_init must be positive, got ${options.sigma_init}`);
  }

  /** λ of the current run. */
  get population(): number {
    return this.basePopulation * 2 ** this.restartCount;
  }

  get restarts(): number {
    return this.restartCount;
  }

  /** The current search distribution (undefined before the first sample and right after a restart). */
  get state(): CmaDistribution | undefined {
    return this.distribution;
  }

  protected propose(n: number, { rng, isTaken }: ProposeContext): Proposal[] {
    const batch = new ProposalSet(isTaken, (x) => this.ctx.space.snap(x));
    return Array.from({ length: n }, () => {
      if (!this.open || this.open.issued === this.open.lambda) this.open = this.openGeneration(rng);
      const g = this.open;
      const member = g.issued++;
      g.samples[member] = drawSample(g.from, rng, batch);
      const meta: SampleMeta = { generation: g.index, member };
      return { x: batch.add(samplePoint(g.from, g.samples[member])), meta: meta as unknown as JsonValue };
    });
  }

  protected override observe(trial: Trial, outcome: Outcome): void {
    const meta = readMeta(trial.meta);
    const g = meta && this.generations.get(meta.generation);
    if (!meta || !g) return;
    const isSample = pointKey(trial.x) === pointKey(this.ctx.space.snap(samplePoint(g.from, g.samples[meta.member])));
    g.values[meta.member] = outcome.status === 'ok' && isSample ? outcome.value : null;
    if (++g.told === g.lambda) {
      this.generations.delete(g.index);
      this.update(g);
    }
  }

  private openGeneration(rng: Rng): Generation {
    if (!this.distribution) {
      // The first run starts from the best point seen (warm starts, initial design), else the centre; restarts anywhere.
      const mean =
        this.restartCount === 0
          ? (this.bestObservation()?.trial.x.slice() ?? new Array<number>(this.dim).fill(0.5))
          : Array.from({ length: this.dim }, () => rng.float());
      this.distribution = new CmaDistribution(this.dim, this.population, mean, this.options.sigma_init);
    }
    const lambda = this.distribution.lambda;
    const g: Generation = { index: this.generationCount++, lambda, from: this.distribution.snapshot(), samples: [], values: new Array<number | null>(lambda).fill(null), issued: 0, told: 0 };
    this.generations.set(g.index, g);
    return g;
  }

  private update(g: Generation): void {
    const distribution = this.distribution!;
    const ranked = g.samples
      .map((sample, member) => ({ sample, value: g.values[member] }))
      .filter((s): s is { sample: CmaSample; value: number } => s.value !== null)
      .sort((a, b) => b.value - a.value);
    if (ranked.length < 2) return;
    distribution.update(
      ranked.map((s) => s.sample),
      g.from,
      { best: ranked[0].value, worst: ranked[ranked.length - 1].value },
    );
    if (this.options.restarts === 'ipop' && distribution.shouldStop()) {
      this.restartCount++;
      // Samples of the stopped run still pending are evaluated but no longer update anything.
      this.distribution = undefined;
      this.open = undefined;
      this.generations.clear();
    }
  }
}

/**
 * Half of Hansen's default λ = 4 + ⌊3 ln d⌋ (6 at d = 27), as IPOP-aCMA-ES starts in Brockhoff et
 * al. 2012: twice as many updates from the same budget, and the restarts double λ when a run
 * stalls. On the benchmark suite's development seeds it beat the full default at 100, 200 and
 * 1,000 evaluations (BENCHMARKS.md, CMA-ES).
 */
export function initialPopulation(dim: number): number {
  return Math.max(2, Math.floor(defaultPopulation(dim) / 2));
}

/** A sample inside the cube, drawn again while its point would land on a taken one. */
function drawSample(from: CmaSnapshot, rng: Rng, batch: ProposalSet): CmaSample {
  let sample = drawInside(from, rng);
  for (let draw = 1; draw < MAX_SAMPLE_DRAWS && batch.taken(samplePoint(from, sample)); draw++) sample = drawInside(from, rng);
  return sample;
}

/** Draws until m + σy lies in the cube, 10·d draws at most; past that, the sample at the clipped point. */
function drawInside(from: CmaSnapshot, rng: Rng): CmaSample {
  const inside = (s: CmaSample) => from.mean.every((m, i) => m + from.sigma * s.y[i] >= 0 && m + from.sigma * s.y[i] <= 1);
  for (let draw = 0; draw < 10 * from.mean.length; draw++) {
    const sample = CmaDistribution.sample(from, rng);
    if (inside(sample)) return sample;
  }
  return CmaDistribution.sampleAt(from, samplePoint(from, CmaDistribution.sample(from, rng)));
}

/** m + σ y, clipped into the cube (a no-op but for clipped samples, where it absorbs rounding). */
function samplePoint(from: CmaSnapshot, sample: CmaSample): number[] {
  return from.mean.map((m, i) => Math.min(1, Math.max(0, m + from.sigma * sample.y[i])));
}

function readMeta(meta: JsonValue | undefined): SampleMeta | undefined {
  if (!isPlainObject(meta)) return undefined;
  const { generation, member } = meta;
  if (typeof generation !== 'number' || typeof member !== 'number') return undefined;
  return { generation, member };
}
