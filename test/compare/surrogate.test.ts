import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadAndHashExperiment, loadExperiment } from '../../src/config/load.js';
import { UserInputError } from '../../src/config/issues.js';
import { objectiveKind } from '../../src/objectives/kinds.js';
import { readRun, type RunData } from '../../src/report/run-data.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { Rng } from '../../src/util/rng.js';
import { writeTree } from '../support/tmp.js';

/** Noise of the source runs' evaluations: about 1/20 of the spread of their values. */
const NOISE = 2;
/** Four free variables: few enough for 50 evaluations to pin the landscape down. */
const SPACE = '{preset: sdxl-20, step: 0.01, freeze: {BASE: 0, IN00: 0.5, IN01: 0.5, IN02: 0.5, IN03: 0.5, IN04: 0.5, IN05: 0.5, IN06: 0.5, OUT00: 0.5, OUT01: 0.5, OUT02: 0.5, OUT03: 0.5, OUT04: 0.5, OUT05: 0.5, OUT06: 0.5, OUT07: 0.5}}';
const SOURCE = `seed: 9
space: ${SPACE}
objective: {kind: function, function: sphere, noise: ${NOISE}}
optimizer: {kind: random}
stop: {budget: 50}
`;
const surrogate = (from: string, extra = '', space = SPACE) => `seed: 1
space: ${space}
objective: {kind: surrogate, from: [${from}]${extra}}
optimizer: {kind: random}
stop: {budget: 10}
`;

async function build(file: string) {
  const exp = await loadExperiment(file);
  const objective = await objectiveKind('surrogate').create(exp.config.objective, { baseDir: exp.baseDir, rng: Rng.fromSeed(exp.config.seed), runDir: exp.baseDir, space: exp.space, log: () => {} });
  return { exp, objective };
}

describe('surrogate objective', () => {
  let root: string;
  let source: RunData;

  beforeAll(async () => {
    root = writeTree({ 'source.yaml': SOURCE });
    const exp = await loadAndHashExperiment(path.join(root, 'source.yaml'));
    exp.config.output.dir = path.join(root, 'runs');
    source = readRun((await runExperiment(exp, { progress: createProgress('none', process.stdout) })).runDir);
  });

  it('answers with the GP posterior mean, which matches the training evaluations within their noise', async () => {
    const file = path.join(root, 'surrogate.yaml');
    writeFileSync(file, surrogate(`runs/${path.basename(source.dir)}`));
    const { objective } = await build(file);
    const residuals: number[] = [];
    for (const t of source.trials) {
      const { value, details } = await objective.evaluate(t.weights, { trial: t.id, signal: new AbortController().signal, runDir: root });
      expect(value).toBe((details as { posterior_mean: number }).posterior_mean);
      residuals.push(value - t.value!);
    }
    expect(Math.max(...residuals.map(Math.abs))).toBeLessThan(3 * NOISE);
    expect(Math.sqrt(residuals.reduce((s, r) => s + r * r, 0) / residuals.length)).toBeLessThan(NOISE);
  });

  it('with noise: adds the noise the fit found in the data, drawn from the seed and the trial', async () => {
    const file = path.join(root, 'noisy.yaml');
    writeFileSync(file, surrogate(`runs/${path.basename(source.dir)}`, ', noise: true'));
    const { objective } = await build(file);
    const w = source.trials[0].weights;
    const at = (trial: number) => objective.evaluate(w, { trial, signal: new AbortController().signal, runDir: root });
    expect((await at(3)).value).toBe((await at(3)).value);
    const deviations: number[] = [];
    for (let trial = 0; trial < 200; trial++) {
      const { value, details } = await at(trial);
      deviations.push(value - (details as { posterior_mean: number }).posterior_mean);
    }
    const sd = Math.sqrt(deviations.reduce((s, d) => s + d * d, 0) / deviations.length);
    expect(sd).toBeGreaterThan(NOISE / 2);
    expect(sd).toBeLessThan(NOISE * 2);
  });

  it('enters the run hash by its evaluations, not by where the runs are', async () => {
    writeFileSync(path.join(root, 'a.yaml'), surrogate(`runs/${path.basename(source.dir)}`));
    const original = (await loadAndHashExperiment(path.join(root, 'a.yaml'))).hash;
    const moved = path.join(root, 'archive', 'old-run');
    cpSync(source.dir, moved, { recursive: true });
    writeFileSync(path.join(root, 'b.yaml'), surrogate('archive/old-run'));
    expect((await loadAndHashExperiment(path.join(root, 'b.yaml'))).hash).toBe(original);
    const journal = path.join(moved, 'journal.jsonl');
    const value = String(source.trials[5].value);
    writeFileSync(journal, readFileSync(journal, 'utf8').replace(value, String(source.trials[5].value! + 1)));
    expect((await loadAndHashExperiment(path.join(root, 'b.yaml'))).hash).not.toBe(original);
  });

  it('refuses a missing run directory, located in the experiment', async () => {
    const file = path.join(root, 'missing.yaml');
    writeFileSync(file, surrogate('runs/nope'));
    await expect(loadExperiment(file)).rejects.toThrow(/missing\.yaml:3:\d+: objective\.from\[0\]: .*nope: not a readable run directory/);
  });

  it('refuses an experiment over another space than the runs searched', async () => {
    const file = path.join(root, 'other.yaml');
    writeFileSync(file, surrogate(`runs/${path.basename(source.dir)}`, '', '{preset: sdxl-20, step: 0.01}'));
    await expect(build(file)).rejects.toThrow(UserInputError);
    await expect(build(file)).rejects.toThrow(/searched another space than this experiment/);
  });

  it('runs a whole experiment, and a resumed or repeated run sees the same values', async () => {
    const file = path.join(root, 'whole.yaml');
    writeFileSync(file, surrogate(`runs/${path.basename(source.dir)}`));
    const values: number[][] = [];
    for (const out of ['r1', 'r2']) {
      const exp = await loadAndHashExperiment(file);
      exp.config.output.dir = path.join(root, out);
      const r = await runExperiment(exp, { progress: createProgress('none', process.stdout) });
      expect(r.finished).toBe(10);
      values.push(readRun(r.runDir).trials.map((t) => t.value!));
    }
    expect(values[1]).toEqual(values[0]);
    expect(readdirSync(path.join(root, 'r1'))).toHaveLength(1);
  });
});
