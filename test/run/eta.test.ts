import { describe, expect, it } from 'vitest';
import { estimateRemaining, type AskTime } from '../../src/run/eta.js';

/** Asks of one trial each for trials [from, to), the optimizer taking `secondsAt(id)` for trial `id`. */
const asks = (from: number, to: number, secondsAt: (id: number) => number): AskTime[] =>
  Array.from({ length: to - from }, (_, i) => ({ firstTrial: from + i, count: 1, seconds: secondsAt(from + i) }));

describe('the ETA of a run', () => {
  it('projects a time per proposal that grows with the trials, apart from the evaluation time', () => {
    // 50 of 150 trials done, 0.1 s of evaluation each, the optimizer taking 0.01·id s for trial id:
    // 100 × 0.1 s to evaluate plus Σ 0.01·id for ids 50…149 (99.5 s) to propose. The session's
    // average time per trial (17.25 s / 50) would say 34.5 s.
    const history = asks(0, 50, (id) => 0.01 * id);
    const elapsed = 50 * 0.1 + history.reduce((s, a) => s + a.seconds, 0);
    const eta = estimateRemaining({ elapsed, finished: 50, remaining: 100, issued: 50, toPropose: 100, asks: history });
    expect(eta).toBeCloseTo(109.5, 9);
  });

  it('is the session time per trial times the trials left when proposals take constant time', () => {
    const history = asks(0, 20, () => 0.5);
    const eta = estimateRemaining({ elapsed: 20 * 2.5, finished: 20, remaining: 30, issued: 20, toPropose: 30, asks: history });
    expect(eta).toBeCloseTo(30 * 2.5, 9);
  });

  it('counts no proposal time for trials already asked (in flight), only their evaluation', () => {
    const history = asks(0, 12, () => 1);
    const eta = estimateRemaining({ elapsed: 10 * 1 + 12 * 1, finished: 10, remaining: 2, issued: 12, toPropose: 0, asks: history });
    expect(eta).toBeCloseTo(2 * 1, 9);
  });

  it('is unknown before a trial finished, and 0 once none is left', () => {
    expect(estimateRemaining({ elapsed: 3, finished: 0, remaining: 10, issued: 2, toPropose: 8, asks: asks(0, 2, () => 0.1) })).toBeNaN();
    expect(estimateRemaining({ elapsed: 3, finished: 4, remaining: 0, issued: 4, toPropose: 0, asks: asks(0, 4, () => 0.1) })).toBe(0);
  });
});
