import { describe, expect, it } from 'vitest';
import { getBenchmarkFunction } from '../../src/objectives/functions/index.js';
import { pointKey } from '../../src/optimizers/base.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import type { Optimizer, Trial } from '../../src/optimizers/types.js';
import { SearchSpace } from '../../src/space/space.js';
import { KINDS, make, optionsSchema, replay, resolvedOptions, run, type ContextSpec, type JournalEvent, type Kind, parallelRun as parallelJournal } from './support.js';

const sphere = (x: readonly number[]) => -x.reduce((s, v, i) => s + (v - 0.3 - 0.05 * i) ** 2, 0);

const parallelRun = (opt: Optimizer, asks: number, f: (x: readonly number[]) => number = sphere): JournalEvent[] => parallelJournal(opt, asks, f, { seed: 'parallel-run', maxBatch: 3, keepPending: 2, fails: (id) => id % 7 === 3 });

function askedTrials(events: readonly JournalEvent[]): Trial[] {
  return events.flatMap((e) => ('ask' in e ? e.ask : []));
}

const SPEC: ContextSpec = { dim: 5, seed: 7, budget: 40, initial: { design: 'sobol', n: 4 } };

describe.each(KINDS)('%s', (kind) => {
  it('is registered, and its schema gives every option a default and a description', () => {
    expect(OPTIMIZERS[kind]).toBeDefined();
    const schema = optionsSchema(kind) as { additionalProperties: boolean; properties: Record<string, Record<string, unknown>> };
    expect(schema.additionalProperties).toBe(false);
    for (const [name, option] of Object.entries(schema.properties)) {
      expect(option, name).toHaveProperty('default');
      expect(typeof option.description, name).toBe('string');
    }
    expect(() => resolvedOptions(kind, { no_such_option: 1 })).toThrow();
  });

  it('proposes the same points for the same seed and the same results', () => {
    const a = askedTrials(parallelRun(make(kind, SPEC), 20));
    const b = askedTrials(parallelRun(make(kind, SPEC), 20));
    expect(b).toEqual(a);
  });

  it.skipIf(kind === 'binary-mid-pass')('proposes different points for another seed', () => {
    const a = askedTrials(parallelRun(make(kind, SPEC), 20));
    const b = askedTrials(parallelRun(make(kind, { ...SPEC, seed: 8 }), 20));
    expect(b.map((t) => pointKey(t.x))).not.toEqual(a.map((t) => pointKey(t.x)));
  });

  it('replays a journal into the same state: the next proposals are identical', () => {
    const original = make(kind, SPEC);
    const events = parallelRun(original, 25);
    const resumed = make(kind, SPEC);
    replay(resumed, events);
    expect([...resumed.pending.keys()]).toEqual([...original.pending.keys()]);
    expect(resumed.ask(3)).toEqual(original.ask(3));
    expect(resumed.recommend()).toEqual(original.recommend());
  });

  it('never proposes a point that is pending, observed, or earlier in the same batch', () => {
    const opt = make(kind, SPEC);
    const trials = askedTrials(parallelRun(opt, 20));
    trials.push(...opt.ask(6));
    expect(new Set(trials.map((t) => pointKey(t.x))).size).toBe(trials.length);
  });

  it('stays on the quantization grid of a stepped space, inside every range', () => {
    const space = SearchSpace.fromConfig({ preset: 'sdxl-20', bounds: [-0.5, 1.5], step: 0.25, ranges: { IN00: { min: 0, max: 1, step: 0.1 } } });
    const opt = make(kind, { space, seed: 3, budget: 60, initial: { design: 'lhs', n: 5 } });
    const trials = askedTrials(parallelRun(opt, 30, (x) => sphere(x.slice(0, 5))));
    expect(trials.length).toBeGreaterThan(40);
    for (const t of trials) {
      expect(space.snap(t.x)).toEqual(t.x);
      space.variables.forEach((v, i) => {
        const w = space.valueOf(i, t.x[i]);
        expect(w).toBeGreaterThanOrEqual(v.min);
        expect(w).toBeLessThanOrEqual(v.max);
        expect(Math.abs((w - v.min) / v.step! - Math.round((w - v.min) / v.step!))).toBeLessThan(1e-9);
      });
    }
    expect(new Set(trials.map((t) => pointKey(t.x))).size).toBe(trials.length);
  });
});

/**
 * Best value found, averaged over seeds, against random search with the same budget. Space-filling
 * designs only beat random search by covering the space more evenly, which shows at a few
 * dimensions and small budgets; the searching optimizers get a 10-D sphere.
 */
const COMPARISONS: Array<{ kind: Kind; dim: number; budget: number; seeds: number; initial: number }> = [
  { kind: 'sobol', dim: 3, budget: 16, seeds: 80, initial: 0 },
  { kind: 'lhs', dim: 3, budget: 16, seeds: 80, initial: 0 },
  { kind: 'hill-climbing', dim: 10, budget: 100, seeds: 5, initial: 4 },
  { kind: 'stochastic-hill-climbing', dim: 10, budget: 100, seeds: 5, initial: 4 },
  { kind: 'simulated-annealing', dim: 10, budget: 100, seeds: 5, initial: 4 },
  { kind: 'random-restart-hill-climbing', dim: 10, budget: 100, seeds: 5, initial: 4 },
  { kind: 'pgpe', dim: 10, budget: 100, seeds: 5, initial: 0 },
  { kind: 'cma-es', dim: 10, budget: 100, seeds: 5, initial: 0 },
  { kind: 'binary-mid-pass', dim: 10, budget: 100, seeds: 5, initial: 0 },
];

describe.each(COMPARISONS)('$kind on a shifted $dim-D sphere, $budget evaluations', ({ kind, dim, budget, seeds, initial }) => {
  it('finds better points than random search on average', () => {
    const f = getBenchmarkFunction('sphere', dim);
    const meanBest = (k: Kind) => {
      let total = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        const opt = make(k, { dim, seed, budget, initial: { design: 'sobol', n: k === 'random' ? 0 : initial } });
        total += run(opt, (x) => f.evaluate(x), budget);
      }
      return total / seeds;
    };
    expect(meanBest(kind)).toBeGreaterThan(meanBest('random'));
  });
});
