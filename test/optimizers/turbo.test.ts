import { describe, expect, it, vi } from 'vitest';
import { TrustRegion, trustRegionBox, type TrustRegionSettings } from '../../src/optimizers/trust-region.js';
import { createOptimizer } from '../../src/optimizers/registry.js';
import { Turbo } from '../../src/optimizers/turbo.js';
import type { Optimizer } from '../../src/optimizers/types.js';
import { context, optionsSchema, replay, resolvedOptions, run, type ContextSpec, type JournalEvent, parallelRun as parallelJournal } from './support.js';

const SETTINGS: TrustRegionSettings = { initial: 0.8, min: 0.1, max: 1.6, successTolerance: 3, failureTolerance: 4 };

describe('trust region schedule', () => {
  it('doubles its side after three consecutive improvements, up to the maximum', () => {
    const region = new TrustRegion(SETTINGS);
    region.record(0, false);
    for (const v of [1, 2, 3]) region.record(v, true);
    expect(region.length).toBe(1.6);
    for (const v of [4, 5, 6]) region.record(v, true);
    expect(region.length).toBe(1.6);
  });

  it('halves its side after four consecutive failures, and a success resets the count', () => {
    const region = new TrustRegion(SETTINGS);
    region.record(10, false);
    for (const v of [1, 2, 3]) region.record(v, true);
    region.record(11, true);
    for (const v of [1, 2, 3]) region.record(v, true);
    expect(region.length).toBe(0.8);
    region.record(4, true);
    expect(region.length).toBe(0.4);
  });

  it('counts a gain below 1e-3 of the best value as a failure', () => {
    const region = new TrustRegion({ ...SETTINGS, failureTolerance: 1 });
    region.record(1000, false);
    region.record(1000.5, true);
    expect(region.length).toBe(0.4);
  });

  it('restarts at the initial side once it shrinks below the minimum', () => {
    const region = new TrustRegion({ ...SETTINGS, failureTolerance: 1 });
    region.record(10, false);
    const lengths = [1, 2, 3, 4].map((v) => {
      region.record(v, true);
      return region.length;
    });
    expect(lengths).toEqual([0.4, 0.2, 0.1, 0.8]);
  });

  it('counts the first value as an improvement when no design value came before it', () => {
    const region = new TrustRegion({ ...SETTINGS, successTolerance: 1, failureTolerance: 1 });
    region.record(-5, true);
    expect(region.length).toBe(1.6);
  });

  it('ignores results of the initial design for the schedule', () => {
    const region = new TrustRegion({ ...SETTINGS, failureTolerance: 1 });
    for (const v of [3, 2, 1]) region.record(v, false);
    expect(region.length).toBe(0.8);
  });
});

describe('trust region box', () => {
  it('is a cube of the given side around the centre when all lengthscales are equal', () => {
    const box = trustRegionBox([0.5, 0.5], [0.3, 0.3], 0.4);
    expect(Array.from(box.lower)).toEqual([expect.closeTo(0.3, 14), expect.closeTo(0.3, 14)]);
    expect(Array.from(box.upper)).toEqual([expect.closeTo(0.7, 14), expect.closeTo(0.7, 14)]);
  });

  it('stretches along long lengthscales, keeping the volume, and clips to the unit cube', () => {
    const box = trustRegionBox([0.5, 0.1], [Math.log(4), Math.log(1)], 0.4);
    // Weights 2 and 1/2 (geometric mean 1): sides 0.8 and 0.2.
    expect(box.upper[0] - box.lower[0]).toBeCloseTo(0.8, 14);
    expect(box.lower[1]).toBe(0);
    expect(box.upper[1]).toBeCloseTo(0.2, 14);
  });
});

const make = (spec: ContextSpec, options: Record<string, unknown> = {}): Optimizer => createOptimizer('turbo', context(spec), resolvedOptions('turbo', options));
const sphere = (x: readonly number[]) => -x.reduce((s, v, i) => s + (v - 0.3 - 0.1 * i) ** 2, 0);

const parallelRun = (opt: Optimizer, asks: number): JournalEvent[] => parallelJournal(opt, asks, sphere, { seed: 'turbo-parallel', maxBatch: 2, keepPending: 1, fails: (id) => id % 6 === 5 });

const SPEC: ContextSpec = { dim: 4, seed: 3, budget: 40, initial: { design: 'sobol', n: 5 } };

describe('turbo', () => {
  it('gives every option a default and a description', () => {
    const schema = optionsSchema('turbo') as { additionalProperties: boolean; properties: Record<string, Record<string, unknown>> };
    expect(schema.additionalProperties).toBe(false);
    for (const [name, option] of Object.entries(schema.properties)) {
      expect(option, name).toHaveProperty('default');
      expect(typeof option.description, name).toBe('string');
    }
    expect(resolvedOptions('turbo')).toMatchObject({ length_init: 0.8, success_tolerance: 3, failure_tolerance: null });
  });

  it('replays a journal into the same trust region: the next proposals are identical', () => {
    const original = make(SPEC, { failure_tolerance: 2 });
    const events = parallelRun(original, 14);
    const resumed = make(SPEC, { failure_tolerance: 2 });
    const propose = vi.spyOn(Turbo.prototype as unknown as { propose: () => unknown }, 'propose');
    replay(resumed, events);
    expect(propose).not.toHaveBeenCalled();
    propose.mockRestore();
    expect(resumed.ask(2)).toEqual(original.ask(2));
  });

  it('proposes inside a trust region around the best point that halves with every failure', () => {
    const opt = make({ dim: 3, seed: 8, initial: { design: 'sobol', n: 6 } }, { length_init: 0.4, failure_tolerance: 1 });
    // Flat scores: no proposal ever improves, and every observation ties for best (the first wins ties).
    run(opt, () => 0, 6);
    const centre = opt.observations[0].trial.x;
    for (const length of [0.4, 0.2, 0.1]) {
      const [t] = opt.ask(1);
      opt.tell(t.id, { status: 'ok', value: 0 });
      const box = trustRegionBox(centre, (t.meta as { gp: number[] }).gp.slice(0, 3), length);
      t.x.forEach((u, i) => {
        expect(u).toBeGreaterThanOrEqual(box.lower[i] - 1e-6);
        expect(u).toBeLessThanOrEqual(box.upper[i] + 1e-6);
      });
    }
  });

});
