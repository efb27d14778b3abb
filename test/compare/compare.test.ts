import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCompareConfig } from '../../src/compare/config.js';
import { readManifest } from '../../src/compare/manifest.js';
import { planComparison } from '../../src/compare/plan.js';
import { runComparison, type CompareResult } from '../../src/compare/runner.js';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { UserInputError } from '../../src/config/issues.js';
import { createProgress, type ProgressReporter } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { writeTree } from '../support/tmp.js';
import { HAVE_SCIPY, python } from './scipy.js';

const EXPERIMENT = `seed: 0
space:
  preset: sd1-27
  step: 0.01
objective:
  kind: function
  function: rastrigin
  noise: 0.3
optimizer:
  kind: random
stop:
  budget: 50
`;

const COMPARE = (dir: string) => `name: three optimizers
experiment: experiment.yaml
seeds: [11, 12, 13]
budget: 24
checkpoints: [8]
threshold: -150
optimizers:
  random: {kind: random}
  sobol: {kind: sobol}
  hill: {kind: hill-climbing, options: {epsilon: 0.1}}
output: {dir: ${JSON.stringify(dir)}, progress: none}
`;

const quiet = (): ProgressReporter => createProgress('none', process.stdout);

/** Values of a run's finished trials in journal order, read straight from the file. */
function journalValues(runDir: string): Array<number | null> {
  return readFileSync(path.join(runDir, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((e) => e.type === 'trial')
    .map((e) => (e.status === 'ok' ? e.value : null));
}

describe('compare on function objectives', () => {
  let root: string;
  let result: CompareResult;
  let finals: Record<string, number[]>;

  beforeAll(async () => {
    root = writeTree({ 'experiment.yaml': EXPERIMENT });
    const file = path.join(root, 'compare.yaml');
    writeFileSync(file, COMPARE(path.join(root, 'out')));
    const config = loadCompareConfig(file);
    result = await runComparison(config, await planComparison(config), { progress: quiet });
    const manifest = readManifest(result.dir);
    finals = {};
    for (const r of manifest.runs) {
      const values = journalValues(path.join(result.dir, r.dir)).slice(0, 24);
      (finals[r.variant] ??= []).push(Math.max(...values.filter((v): v is number => v !== null)));
    }
  });

  it('runs every optimizer on every seed to the budget', () => {
    expect(result.runs).toHaveLength(9);
    expect(result.runs.every((r) => r.result.finished === 24 && r.result.reason === 'budget')).toBe(true);
    expect(result.seeds).toEqual([11, 12, 13]);
  });

  it('medians of the best value at the budget match the journals', () => {
    for (const v of result.statistics.variants) {
      const sorted = [...finals[v.name]].sort((a, b) => a - b);
      expect(v.atBudget!.median).toBe(sorted[1]);
    }
  });

  it.skipIf(!HAVE_SCIPY)('quartiles match numpy on the journals\' values', () => {
    const names = result.statistics.variants.map((v) => v.name);
    const ref = python<number[][]>('import numpy as np\nprint(json.dumps([[float(np.quantile(v, 0.25)), float(np.quantile(v, 0.75))] for v in data]))', names.map((n) => finals[n]));
    result.statistics.variants.forEach((v, i) => {
      expect(v.atBudget!.q1).toBeCloseTo(ref[i][0], 12);
      expect(v.atBudget!.q3).toBeCloseTo(ref[i][1], 12);
    });
  });

  it('mean ranks match ranking each seed by hand', () => {
    const names = result.statistics.variants.map((v) => v.name);
    for (const v of result.statistics.variants) {
      let sum = 0;
      for (let s = 0; s < 3; s++) {
        const mine = finals[v.name][s];
        sum += 1 + names.filter((n) => finals[n][s] > mine).length + 0.5 * names.filter((n) => n !== v.name && finals[n][s] === mine).length;
      }
      expect(v.meanRank).toBeCloseTo(sum / 3, 12);
    }
  });

  it('pairwise p-values match enumerating every relabelling of the six runs', () => {
    for (const t of result.statistics.pairwise) {
      const pooled = [...finals[t.a], ...finals[t.b]];
      const u = (x: number[], y: number[]) => x.reduce((s, a) => s + y.filter((b) => a > b).length + 0.5 * y.filter((b) => a === b).length, 0);
      const observed = Math.abs(u(finals[t.a], finals[t.b]) - 4.5);
      let extreme = 0;
      let total = 0;
      for (let i = 0; i < 6; i++) for (let j = i + 1; j < 6; j++) for (let k = j + 1; k < 6; k++) {
        const x = [pooled[i], pooled[j], pooled[k]];
        const y = pooled.filter((_, m) => m !== i && m !== j && m !== k);
        if (Math.abs(u(x, y) - 4.5) >= observed - 1e-12) extreme++;
        total++;
      }
      expect(t.p).toBeCloseTo(extreme / total, 12);
    }
  });

  it('checkpoints and the area under the curve match the journals', () => {
    const random = result.statistics.variants.find((v) => v.name === 'random')!;
    const manifest = readManifest(result.dir);
    const runs = manifest.runs.filter((r) => r.variant === 'random').map((r) => journalValues(path.join(result.dir, r.dir)) as number[]);
    const at8 = runs.map((v) => Math.max(...v.slice(0, 8))).sort((a, b) => a - b);
    expect(random.atCheckpoints[0]!.median).toBe(at8[1]);
    const floor = Math.min(...manifest.runs.flatMap((r) => journalValues(path.join(result.dir, r.dir)) as number[]));
    const areas = runs.map((v) => v.slice(0, 24).reduce((s, _, k) => s + Math.max(...v.slice(0, k + 1)), 0) / 24).sort((a, b) => a - b);
    expect(random.auc).toBeCloseTo(areas[1], 10);
    expect(floor).toBeLessThan(random.auc);
  });

  it('shares evaluations between runs without changing any value a standalone run gets', async () => {
    expect(result.cache.hits).toBeGreaterThan(0);
    const manifest = readManifest(result.dir);
    const hill = manifest.runs.find((r) => r.variant === 'hill' && r.seed === 12)!;
    const standalone = await loadAndHashExperiment(path.join(root, 'experiment.yaml'), {
      patch: (d) => ({ ...d, seed: 12, optimizer: { kind: 'hill-climbing', options: { epsilon: 0.1 } }, stop: { budget: 24 } }),
    });
    expect(standalone.hash).toBe(hill.hash);
    standalone.config.output.dir = path.join(root, 'standalone');
    const r = await runExperiment(standalone, { progress: quiet() });
    expect(journalValues(r.runDir)).toEqual(journalValues(path.join(result.dir, hill.dir)));
  });
});

describe('compare is resumable', () => {
  it('an interrupted comparison continues where it stopped, without redoing finished runs', async () => {
    const root = writeTree({ 'experiment.yaml': EXPERIMENT });
    writeFileSync(path.join(root, 'compare.yaml'), COMPARE(path.join(root, 'out')));
    const config = loadCompareConfig(path.join(root, 'compare.yaml'));
    const plan = await planComparison(config);
    const stop = new AbortController();
    const first = await runComparison(config, plan, {
      stop: stop.signal,
      progress: (run, index) => ({ ...quiet(), trial: (_e, stats) => { if (index === 1 && stats.finished === 5) stop.abort(); } }),
    });
    expect(first.interrupted).toBe(true);
    expect(first.runs.map((r) => r.result.finished)).toEqual([24, 5]);
    expect(first.seeds).toEqual([]);

    const again = await runComparison(config, await planComparison(config), { progress: quiet });
    expect(again.interrupted).toBe(false);
    expect(again.runs.map((r) => r.result.newTrials)).toEqual([0, 19, ...new Array(7).fill(24)]);
    expect(again.seeds).toEqual([11, 12, 13]);
  });
});

describe('compare config errors', () => {
  const load = (text: string) => {
    const root = writeTree({ 'experiment.yaml': EXPERIMENT, 'c.yaml': text });
    try {
      loadCompareConfig(path.join(root, 'c.yaml'));
    } catch (e) {
      if (e instanceof UserInputError) return e.issues.join('\n');
      throw e;
    }
    return 'no error';
  };

  it('locates unknown keys with file:line:col', () => {
    expect(load('experiment: experiment.yaml\noptimizers:\n  r: {kind: random}\nseedz: 3\n')).toMatch(/c\.yaml:4:1: seedz: unknown key "seedz" \(did you mean "seeds"\?\)/);
  });

  it('refuses a budget or warm starts per optimizer: every optimizer gets the same', () => {
    expect(load('experiment: experiment.yaml\noptimizers:\n  r: {kind: random, budget: 5}\n')).toMatch(/c\.yaml:3:\d+: optimizers\.r\.budget: the budget is set once/);
  });

  it('names a missing experiment file', () => {
    expect(load('experiment: nope.yaml\noptimizers:\n  r: {kind: random}\n')).toMatch(/experiment file not found \(looked for .*nope\.yaml\)/);
  });

  it('validates optimizer kinds with the experiment schema', () => {
    expect(load('experiment: experiment.yaml\noptimizers:\n  r: {kind: randm}\n')).toMatch(/c\.yaml:3:\d+: optimizers\.r\.kind: expected one of .*\(did you mean "random"\?\)/);
  });
});

describe('compare on the merge objective (demo backend)', () => {
  it('shares the merge objective\'s payload cache: the initial design common to both optimizers renders once per seed', async () => {
    const demo = readFileSync(new URL('../../configs/demo.yaml', import.meta.url), 'utf8');
    const root = writeTree({ 'demo.yaml': demo });
    writeFileSync(
      path.join(root, 'c.yaml'),
      `experiment: demo.yaml\nseeds: 2\nbudget: 6\noptimizers:\n  hill: {kind: hill-climbing}\n  sa: {kind: simulated-annealing}\noutput: {dir: ${JSON.stringify(path.join(root, 'out'))}, progress: none}\n`,
    );
    const config = loadCompareConfig(path.join(root, 'c.yaml'));
    const result = await runComparison(config, await planComparison(config), { progress: quiet });
    expect(result.seeds).toEqual([0, 1]);
    // Both start with the same 4-point Sobol' design per seed; the second optimizer finds its 2 payloads × 4 points cached.
    expect(result.cache.unit).toBe('payload');
    expect(result.cache.hits).toBeGreaterThanOrEqual(2 * 2 * 4);
    expect(result.cache.hits + result.cache.misses).toBe(2 * 2 * 6 * 2);
  });

  it('plans configs/compare.yaml: every optimizer on every seed, each run its own experiment', async () => {
    const config = loadCompareConfig(fileURLToPath(new URL('../../configs/compare.yaml', import.meta.url)));
    const plan = await planComparison(config);
    expect(plan).toHaveLength(config.optimizers.length * config.seeds.length);
    expect(new Set(plan.map((p) => p.experiment.hash)).size).toBe(plan.length);
    expect(plan.every((p) => p.experiment.config.objective.kind === 'merge' && p.experiment.config.stop.budget === 40)).toBe(true);
  });
});
