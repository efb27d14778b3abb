import { describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { readJournal, type AskEvent, type SessionStartEvent, type TrialEvent } from '../../src/run/journal.js';
import { readRun } from '../../src/report/run-data.js';
import { reproduceRun } from '../../src/reproduce/reproduce.js';
import type { ProgressReporter } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { writeTree } from '../support/tmp.js';

/** A deterministic objective that never waits: values depend on the recipe only. */
const MODULE = `export function evaluate(weights) {
  return -Object.values(weights).reduce((s, w) => s + (w - 0.3) ** 2, 0);
}
`;

const experiment = (concurrency: number) => `seed: 11
space: {preset: sd1-27, step: 0.01}
objective: {kind: module, module: objective.mjs, concurrency: ${concurrency}}
optimizer: {kind: random}
stop: {budget: 20}
`;

const quiet: ProgressReporter = { start() {}, trial() {}, message() {}, stop() {} };

/** Runs the experiment in `dir` into `out`; with `stopAfter`, stops asking (as Ctrl-C does) once that many trials are journaled. */
async function run(dir: string, out: string, stopAfter?: number, messages: string[] = []) {
  const exp = await loadAndHashExperiment(path.join(dir, 'exp.yaml'));
  exp.config.output.dir = path.join(dir, out);
  const stop = new AbortController();
  const progress: ProgressReporter = {
    ...quiet,
    message: (m) => messages.push(m),
    trial: (_e, stats) => {
      if (stopAfter !== undefined && stats.finished >= stopAfter) stop.abort();
    },
  };
  return runExperiment(exp, { stop: stop.signal, progress });
}

/** (id, point, value) of every trial, in journal order. */
function history(runDir: string) {
  const { events } = readJournal(path.join(runDir, 'journal.jsonl'));
  const points = new Map<number, readonly number[]>();
  for (const e of events) if (e.type === 'ask') for (const t of (e as AskEvent).trials) points.set(t.id, t.x);
  return events.filter((e): e is TrialEvent => e.type === 'trial').map((t) => ({ id: t.id, x: points.get(t.id), value: t.value }));
}

describe('a run interrupted at concurrency 2 and resumed', () => {
  for (const optimizer of ['random', 'stochastic-hill-climbing']) {
    it(`${optimizer}: has the same trials, points and values as the uninterrupted run`, async () => {
    const dir = writeTree({ 'exp.yaml': experiment(2).replace('kind: random', `kind: ${optimizer}`), 'objective.mjs': MODULE });
    const reference = await run(dir, 'ref');
    const first = await run(dir, 'cut', 7);
    expect(first.reason).toBe('interrupted');
    expect(first.finished).toBeLessThan(20);
    const resumed = await run(dir, 'cut');
    expect(resumed.reason).toBe('budget');
    expect(history(resumed.runDir)).toEqual(history(reference.runDir));
    expect(readdirSync(path.join(dir, 'cut'))).toHaveLength(1);
    });
  }
});

describe('resuming with another concurrency', () => {
  async function resumedWithFour() {
    const dir = writeTree({ 'exp.yaml': experiment(2), 'objective.mjs': MODULE });
    await run(dir, 'runs', 7);
    writeFileSync(path.join(dir, 'exp.yaml'), experiment(4));
    const messages: string[] = [];
    const resumed = await run(dir, 'runs', undefined, messages);
    return { dir, resumed, messages };
  }

  it('continues the same run, says that later proposals differ, and journals each session\'s concurrency', async () => {
    const { resumed, messages } = await resumedWithFour();
    expect(resumed).toMatchObject({ resumed: true, reason: 'budget', finished: 20 });
    expect(messages).toContainEqual(expect.stringMatching(/^concurrency is now 4 \(the previous session ran 2 at once\): .*later proposals differ from an uninterrupted run at 2/));
    const { events } = readJournal(path.join(resumed.runDir, 'journal.jsonl'));
    expect(events.filter((e) => e.type === 'start').map((e) => (e as SessionStartEvent).concurrency)).toEqual([2, 4]);
  });

  it('is reproduced bit for bit: the reproduction asks the journaled batches', async () => {
    const { dir, resumed } = await resumedWithFour();
    const verdict = await reproduceRun(readRun(resumed.runDir), { outputDir: path.join(dir, 'again'), tolerance: 0, progress: quiet });
    expect(verdict.checks.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.name}: ${c.detail}`)).toEqual([
      expect.stringMatching(/^ok config and files/),
      'ok proposals: the optimizer proposes the same 20 points from the recorded values',
      'ok values: 20 of 20 trials compared, exact match required: 20 bit-identical, largest difference 0',
    ]);
    expect(verdict.match).toBe(true);
    expect(verdict.notes).toEqual(["the run's sessions kept 2, 4 evaluations in flight; the reproduction asks the optimizer in the batches the journal recorded"]);
  });
});
