import { describe, expect, it } from 'vitest';
import type { Optimizer } from '../../src/optimizers/types.js';
import { SearchSpace } from '../../src/space/space.js';
import { make, type Kind } from './support.js';

const A = [0.2, 0.2, 0.2];
const B = [0.8, 0.8, 0.8];

const near = (x: readonly number[], centre: readonly number[]) => x.every((v, i) => Math.abs(v - centre[i]) < 0.2);

/**
 * Centre A (told first, value 1), then one step of two neighbours of A plus B's late result.
 * `neighbours` gives the neighbours' outcomes (null = failed). Returns the next proposal.
 */
function stepWithLateB(opt: Optimizer, b: number, neighbours: [number | null, number | null]): readonly number[] {
  const [a, late] = opt.ask(2);
  opt.tell(a.id, { status: 'ok', value: 1 });
  const around = opt.ask(2);
  for (const [i, t] of around.entries()) {
    expect(near(t.x, A)).toBe(true);
    const v = neighbours[i];
    opt.tell(t.id, v === null ? { status: 'failed', error: 'crash' } : { status: 'ok', value: v });
  }
  opt.tell(late.id, { status: 'ok', value: b });
  return opt.ask(1)[0].x;
}

const climber = (kind: Kind, seed: number, options: Record<string, unknown> = {}) => make(kind, { dim: 3, seed, warmStart: [A, B] }, options);

describe('hill climbing', () => {
  it('moves to the best result of a step when it beats the centre, even one proposed earlier', () => {
    expect(near(stepWithLateB(climber('hill-climbing', 1), 5, [0, 0.5]), B)).toBe(true);
  });

  it('stays at the centre when the best result of the step is worse', () => {
    expect(near(stepWithLateB(climber('hill-climbing', 1), -5, [null, null]), A)).toBe(true);
  });

  it('decides only after n_neighbours results', () => {
    const opt = make('hill-climbing', { dim: 3, seed: 1, warmStart: [A, B] }, { n_neighbours: 4 });
    expect(near(stepWithLateB(opt, 5, [0, 0.5]), A)).toBe(true);
  });

  it('starts from the best of the initial design', () => {
    const opt = make('hill-climbing', { dim: 3, seed: 2, initial: { design: 'sobol', n: 6 } });
    const design = opt.ask(6);
    const best = design[4].x;
    for (const t of design) opt.tell(t.id, { status: 'ok', value: t === design[4] ? 1 : 0 });
    expect(opt.ask(3).every((t) => near(t.x, best))).toBe(true);
  });

  it('widens its step on a grid coarser than epsilon instead of falling back to random points', () => {
    const space = SearchSpace.fromConfig({ preset: 'sd1-27', bounds: [0, 1], step: 0.5 });
    const centre = new Array<number>(27).fill(0.5);
    const opt = make('hill-climbing', { space, seed: 4, warmStart: [centre] });
    opt.tell(opt.ask(1)[0].id, { status: 'ok', value: 1 });
    const neighbours = opt.ask(12);
    for (const t of neighbours) {
      const moved = t.x.filter((v, i) => v !== centre[i]).length;
      expect(moved).toBeGreaterThan(0);
      expect(moved).toBeLessThan(8);
    }
  });
});

/** Share of seeds in which a first worse step (loss exactly one typical loss) is accepted. */
function acceptanceRate(kind: Kind, options: Record<string, unknown>): number {
  let accepted = 0;
  const seeds = 1000;
  for (let seed = 0; seed < seeds; seed++) if (near(stepWithLateB(climber(kind, seed, options), -5, [null, null]), B)) accepted++;
  return accepted / seeds;
}

describe('stochastic hill climbing', () => {
  it('accepts a worse point with probability p_accept · 2 / (1 + e^loss)', () => {
    expect(acceptanceRate('stochastic-hill-climbing', { p_accept: 1 })).toBeCloseTo(2 / (1 + Math.E), 1);
    expect(acceptanceRate('stochastic-hill-climbing', { p_accept: 0.5 })).toBeCloseTo(1 / (1 + Math.E), 1);
  });

  it('never accepts a worse point with p_accept 0', () => {
    expect(acceptanceRate('stochastic-hill-climbing', { p_accept: 0 })).toBe(0);
  });
});

describe('simulated annealing', () => {
  it('accepts a worse point with the Metropolis probability e^(-loss/T)', () => {
    expect(acceptanceRate('simulated-annealing', { start_temp: 1 })).toBeCloseTo(Math.exp(-1), 1);
    expect(acceptanceRate('simulated-annealing', { start_temp: 0.25 })).toBeCloseTo(Math.exp(-4), 1);
  });

  it('cools by annealing_rate per step', () => {
    const opt = make('simulated-annealing', { dim: 2, seed: 1 }, { start_temp: 2, annealing_rate: 0.5, n_neighbours: 1 }) as unknown as Optimizer & { temperature: number };
    expect(opt.temperature).toBe(2);
    for (let i = 0; i < 4; i++) opt.tell(opt.ask(1)[0].id, { status: 'ok', value: -i });
    opt.ask(1);
    expect(opt.temperature).toBe(2 * 0.5 ** 3);
  });
});

describe('random-restart hill climbing', () => {
  const stall = (opt: Optimizer, steps: number) => {
    for (let s = 0; s < steps; s++) {
      const [t] = opt.ask(1);
      expect(near(t.x, A)).toBe(true);
      opt.tell(t.id, { status: 'ok', value: 0 });
    }
  };

  it('restarts from a uniform point after n_iter_restart steps without improvement, and climbs from there whatever its value', () => {
    const opt = make('random-restart-hill-climbing', { dim: 3, seed: 3, warmStart: [A] }, { n_neighbours: 1, n_iter_restart: 3 });
    opt.tell(opt.ask(1)[0].id, { status: 'ok', value: 1 });
    stall(opt, 3);
    const [restart] = opt.ask(1);
    opt.tell(restart.id, { status: 'ok', value: -100 });
    expect(near(opt.ask(1)[0].x, restart.x)).toBe(true);
    expect(opt.recommend()).toEqual(A);
  });

  it('keeps climbing while it has stalled for fewer steps', () => {
    const opt = make('random-restart-hill-climbing', { dim: 3, seed: 3, warmStart: [A] }, { n_neighbours: 1, n_iter_restart: 3 });
    opt.tell(opt.ask(1)[0].id, { status: 'ok', value: 1 });
    stall(opt, 2);
    expect(near(opt.ask(1)[0].x, A)).toBe(true);
  });
});
