import type { Rng } from '../util/rng.js';
import type { JsonValue } from '../util/json.js';
import { initialDesign } from '../qmc/index.js';
import {
  ReplayMismatchError,
  type Observation,
  type Optimizer,
  type OptimizerContext,
  type Outcome,
  type Trial,
  type TrialOrigin,
} from './types.js';

/** A point an optimizer wants evaluated, with optional bookkeeping to journal beside it. */
export interface Proposal {
  x: number[];
  meta?: JsonValue;
}

export interface ProposeContext {
  /** The generator for this ask only: derived from the seed and the ask's index. */
  rng: Rng;
  /** True when the (snapped) point is already pending, observed, or earlier in this batch. */
  isTaken(x: readonly number[]): boolean;
}

/** How many times a taken proposal is replaced by a fresh uniform point before duplicates are accepted. */
const MAX_DEDUPE_DRAWS = 64;

/**
 * Shared ask/tell bookkeeping: trial ids, pending and observed trials, the initial design and
 * warm starts, de-duplication, and replay. A concrete optimizer implements `propose` (and
 * usually `observe`) and nothing else.
 */
export abstract class BaseOptimizer implements Optimizer {
  abstract readonly kind: string;
  /**
   * Set to true when `propose` reads the optimizer's state but never changes it. Replay can then
   * adopt journaled points without recomputing them, which matters for costly model-based
   * optimizers; optimizers with state changed by asking (a population cursor, a schedule) keep
   * false and are replayed by asking again.
   */
  protected readonly proposalsArePure: boolean = false;

  readonly pending = new Map<number, Trial>();
  readonly observations: Observation[] = [];
  readonly failures: Trial[] = [];

  private nextId = 0;
  private askCount = 0;
  private queueIssued = 0;
  private queueCache: Array<{ x: number[]; origin: TrialOrigin }> | undefined;
  private readonly taken = new Set<string>();

  constructor(protected readonly ctx: OptimizerContext) {}

  /** Proposes `n` points in the unit cube. Called only after the initial design is used up. */
  protected abstract propose(n: number, context: ProposeContext): Proposal[];

  /** Hook called after every tell (failed trials included). */
  protected observe(_trial: Trial, _outcome: Outcome): void {}

  get dim(): number {
    return this.ctx.space.dim;
  }

  /** True while warm starts or initial design points are still to be asked. */
  protected get inInitialPhase(): boolean {
    return this.queueIssued < this.queue().length;
  }

  ask(n: number): Trial[] {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`ask(n) needs a positive integer, got ${n}`);
    const rng = this.ctx.rng.derive('ask', this.askCount++);
    const batch: Array<{ x: number[]; origin: TrialOrigin; meta?: JsonValue }> = [];
    const batchKeys = new Set<string>();
    const isTaken = (x: readonly number[]) => {
      const k = pointKey(this.ctx.space.snap(x));
      return this.taken.has(k) || batchKeys.has(k);
    };

    const queue = this.queue();
    while (batch.length < n && this.queueIssued < queue.length) {
      const item = queue[this.queueIssued++];
      batch.push({ x: item.x, origin: item.origin });
      batchKeys.add(pointKey(item.x));
    }
    if (batch.length < n) {
      const proposals = this.propose(n - batch.length, { rng, isTaken });
      if (proposals.length !== n - batch.length) {
        throw new Error(`${this.kind}.propose returned ${proposals.length} points, expected ${n - batch.length}`);
      }
      for (const p of proposals) {
        let x = this.ctx.space.snap(p.x);
        for (let draw = 0; draw < MAX_DEDUPE_DRAWS && isTaken(x); draw++) {
          x = this.ctx.space.snap(Array.from({ length: this.dim }, () => rng.float()));
        }
        batch.push(p.meta === undefined ? { x, origin: 'optimizer' } : { x, origin: 'optimizer', meta: p.meta });
        batchKeys.add(pointKey(x));
      }
    }
    return batch.map((b) => this.register(b.meta === undefined ? { id: this.nextId, x: b.x, origin: b.origin } : { id: this.nextId, x: b.x, origin: b.origin, meta: b.meta }));
  }

  tell(id: number, outcome: Outcome): void {
    const trial = this.pending.get(id);
    if (!trial) throw new Error(`tell(${id}): no pending trial with that id (already told, or never asked)`);
    this.pending.delete(id);
    if (outcome.status === 'ok' && Number.isFinite(outcome.value)) {
      this.observations.push({ trial, value: outcome.value });
      this.observe(trial, outcome);
    } else {
      // Non-finite values never reach a model: they are failures (documented in docs/optimizers.md).
      this.failures.push(trial);
      const failed: Outcome = outcome.status === 'failed' ? outcome : { status: 'failed', error: `non-finite value ${outcome.value}` };
      this.observe(trial, failed);
    }
  }

  replayAsk(trials: readonly Trial[]): void {
    if (trials.length === 0) throw new ReplayMismatchError('replayAsk: empty ask');
    if (trials[0].id !== this.nextId) {
      throw new ReplayMismatchError(`journal ask starts at trial ${trials[0].id}, optimizer expected ${this.nextId}`);
    }
    if (!this.proposalsArePure) {
      const again = this.ask(trials.length);
      again.forEach((t, i) => assertSamePoint(t, trials[i]));
      return;
    }
    this.askCount++;
    const queue = this.queue();
    for (const t of trials) {
      if (t.origin !== 'optimizer') {
        const expected = queue[this.queueIssued++];
        if (!expected || expected.origin !== t.origin || pointKey(expected.x) !== pointKey(t.x)) {
          throw new ReplayMismatchError(`trial ${t.id}: journaled ${t.origin} point differs from this config's ${expected?.origin ?? 'design'}`);
        }
      }
      this.register({ ...t, x: [...t.x] });
    }
  }

  recommend(): readonly number[] | undefined {
    let best: Observation | undefined;
    for (const o of this.observations) if (!best || o.value > best.value) best = o;
    return best?.trial.x;
  }

  /** The best observation so far, if any. */
  protected bestObservation(): Observation | undefined {
    let best: Observation | undefined;
    for (const o of this.observations) if (!best || o.value > best.value) best = o;
    return best;
  }

  private register(trial: Trial): Trial {
    this.nextId = trial.id + 1;
    this.pending.set(trial.id, trial);
    this.taken.add(pointKey(trial.x));
    return trial;
  }

  private queue(): Array<{ x: number[]; origin: TrialOrigin }> {
    if (!this.queueCache) {
      const baselines = (this.ctx.baselines ?? []).map((x) => ({ x: this.ctx.space.snap(x), origin: 'baseline' as const }));
      const warm = this.ctx.warmStart.map((x) => ({ x: this.ctx.space.snap(x), origin: 'warm-start' as const }));
      const design = initialDesign(this.ctx.initial.design, this.ctx.initial.n, this.dim, this.ctx.rng.derive('initial'));
      this.queueCache = [...baselines, ...warm, ...design.map((x) => ({ x: this.ctx.space.snap(x), origin: 'initial' as const }))];
    }
    return this.queueCache;
  }
}

/** Exact identity of a point: replay and de-duplication compare bit for bit. */
export function pointKey(x: readonly number[]): string {
  return x.map((v) => v.toString()).join(',');
}

function assertSamePoint(got: Trial, journaled: Trial): void {
  if (got.id !== journaled.id || pointKey(got.x) !== pointKey(journaled.x)) {
    throw new ReplayMismatchError(
      `trial ${journaled.id}: the optimizer now proposes [${got.x.slice(0, 3).join(', ')}, …] but the journal has [${journaled.x.slice(0, 3).join(', ')}, …]`,
    );
  }
}
