import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { tempDir } from '../support/tmp.js';
import { recordFigures } from './scale.js';

/**
 * A budget is a number from a config file, and optimizers size schedules and designs by it. A
 * long budget (20,000) or one no run will reach (10^15) must cost little up front: the run starts
 * at once and stops at its time limit.
 */
describe.each([20_000, 1e15])('every optimizer with a budget of %d', (BUDGET) => {
  for (const kind of Object.keys(OPTIMIZERS)) {
    it(`${kind} starts at once and stops at the time limit`, async () => {
      const dir = tempDir('autombw-huge-');
      const file = path.join(dir, 'exp.yaml');
      writeFileSync(
        file,
        `seed: 1\nspace:\n  preset: sd1-27\nobjective:\n  kind: function\n  function: sphere\n  delay: 0.01\noptimizer:\n  kind: ${kind}\nstop:\n  budget: ${BUDGET}\n  time_limit: 0.2s\noutput:\n  dir: ${JSON.stringify(path.join(dir, 'runs'))}\n`,
      );
      const started = performance.now();
      const result = await runExperiment(await loadAndHashExperiment(file), { progress: createProgress('none', new PassThrough()) });
      const seconds = (performance.now() - started) / 1000;
      expect(result.reason).toBe('time-limit');
      expect(result.finished).toBeGreaterThan(0);
      expect(seconds).toBeLessThan(5);
      recordFigures('huge-budgets', { optimizer: kind, budget: BUDGET, seconds: Math.round(seconds * 100) / 100, trials: result.finished });
    });
  }
});
