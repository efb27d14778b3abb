import { BaseOptimizer, pointKey, type Proposal, type ProposeContext } from './base.js';
import { ProposalSet } from './proposal-set.js';
import type { OptimizerContext, Outcome, Trial } from './types.js';

export interface BinaryMidPassOptions {
  /** Grid values per variable on the first pass (11: weights 0, 0.1, …, 1 of the range). */
  readonly levels: number;
  /** Consecutive variables searched together, set to the same value ("Binary Mid Pass 2x" is 2). */
  readonly group_size: number;
}

/** Grids finer than this are past any useful resolution: the search is over. */
const MAX_LEVELS = 2 ** 16 + 1;

/**
 * The coordinate search of sdweb-auto-MBW's "Binary Mid Pass", as an honest baseline.
 *
 * One variable (or group) at a time, in space order, over an interval of grid values: evaluate
 * its lowest, middle and highest value with every other variable held at the current point, and
 * keep the lower half, the central half or the upper half depending on which of the three
 * scored best (ties favour lower, then middle). When one grid value is left it becomes the
 * variable's value, and the search carries that point on to the next variable. Scores are cached
 * by point, so values already evaluated, including the carried point, are never asked again.
 *
 * A pass visits every variable; passes repeat. A pass that needed no new evaluation would only
 * repeat itself (every score it reads is cached), so the next one uses a grid twice as fine. The start point is the best observation
 * (warm starts, initial design) or else the centre of the cube.
 *
 * The search is sequential: while a round waits for its results, extra asks from parallel
 * workers get uniform random points.
 */
export class BinaryMidPass extends BaseOptimizer {
  readonly kind = 'binary-mid-pass';
  private readonly groups: number[][];
  private readonly scores = new Map<string, number>();
  private point: number[] | undefined;
  private passEvaluated = false;
  private levels: number;
  private group = 0;
  private lo = 0;
  private hi: number;

  constructor(ctx: OptimizerContext, options: BinaryMidPassOptions) {
    super(ctx);
    if (!Number.isInteger(options.levels) || options.levels < 2) throw new RangeError(`levels must be an integer ≥ 2, got ${options.levels}`);
    if (!Number.isInteger(options.group_size) || options.group_size < 1) throw new RangeError(`group_size must be a positive integer, got ${options.group_size}`);
    this.groups = [];
    for (let i = 0; i < this.dim; i += options.group_size) {
      this.groups.push(Array.from({ length: Math.min(options.group_size, this.dim - i) }, (_, k) => i + k));
    }
    this.levels = options.levels;
    this.hi = this.levels - 1;
  }

  /** Whether every grid has been refined past MAX_LEVELS; from then on only random points are proposed. */
  get exhausted(): boolean {
    return this.levels > MAX_LEVELS;
  }

  protected override observe(trial: Trial, outcome: Outcome): void {
    // A failed point is scored as the worst possible, so the search moves away from it.
    this.scores.set(pointKey(trial.x), outcome.status === 'ok' ? outcome.value : -Infinity);
  }

  protected propose(n: number, { rng, isTaken }: ProposeContext): Proposal[] {
    this.point ??= this.bestObservation()?.trial.x.slice() ?? new Array<number>(this.dim).fill(0.5);
    const batch = new ProposalSet(isTaken, (x) => this.ctx.space.snap(x));
    const wanted = this.unscoredRoundPoints().filter((x) => !batch.taken(x));
    const proposals: Proposal[] = wanted.slice(0, n).map((x) => ({ x: batch.add(x) }));
    while (proposals.length < n) proposals.push({ x: Array.from({ length: this.dim }, () => rng.float()) });
    return proposals;
  }

  /** Resolves every round whose scores are known and returns the points the current round still lacks. */
  private unscoredRoundPoints(): number[][] {
    while (!this.exhausted) {
      const round = this.roundPoints();
      const values = round.map((x) => this.scores.get(pointKey(x)));
      if (values.some((v) => v === undefined)) {
        this.passEvaluated = true;
        const unscored = round.filter((_, i) => values[i] === undefined);
        return unscored.filter((x, i) => unscored.findIndex((y) => pointKey(y) === pointKey(x)) === i);
      }
      this.resolve(values as number[]);
    }
    return [];
  }

  /** The lowest, middle and highest grid value of the current interval, set on the current point. */
  private roundPoints(): number[][] {
    const length = this.hi - this.lo + 1;
    const middle = this.lo + ((length + 1) >> 1) - 1;
    return [this.lo, middle, this.hi].map((k) => this.withGroupAt(k));
  }

  private withGroupAt(level: number): number[] {
    const x = this.point!.slice();
    for (const i of this.groups[this.group]) x[i] = level / (this.levels - 1);
    return this.ctx.space.snap(x);
  }

  private resolve([lower, middle, upper]: number[]): void {
    const length = this.hi - this.lo + 1;
    if (length === 1) {
      this.point = this.withGroupAt(this.lo);
      this.nextGroup();
      return;
    }
    const top = Math.max(lower, middle, upper);
    if (lower === top) {
      this.hi = this.lo + Math.floor(length / 2) - 1;
    } else if (middle === top) {
      this.hi = this.lo + length - Math.ceil(length / 4) - 1;
      this.lo += Math.floor(length / 4);
    } else {
      this.lo += Math.floor(length / 2);
    }
  }

  private nextGroup(): void {
    this.group++;
    if (this.group === this.groups.length) {
      this.group = 0;
      if (!this.passEvaluated) this.levels = 2 * this.levels - 1;
      this.passEvaluated = false;
    }
    this.lo = 0;
    this.hi = this.levels - 1;
  }
}
