import { describe, expect, it } from 'vitest';
import { TimeBudget } from '../../src/runtime/time-budget.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('TimeBudget', () => {
  it('aborts once its running time reaches the limit', async () => {
    const budget = new TimeBudget(40);
    budget.start();
    await sleep(80);
    expect(budget.signal.aborted).toBe(true);
  });

  it('does not count the time it is paused', async () => {
    const budget = new TimeBudget(200);
    budget.start();
    await sleep(50);
    budget.pause();
    await sleep(300);
    expect(budget.signal.aborted).toBe(false);
    budget.start();
    await sleep(250);
    expect(budget.signal.aborted).toBe(true);
  });
});
