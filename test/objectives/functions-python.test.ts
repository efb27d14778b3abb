import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { JsonLinesWorker } from '../../bench/optimizers/json-lines-worker.js';
import { crossCheck, PYTHON } from '../../bench/optimizers/python.js';
import { BENCHMARK_FUNCTIONS, getBenchmarkFunction } from '../../src/objectives/functions/index.js';

const NAMES = Object.keys(BENCHMARK_FUNCTIONS);

describe.skipIf(!existsSync(PYTHON))('Python copy of the suite (bench/python/functions.py)', () => {
  const worker = new JsonLinesWorker('python', PYTHON, ['-B', 'bench/python/optuna_worker.py'], process.cwd());
  afterAll(() => worker.close());

  it.each([27, 3])('agrees with the TypeScript suite at d = %i', async (dim) => {
    const check = await crossCheck(worker, NAMES, dim);
    expect(check.points).toBe(100 * NAMES.length);
    expect(check.maxRelativeDifference).toBeLessThanOrEqual(1e-9);
  });
});

describe('cross-check', () => {
  it('aborts when the other implementation differs by more than 1e-9 relative', async () => {
    const fn = getBenchmarkFunction('levy', 27);
    const skewed = {
      request: async <R>(message: unknown) => {
        const { points } = message as { points: number[][] };
        return { values: points.map((x, i) => fn.evaluate(x) * (i === 42 ? 1 + 1e-8 : 1)) } as R;
      },
    };
    await expect(crossCheck(skewed, ['levy'], 27)).rejects.toThrow(/disagree on levy/);
  });
});
