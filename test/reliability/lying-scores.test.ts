import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import type { Objective } from '../../src/objectives/types.js';
import { GaussianProcess } from '../../src/gp/gaussian-process.js';
import { readJournal, type TrialEvent } from '../../src/run/journal.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment, type RunResult } from '../../src/run/runner.js';
import { tempDir } from '../support/tmp.js';
import { recordFigures, scaled } from './scale.js';

/**
 * Scores that lie, put in front of a real objective (a benchmark function) and run through the
 * real run loop with gp-bo. The rule (docs/optimizers.md, src/objectives/types.ts): a non-finite
 * value makes the trial failed, and failed trials stay out of the GP; finite values of any scale
 * are standardized before the GP sees them.
 */
const LIES: Record<string, (value: number, trial: number) => number> = {
  'NaN every third trial': (v, t) => (t % 3 === 2 ? NaN : v),
  '+Infinity every third trial': (v, t) => (t % 3 === 2 ? Infinity : v),
  '-Infinity every third trial': (v, t) => (t % 3 === 2 ? -Infinity : v),
  'NaN as the very first value': (v, t) => (t === 0 ? NaN : v),
  'the same value every time': () => 0.25,
  'values scaled by 1e30': (v) => v * 1e30,
  'values scaled by 1e-30': (v) => v * 1e-30,
  'values near ±1.7e308': (v, t) => (t % 2 === 0 ? 1.7e308 : -1.7e308) * (0.5 + 0.5 / (1 + Math.abs(v))),
  'one outlier of 1e300 among ordinary values': (v, t) => (t === 11 ? 1e300 : v),
};

const BUDGET = scaled(16, 40);

const EXPERIMENT = `seed: 4
space:
  preset: sd1-27
  step: 0.01
objective:
  kind: function
  function: levy
optimizer:
  kind: gp-bo
stop:
  budget: ${BUDGET}
`;

function lying(objective: Objective, lie: (value: number, trial: number) => number): Objective {
  return {
    kind: objective.kind,
    concurrency: objective.concurrency,
    evaluate: async (weights, context) => ({ value: lie((await objective.evaluate(weights, context)).value, context.trial) }),
  };
}

async function run(dir: string, lie: (value: number, trial: number) => number): Promise<RunResult> {
  const e = await loadAndHashExperiment(path.join(dir, 'exp.yaml'));
  return runExperiment(e, { progress: createProgress('none', new PassThrough()), wrapObjective: (o) => lying(o, lie) });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scores that lie, through the run loop with gp-bo', () => {
  for (const [name, lie] of Object.entries(LIES)) {
    it(`${name}: the run completes, non-finite values are failed trials, the GP only ever sees finite values`, async () => {
      const fits = vi.spyOn(GaussianProcess, 'fromHyperparameters');
      const dir = tempDir();
      writeFileSync(path.join(dir, 'exp.yaml'), `${EXPERIMENT}output:\n  dir: ${JSON.stringify(path.join(dir, 'runs'))}\n`);
      const result = await run(dir, lie);

      const trials = readJournal(path.join(result.runDir, 'journal.jsonl')).events.filter((e): e is TrialEvent => e.type === 'trial');
      const nonFinite = trials.filter((t) => !Number.isFinite(lie(1, t.id))).map((t) => t.id);
      expect(result).toMatchObject({ reason: 'budget', finished: BUDGET, failed: nonFinite.length });
      for (const t of trials) {
        if (nonFinite.includes(t.id)) expect(t).toMatchObject({ status: 'failed', error: expect.stringMatching(/non-finite value/) });
        else expect(Number.isFinite(t.value)).toBe(true);
      }
      expect(result.best === undefined || Number.isFinite(result.best.value)).toBe(true);

      expect(fits).toHaveBeenCalled();
      for (const [theta, x, y] of fits.mock.calls) {
        expect(x.rows).toBeLessThanOrEqual(BUDGET - nonFinite.length);
        expect([...y].every(Number.isFinite)).toBe(true);
        expect([...theta].every(Number.isFinite)).toBe(true);
      }
      for (const e of readJournal(path.join(result.runDir, 'journal.jsonl')).events) {
        if (e.type === 'ask') for (const t of e.trials) expect(t.x.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
      }

      // A resumed run reads the same verdicts back from the journal.
      const again = await run(dir, lie);
      expect(again).toMatchObject({ finished: BUDGET, failed: nonFinite.length, best: result.best });
      recordFigures('lying-scores', { lie: name, trials: BUDGET, failed: nonFinite.length, gp_fits: fits.mock.calls.length, non_finite_values_fed_to_gp: 0 });
    });
  }
});
