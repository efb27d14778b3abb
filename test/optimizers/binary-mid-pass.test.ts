import { describe, expect, it } from 'vitest';
import type { Optimizer } from '../../src/optimizers/types.js';
import { make } from './support.js';

const bowl = (x: readonly number[]) => -((x[0] - 0.3) ** 2) - (x[1] - 0.8) ** 2;

/** Sequential ask/tell; returns the asked points in order. */
function asked(opt: Optimizer, f: (x: readonly number[]) => number | null, count: number): number[][] {
  const points: number[][] = [];
  for (let i = 0; i < count; i++) {
    const [t] = opt.ask(1);
    points.push([...t.x]);
    const v = f(t.x);
    opt.tell(t.id, v === null ? { status: 'failed', error: 'crash' } : { status: 'ok', value: v });
  }
  return points;
}

describe('binary-mid-pass', () => {
  it('halves each interval toward the winner of low/mid/high, carries the result to the next variable, and never re-asks a cached score', () => {
    expect(asked(make('binary-mid-pass', { dim: 2 }), bowl, 12)).toEqual([
      // x0 over 0, 0.1, …, 1: the middle wins, keep 0.2…0.7
      [0, 0.5], [0.5, 0.5], [1, 0.5],
      // 0.2 and 0.4 tie, the lower wins: keep 0.2, 0.3, 0.4 (both ends already scored)
      [0.2, 0.5], [0.4, 0.5], [0.7, 0.5],
      [0.3, 0.5],
      // x0 = 0.3 is carried; (0.3, 0.5) is cached. The upper wins: keep 0.5…1
      [0.3, 0], [0.3, 1],
      // middle 0.7 wins: keep 0.6, 0.7, 0.8; then 0.8 wins
      [0.3, 0.7], [0.3, 0.6], [0.3, 0.8],
    ]);
  });

  it('searches a group of variables at one shared value', () => {
    const points = make('binary-mid-pass', { dim: 3 }, { group_size: 2 }).ask(3).map((t) => t.x);
    expect(points).toEqual([[0, 0, 0.5], [0.5, 0.5, 0.5], [1, 1, 0.5]]);
  });

  it('starts from the best observation', () => {
    const opt = make('binary-mid-pass', { dim: 2, warmStart: [[0.9, 0.1], [0.3, 0.7]] });
    const [a, b] = opt.ask(2);
    opt.tell(a.id, { status: 'ok', value: 0 });
    opt.tell(b.id, { status: 'ok', value: 1 });
    expect(opt.ask(3).map((t) => t.x)).toEqual([[0, 0.7], [0.5, 0.7], [1, 0.7]]);
  });

  it('scores a failed point as the worst, so the search moves away from it', () => {
    const opt = make('binary-mid-pass', { dim: 2 });
    const points = asked(opt, (x) => (x[0] === 1 ? null : x[0]), 6);
    expect(points.slice(3).every((x) => x[0] <= 0.7)).toBe(true);
  });

  it('refines the grid once a pass needs no new evaluation, and stays on grid points', () => {
    const points = asked(make('binary-mid-pass', { dim: 2 }), bowl, 60);
    const onGrid = (intervals: number) => (x: number[]) => x.every((v) => Math.abs(v * intervals - Math.round(v * intervals)) < 1e-9);
    expect(points.slice(0, 12).every(onGrid(10))).toBe(true);
    expect(points.every(onGrid(10 * 2 ** 6))).toBe(true);
    expect(points.some((x) => !onGrid(10)(x))).toBe(true);
  });

  it('fills the slots of a parallel ask it cannot use yet with random points', () => {
    const trials = make('binary-mid-pass', { dim: 2 }).ask(5);
    expect(trials.slice(0, 3).map((t) => t.x)).toEqual([[0, 0.5], [0.5, 0.5], [1, 0.5]]);
    expect(trials.slice(3).every((t) => t.x.every((v) => v !== 0.5))).toBe(true);
  });

});
