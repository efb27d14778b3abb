import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { once } from 'node:events';
import { readJournal, type AskEvent, type TrialEvent } from '../../src/run/journal.js';
import { Rng } from '../../src/util/rng.js';
import { runCli, startCli } from '../support/cli.js';
import { writeTree } from '../support/tmp.js';

const experiment = (optimizer: string) => `seed: 3
space:
  preset: sd1-27
  step: 0.01
objective:
  kind: function
  function: levy
  noise: 0.5
  delay: 0.02
optimizer:
  kind: ${optimizer}
stop:
  budget: 16
`;

/** The run's history as (trial id, proposed point, value), in journal order. */
function history(outDir: string) {
  const [run] = readdirSync(outDir);
  const { events } = readJournal(path.join(outDir, run, 'journal.jsonl'));
  const points = new Map<number, readonly number[]>();
  for (const e of events) if (e.type === 'ask') for (const t of (e as AskEvent).trials) points.set(t.id, t.x);
  return events.filter((e): e is TrialEvent => e.type === 'trial').map((t) => ({ id: t.id, x: points.get(t.id), value: t.value, status: t.status }));
}

describe('resume after kill -9 of a real `autombw run`', () => {
  for (const optimizer of ['random', 'sobol']) {
    it(`${optimizer}: the killed-and-resumed run has the same trial sequence as an uninterrupted one`, async () => {
      const dir = writeTree({ 'exp.yaml': experiment(optimizer) });
      const reference = runCli(['run', 'exp.yaml', '--output-dir', 'ref', '--progress', 'none'], { cwd: dir });
      expect(reference.code, reference.stderr).toBe(0);

      const rng = Rng.fromSeed(`kill-${optimizer}`);
      let kills = 0;
      let finished = false;
      const journalLines = () => {
        const out = path.join(dir, 'killed');
        if (!existsSync(out)) return 0;
        const runs = readdirSync(out).filter((d) => existsSync(path.join(out, d, 'journal.jsonl')));
        return runs.length ? readFileSync(path.join(out, runs[0], 'journal.jsonl'), 'utf8').split('\n').length : 0;
      };
      for (let attempt = 0; attempt < 40 && !finished; attempt++) {
        const child = startCli(['run', 'exp.yaml', '--output-dir', 'killed', '--progress', 'none'], { cwd: dir });
        const exited = once(child, 'exit');
        // Kill at a random moment after the child has made progress, however slow its start-up.
        const before = journalLines();
        const progressed = (async () => {
          for (let i = 0; i < 500 && journalLines() <= before + 1 && child.exitCode === null; i++) await sleep(20);
          await sleep(rng.int(120));
          return 'timer';
        })();
        const winner = await Promise.race([exited.then(() => 'exit'), progressed]);
        if (winner === 'timer' && child.exitCode === null) {
          child.kill('SIGKILL');
          kills++;
          await exited;
        } else {
          await exited;
          finished = child.exitCode === 0;
        }
      }
      expect(finished).toBe(true);
      expect(kills).toBeGreaterThan(0);
      expect(existsSync(path.join(dir, 'killed'))).toBe(true);
      const got = history(path.join(dir, 'killed'));
      expect(got).toEqual(history(path.join(dir, 'ref')));
      expect(got).toHaveLength(16);
    });
  }

  it('a finished run run again does nothing and says it is complete', () => {
    const dir = writeTree({ 'exp.yaml': experiment('random') });
    expect(runCli(['run', 'exp.yaml', '--progress', 'none'], { cwd: dir }).code).toBe(0);
    const again = runCli(['run', 'exp.yaml', '--progress', 'plain'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already complete \(budget\); 16 trials/);
  });

  it('--resume <run dir> continues a run from its directory', () => {
    const dir = writeTree({ 'exp.yaml': experiment('random') });
    expect(runCli(['run', 'exp.yaml', '--progress', 'none'], { cwd: dir }).code).toBe(0);
    const [run] = readdirSync(path.join(dir, 'runs'));
    const r = runCli(['run', '--resume', path.join('runs', run), '--progress', 'plain'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/already complete/);
  });
});

describe('Ctrl-C', () => {
  it('stops asking, finishes the trial in flight, journals the stop and exits 130; the run then resumes', async () => {
    const dir = writeTree({ 'exp.yaml': experiment('random').replace('delay: 0.02', 'delay: 0.2') });
    const child = startCli(['run', 'exp.yaml', '--output-dir', 'out', '--progress', 'none'], { cwd: dir });
    const exited = once(child, 'exit');
    // Interrupt once the run has journaled a result: a fixed delay raced the CLI's start-up on a loaded machine.
    const out = path.join(dir, 'out');
    const journaled = (run: string) => path.join(out, run, 'journal.jsonl');
    const hasResult = () => existsSync(out) && readdirSync(out).some((run) => existsSync(journaled(run)) && readFileSync(journaled(run), 'utf8').includes('"type":"trial"'));
    for (let waited = 0; waited < 30_000 && !hasResult(); waited += 50) await sleep(50);
    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(130);
    const [run] = readdirSync(path.join(dir, 'out'));
    const { events } = readJournal(path.join(dir, 'out', run, 'journal.jsonl'));
    expect(events.at(-1)).toMatchObject({ type: 'stop', reason: 'interrupted' });
    const asked = events.flatMap((e) => (e.type === 'ask' ? e.trials.map((t) => t.id) : []));
    const told = events.flatMap((e) => (e.type === 'trial' ? [e.id] : []));
    // The trial in flight finished and was journaled; the proposal for the slot it freed is
    // journaled too, unevaluated, for the resume to start with (as the uninterrupted run would).
    expect(asked).toEqual([...told, told.length]);
    const resumed = runCli(['run', 'exp.yaml', '--output-dir', 'out', '--progress', 'none'], { cwd: dir });
    expect(resumed.code).toBe(0);
    expect(history(path.join(dir, 'out'))).toHaveLength(16);
  });
});
