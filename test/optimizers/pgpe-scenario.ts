import type { Trial } from '../../src/optimizers/types.js';
import { make, parallelRun } from './support.js';

/**
 * A PGPE run that exercises every path of the update: both centre rules, a warm start and an
 * initial design, reflection at the faces (wide σ), failures, and results told out of order.
 * Its proposals are recorded in test/fixtures/optimizers/pgpe-proposals.json.
 */
export function pgpeScenario(): Record<string, Trial[]> {
  const f = (x: readonly number[]) => -x.reduce((s, v, i) => s + (v - 0.2 - 0.1 * i) ** 2, 0) + Math.cos(9 * x[0]);
  const runs: Record<string, Trial[]> = {};
  for (const optimizer of ['clipup', 'adam']) {
    for (const stdev_init of [0.1, 0.3]) {
      const opt = make('pgpe', { dim: 6, seed: 5, warmStart: [[0.9, 0.1, 0.5, 0.5, 0.2, 0.8]], initial: { design: 'sobol', n: 3 } }, { optimizer, stdev_init });
      const events = parallelRun(opt, 40, f, { seed: 'pgpe-scenario', maxBatch: 5, keepPending: 3, fails: (id) => id % 9 === 4 });
      runs[`${optimizer}, stdev_init ${stdev_init}`] = events.flatMap((e) => ('ask' in e ? e.ask : []));
    }
  }
  return runs;
}
