import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError, createOptimizer, defineSpace, loadExperiment, readBestRecipe, readRun, runExperiment, validateExperiment, type RunEvent } from '../../src/index.js';
import { tempDir } from '../support/tmp.js';

const EXPERIMENT = (dir: string) => `seed: 11
space:
  preset: sd1-26
  bounds: [0, 1]
  freeze: { BASE: 0 }
objective:
  kind: function
  function: levy
optimizer:
  kind: sobol
stop:
  budget: 12
output:
  dir: ${JSON.stringify(path.join(dir, 'runs'))}
`;

function experimentFile(): string {
  const dir = tempDir();
  const file = path.join(dir, 'exp.yaml');
  writeFileSync(file, EXPERIMENT(dir));
  return file;
}

describe('the library API', () => {
  it('runs an experiment, reporting each trial, and reads the run back', async () => {
    const events: RunEvent[] = [];
    const result = await runExperiment(await loadExperiment(experimentFile()), { onEvent: (e) => events.push(e) });
    expect(result.finished).toBe(12);
    expect(events.filter((e) => e.type === 'trial')).toHaveLength(12);
    const { trials } = readRun(result.runDir);
    expect(trials.map((t) => t.id)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(readBestRecipe(result.runDir).recipe.weights).toEqual(result.best!.weights);
  });

  it('proposes through createOptimizer what the run loop asks for the same space, kind, seed and budget', async () => {
    const result = await runExperiment(experimentFile());
    const asked = readRun(result.runDir).trials.map((t) => t.weights);
    const optimizer = createOptimizer(defineSpace({ preset: 'sd1-26', bounds: [0, 1], freeze: { BASE: 0 } }), { kind: 'sobol', seed: 11, budget: 12 });
    const proposed = optimizer.ask(12).map((p) => p.weights);
    expect(proposed).toEqual(asked);
  });

  it('stops a run when its signal aborts, and the run resumes to completion', async () => {
    const file = experimentFile();
    const controller = new AbortController();
    const first = await runExperiment(file, {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'trial' && e.finished === 3) controller.abort();
      },
    });
    expect(first.reason).toBe('interrupted');
    expect(first.finished).toBeLessThan(12);
    const second = await runExperiment(file);
    expect([second.resumed, second.finished]).toEqual([true, 12]);
  });

  it('takes failed trials in tell and recommends the best told point', () => {
    const space = defineSpace({ preset: 'sd1-26', bounds: [0, 1] });
    const optimizer = createOptimizer(space, { kind: 'random', seed: 1, budget: 3 });
    const [a, b, c] = optimizer.ask(3);
    optimizer.tell(a.id, 0.2);
    optimizer.tell(b.id, new Error('render failed'));
    optimizer.tell(c.id, 0.7);
    expect(optimizer.recommend()).toEqual(c.weights);
  });

  it('reports bad input as UserInputError: an unknown kind, bad options, a bad space, a bad file', async () => {
    const space = defineSpace({ preset: 'sd1-26', bounds: [0, 1] });
    expect(() => createOptimizer(space, { kind: 'optuna', budget: 5 })).toThrow(/unknown optimizer kind "optuna"; expected one of .*gp-bo/);
    expect(() => createOptimizer(space, { kind: 'gp-bo', budget: 5, options: { acquisition: 'nope' } })).toThrow(UserInputError);
    expect(() => defineSpace({ preset: 'sd9', bounds: [0, 1] })).toThrow(UserInputError);
    const file = path.join(tempDir(), 'bad.yaml');
    writeFileSync(file, 'seed: 1\nspace: {preset: sd1-26, bounds: [1, 0]}\n');
    expect((await validateExperiment(file)).length).toBeGreaterThan(0);
  });
});
