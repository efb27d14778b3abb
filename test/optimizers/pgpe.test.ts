import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { centredRanks, defaultPopulation, Pgpe } from '../../src/optimizers/pgpe.js';
import type { Trial } from '../../src/optimizers/types.js';
import { pgpeScenario } from './pgpe-scenario.js';
import { make } from './support.js';

interface Meta {
  generation: number;
  pair: number;
  sign: number;
  eps: number[];
}

const pgpe = (options: Record<string, unknown> = {}, warmStart: number[][] = []) => make('pgpe', { dim: 4, seed: 11, warmStart }, options) as Pgpe;
const meta = (t: Trial) => t.meta as unknown as Meta;

/** Asks one generation and tells it f (null = failure). */
function generation(opt: Pgpe, f: (x: readonly number[]) => number | null): Trial[] {
  const trials = opt.ask(opt.population);
  for (const t of trials) {
    const v = f(t.x);
    opt.tell(t.id, v === null ? { status: 'failed', error: 'crash' } : { status: 'ok', value: v });
  }
  return trials;
}

describe('pgpe', () => {
  it('samples mirrored pairs around the centre and journals the perturbation', () => {
    const trials = pgpe().ask(8);
    expect(trials.map((t) => [meta(t).generation, meta(t).pair, meta(t).sign])).toEqual([
      [0, 0, 1], [0, 0, -1], [0, 1, 1], [0, 1, -1], [0, 2, 1], [0, 2, -1], [0, 3, 1], [0, 3, -1],
    ]);
    for (let k = 0; k < 8; k += 2) {
      const [plus, minus] = [trials[k], trials[k + 1]];
      expect(meta(minus).eps).toEqual(meta(plus).eps);
      plus.x.forEach((v, i) => {
        expect(v).toBeCloseTo(0.5 + meta(plus).eps[i], 12);
        expect(v + minus.x[i]).toBeCloseTo(1, 12);
      });
    }
  });

  it('reflects samples that leave the cube, keeping the drawn perturbation in the journal', () => {
    const corner = [0.05, 0.05, 0.95, 0.95];
    const opt = pgpe({ stdev_init: 0.3 }, [corner]);
    opt.tell(opt.ask(1)[0].id, { status: 'ok', value: 0 });
    const trials = opt.ask(opt.population * 3);
    let reflected = 0;
    for (const t of trials) {
      const { sign, eps } = meta(t);
      t.x.forEach((v, i) => {
        const raw = corner[i] + sign * eps[i];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        const expected = raw < 0 ? -raw : raw > 1 ? 2 - raw : raw;
        expect(v).toBeCloseTo(expected, 12);
        if (raw < 0 || raw > 1) reflected++;
      });
    }
    expect(reflected).toBeGreaterThan(10);
  });

  it('starts from the best observation, else the centre of the cube', () => {
    const best = [0.3, 0.6, 0.2, 0.9];
    const opt = pgpe({}, [[0.1, 0.1, 0.1, 0.1], best]);
    const [a, b] = opt.ask(2);
    opt.tell(a.id, { status: 'ok', value: 0 });
    opt.tell(b.id, { status: 'ok', value: 1 });
    opt.ask(1);
    expect(opt.center).toEqual(best);
    const fresh = pgpe();
    fresh.ask(1);
    expect(fresh.center).toEqual([0.5, 0.5, 0.5, 0.5]);
  });

  it('moves the centre uphill once a generation is told', () => {
    for (const optimizer of ['clipup', 'adam']) {
      const opt = pgpe({ optimizer });
      generation(opt, (x) => x[0]);
      const shift = opt.center!.map((m) => m - 0.5);
      expect(shift[0], optimizer).toBeGreaterThan(0.02);
      for (const s of shift.slice(1)) expect(Math.abs(s), optimizer).toBeLessThan(shift[0]);
    }
  });

  it('keeps a ClipUp step within max_speed', () => {
    const opt = pgpe({ max_speed: 0.01 });
    for (let g = 0; g < 3; g++) generation(opt, (x) => x[0] + x[1]);
    expect(Math.hypot(...opt.center!.map((m) => m - 0.5))).toBeLessThanOrEqual(0.03 + 1e-12);
  });

  it('widens a coordinate whose wider samples rank better, and narrows one whose narrower samples do, by at most stdev_max_change', () => {
    const wider = pgpe();
    generation(wider, (x) => Math.abs(x[0] - 0.5));
    expect(wider.stdev[0]).toBeGreaterThan(0.1);
    expect(wider.stdev[0]).toBeLessThanOrEqual(0.1 * 1.2 + 1e-12);
    const narrower = pgpe();
    generation(narrower, (x) => -Math.abs(x[0] - 0.5));
    expect(narrower.stdev[0]).toBeLessThan(0.1);
    expect(narrower.stdev[0]).toBeGreaterThanOrEqual(0.1 * 0.8 - 1e-12);
  });

  it('drops a pair with a failed sample; a generation without a complete pair changes nothing', () => {
    const opt = pgpe();
    generation(opt, (x) => (x[0] > 0.5 ? null : x[1]));
    expect(opt.center).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(opt.stdev).toEqual([0.1, 0.1, 0.1, 0.1]);
    generation(opt, (x) => x[1]);
    expect(opt.center![1]).toBeGreaterThan(0.5);
  });

  it('opens the next generation from the current distribution when asked for more than one', () => {
    const trials = pgpe().ask(12);
    expect(trials.map((t) => meta(t).generation)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('updates from a generation when its last sample is told, whatever the order', () => {
    const opt = pgpe();
    const trials = opt.ask(opt.population).reverse();
    for (const [i, t] of trials.entries()) {
      expect(opt.center).toEqual([0.5, 0.5, 0.5, 0.5]);
      opt.tell(t.id, { status: 'ok', value: t.x[2] });
      if (i < trials.length - 1) expect(opt.stdev).toEqual([0.1, 0.1, 0.1, 0.1]);
    }
    opt.ask(1);
    expect(opt.center![2]).toBeGreaterThan(0.5);
  });

  it('proposes, bit for bit, the points recorded from the implementation before its rewrite on ml-matrix', () => {
    const recorded = JSON.parse(readFileSync(new URL('../fixtures/optimizers/pgpe-proposals.json', import.meta.url), 'utf8')) as Record<string, Trial[]>;
    expect(JSON.parse(JSON.stringify(pgpeScenario()))).toEqual(recorded);
  });

  it('sizes the population 4 + ⌊3 ln d⌋, even, within [8, 16]', () => {
    expect([2, 5, 10, 27, 1000].map(defaultPopulation)).toEqual([8, 8, 10, 14, 16]);
    expect(pgpe({ population: 6 }).population).toBe(6);
  });
});

describe('centred ranks', () => {
  it('maps values to ranks spread evenly over [-0.5, 0.5]', () => {
    expect(centredRanks([3, 1, 2])).toEqual([0.5, -0.5, 0]);
    expect(centredRanks([10, -4, 7, 100, 0])).toEqual([0.25, -0.5, 0, 0.5, -0.25]);
  });

  it('gives tied values their mean rank', () => {
    expect(centredRanks([1, 1, 2])).toEqual([-0.25, -0.25, 0.5]);
  });
});
