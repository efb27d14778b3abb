import { describe, expect, it } from 'vitest';
import { BaseOptimizer, type Proposal, type ProposeContext } from '../../src/optimizers/base.js';
import { RandomSearch } from '../../src/optimizers/random-search.js';
import { ReplayMismatchError, type OptimizerContext, type Trial } from '../../src/optimizers/types.js';
import { SearchSpace } from '../../src/space/space.js';
import { Rng } from '../../src/util/rng.js';

const space = SearchSpace.fromConfig({ preset: 'sd1-27', bounds: [0, 1], step: 0.5 });

function context(overrides: Partial<OptimizerContext> = {}): OptimizerContext {
  return { space, rng: Rng.fromSeed(1), budget: 50, initial: { design: 'random', n: 0 }, warmStart: [], ...overrides };
}

/** Always proposes the centre: exercises de-duplication. */
class Stubborn extends BaseOptimizer {
  readonly kind = 'stubborn';
  protected propose(n: number, _: ProposeContext): Proposal[] {
    return Array.from({ length: n }, () => ({ x: new Array(this.dim).fill(0.5) }));
  }
}

describe('BaseOptimizer', () => {
  it('numbers trials from 0 in ask order and tracks them as pending until told', () => {
    const o = new RandomSearch(context());
    const a = o.ask(3);
    expect(a.map((t) => t.id)).toEqual([0, 1, 2]);
    expect(o.pending.size).toBe(3);
    o.tell(1, { status: 'ok', value: 2 });
    expect([...o.pending.keys()]).toEqual([0, 2]);
    expect(o.observations).toHaveLength(1);
  });

  it('refuses a tell for an unknown or already told trial', () => {
    const o = new RandomSearch(context());
    o.ask(1);
    o.tell(0, { status: 'ok', value: 1 });
    expect(() => o.tell(0, { status: 'ok', value: 1 })).toThrow(/no pending trial/);
    expect(() => o.tell(9, { status: 'ok', value: 1 })).toThrow(/no pending trial/);
  });

  it('treats a non-finite value as a failure, never as an observation', () => {
    const o = new RandomSearch(context());
    o.ask(2);
    o.tell(0, { status: 'ok', value: NaN });
    o.tell(1, { status: 'ok', value: Infinity });
    expect(o.observations).toHaveLength(0);
    expect(o.failures.map((t) => t.id)).toEqual([0, 1]);
  });

  it('asks warm starts first, then the initial design, then the optimizer', () => {
    const o = new RandomSearch(context({ warmStart: [new Array(27).fill(0)], initial: { design: 'random', n: 2 } }));
    expect(o.ask(4).map((t) => t.origin)).toEqual(['warm-start', 'initial', 'initial', 'optimizer']);
  });

  it('snaps every proposal onto the step grid', () => {
    const o = new RandomSearch(context());
    for (const t of o.ask(5)) for (const u of t.x) expect([0, 0.5, 1]).toContain(u);
  });

  it('never proposes a point that is pending or already observed', () => {
    const o = new Stubborn(context());
    const batch = o.ask(4);
    const keys = batch.map((t) => t.x.join());
    expect(new Set(keys).size).toBe(4);
    o.tell(0, { status: 'ok', value: 1 });
    const next = o.ask(1)[0];
    expect(keys).not.toContain(next.x.join());
  });

  it('replays a journal of asks and tells into the same state, then proposes the same next point', () => {
    const original = new RandomSearch(context({ initial: { design: 'random', n: 2 } }));
    const journal: Trial[][] = [original.ask(2), original.ask(3)];
    original.tell(0, { status: 'ok', value: 1 });
    const fresh = new RandomSearch(context({ initial: { design: 'random', n: 2 } }));
    for (const asked of journal) fresh.replayAsk(asked);
    fresh.tell(0, { status: 'ok', value: 1 });
    expect(fresh.ask(2)).toEqual(original.ask(2));
    expect([...fresh.pending.keys()]).toEqual([...original.pending.keys()]);
  });

  it('detects a journal that this configuration would not have produced', () => {
    const a = new RandomSearch(context());
    const asked = a.ask(1);
    const other = new Stubborn(context());
    expect(() => other.replayAsk(asked)).toThrow(ReplayMismatchError);
  });

  it('recommends the best observed point', () => {
    const o = new RandomSearch(context());
    const t = o.ask(3);
    o.tell(0, { status: 'ok', value: 1 });
    o.tell(1, { status: 'ok', value: 3 });
    o.tell(2, { status: 'failed', error: 'oom' });
    expect(o.recommend()).toEqual(t[1].x);
  });
});
