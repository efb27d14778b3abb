import type { Rng } from '../util/rng.js';
import { BaseOptimizer, type Proposal, type ProposeContext } from './base.js';
import { normalNeighbour } from './neighbourhood.js';
import { ProposalSet } from './proposal-set.js';
import type { Observation, OptimizerContext, Outcome, Trial } from './types.js';

export interface LocalSearchOptions {
  /** Standard deviation of a neighbour's step, as a fraction of each variable's range. */
  readonly epsilon: number;
  /** Results gathered before each decision to move. */
  readonly n_neighbours: number;
}

/**
 * The hill-climbing family: sample normal neighbours of a current point (the centre), and after
 * every `n_neighbours` results decide whether to move to the best of them. Subclasses differ only
 * in whether a worse point may be accepted, and when to restart.
 *
 * Every result joins the pool of the step that is open when it arrives, whatever it was proposed
 * around. With one evaluation at a time this is GFO's hill climbing exactly; with parallel workers
 * late results of an earlier centre are still used rather than dropped. Decisions are taken
 * lazily at the next ask, so they depend only on the order of asks and tells, which the journal
 * records: a replayed run makes the same decisions.
 */
export abstract class LocalSearch extends BaseOptimizer {
  private centre: Observation | undefined;
  private pool: Observation[] = [];
  private results = 0;
  private lossTotal = 0;
  private lossCount = 0;
  /** Completed steps (decisions), counted from the start of the run. */
  protected steps = 0;

  constructor(
    ctx: OptimizerContext,
    protected readonly options: LocalSearchOptions,
  ) {
    super(ctx);
    if (!(options.epsilon > 0)) throw new RangeError(`epsilon must be > 0, got ${options.epsilon}`);
    if (!Number.isInteger(options.n_neighbours) || options.n_neighbours < 1) throw new RangeError(`n_neighbours must be a positive integer, got ${options.n_neighbours}`);
  }

  /**
   * Whether to move to a candidate worse than the centre. `loss` is the drop in value divided by
   * the mean drop seen at earlier steps, so 1 means "a typical worse neighbour" whatever the
   * objective's units are.
   */
  protected abstract acceptWorse(loss: number, rng: Rng): boolean;

  /** Called after every step with whether it found a better point; a restart strategy hooks in here. */
  protected afterStep(_improved: boolean): void {}

  /** Forgets the centre: the next proposals are uniform points, and the best result becomes the new centre. */
  protected restart(): void {
    this.centre = undefined;
    this.clearPool();
  }

  protected override observe(trial: Trial, outcome: Outcome): void {
    this.results++;
    if (outcome.status === 'ok') this.pool.push({ trial, value: outcome.value });
  }

  protected propose(n: number, { rng, isTaken }: ProposeContext): Proposal[] {
    this.decide();
    const batch = new ProposalSet(isTaken, (x) => this.ctx.space.snap(x));
    return Array.from({ length: n }, () => {
      const x = this.centre
        ? normalNeighbour(this.centre.trial.x, this.options.epsilon, rng, (p) => !batch.taken(p))
        : Array.from({ length: this.dim }, () => rng.float());
      return { x: batch.add(x) };
    });
  }

  private decide(): void {
    if (!this.centre) {
      this.centre = best(this.pool);
      if (this.centre) this.clearPool();
      return;
    }
    if (this.results < this.options.n_neighbours) return;
    const candidate = best(this.pool);
    const improved = candidate !== undefined && candidate.value > this.centre.value;
    if (candidate) {
      if (improved) {
        this.centre = candidate;
      } else {
        const drop = this.centre.value - candidate.value;
        this.lossTotal += drop;
        this.lossCount++;
        const typical = this.lossTotal / this.lossCount;
        const loss = typical > 0 ? drop / typical : 0;
        if (this.acceptWorse(loss, this.ctx.rng.derive('accept', this.steps))) this.centre = candidate;
      }
    }
    this.clearPool();
    this.steps++;
    this.afterStep(improved);
  }

  private clearPool(): void {
    this.pool = [];
    this.results = 0;
  }
}

function best(observations: readonly Observation[]): Observation | undefined {
  let top: Observation | undefined;
  for (const o of observations) if (!top || o.value > top.value) top = o;
  return top;
}
