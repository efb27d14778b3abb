import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../support/cli.js';
import { blockedWrite, canProbeSyscalls } from '../support/process-probe.js';
import { writeTree } from '../support/tmp.js';
import { JournalWatch } from './journal-watch.js';
import { runUntilKilled } from './kill.js';
import { expectSameRun, killPoint, onlyRun, tally, type KillPoint } from './run-history.js';
import { recordFigures, scaled } from './scale.js';

const experiment = (o: { optimizer: string; budget: number; delay: number }) => `seed: 11
space:
  preset: sd1-27
  step: 0.01
objective:
  kind: function
  function: levy
  noise: 0.5
  delay: ${o.delay}
optimizer:
  kind: ${o.optimizer}
stop:
  budget: ${o.budget}
`;

/** Probes of /proc per poll (a few milliseconds of them): enough to catch a write or fsync lasting a fraction of a millisecond. */
const PROBES_PER_TURN = 200;

/** gp-bo's initial design: asks after it fit a GP, which takes tens of milliseconds. */
const GP_INITIAL = 8;

/** One way of choosing the moment of a kill; `watch` sees the killed run's journal. */
interface KillMoment {
  name: string;
  trigger(watch: JournalWatch, rng: Rng): { when: (pid: number) => boolean; jitterMs: number };
}

const MOMENTS: KillMoment[] = [
  {
    // A few milliseconds after a result is journaled: gp-bo is fitting its GP for the next ask.
    name: 'during ask',
    trigger(watch, rng) {
      const target = Math.max(watch.read().trials + 1 + rng.int(2), GP_INITIAL + 1);
      return { when: () => watch.read().trials >= target, jitterMs: 2 + rng.int(10) };
    },
  },
  {
    // While the objective works on a journaled ask (DELAY seconds per evaluation).
    name: 'during evaluation',
    trigger(watch, rng) {
      const target = watch.read().asks + 1 + rng.int(2);
      return { when: () => watch.read().asks >= target, jitterMs: rng.int(DELAY * 900) };
    },
  },
  {
    // While the main thread is inside write() or fsync() of journal.jsonl, as /proc shows.
    name: 'while appending to the journal',
    trigger(watch, rng) {
      const after = watch.read().trials + rng.int(2);
      const writing = (pid: number) => blockedWrite(pid)?.file.endsWith('journal.jsonl') === true;
      return { when: (pid) => watch.read().trials >= after && repeatUntil(PROBES_PER_TURN, () => writing(pid)), jitterMs: 0 };
    },
  },
];

/** Seconds per evaluation of the killed run. */
const DELAY = 0.05;
const args = (out: string) => ['run', 'exp.yaml', '--output-dir', out, '--progress', 'none'];

describe('autombw run killed with SIGKILL and resumed', () => {
  const moments = canProbeSyscalls ? MOMENTS : MOMENTS.filter((m) => !m.name.includes('appending'));
  const kills = scaled(2, 8) * moments.length;
  const budget = scaled(24, 60);
  it(`${kills} kills of a gp-bo run (${moments.map((m) => m.name).join(', ')}), then it equals an uninterrupted run`, async () => {
    const dir = writeTree({ 'exp.yaml': experiment({ optimizer: 'gp-bo', budget, delay: DELAY }) });
    const reference = runCli(args('ref'), { cwd: dir });
    expect(reference.code, reference.stderr).toBe(0);
    const runName = path.basename(onlyRun(path.join(dir, 'ref')));
    const journal = path.join(dir, 'killed', runName, 'journal.jsonl');
    const watch = new JournalWatch(journal);
    const rng = Rng.fromSeed('crash-run');

    const kinds: string[] = [];
    const points: KillPoint[] = [];
    for (let attempt = 0; points.length < kills && attempt < kills * 2; attempt++) {
      const moment = moments[points.length % moments.length];
      const { when, jitterMs } = moment.trigger(watch, rng);
      const a = await runUntilKilled(args('killed'), dir, when, jitterMs);
      if (!a.killed) {
        expect(a.code, a.stderr).toBe(0);
        break; // finished first: the budget is too small for the kills asked
      }
      kinds.push(moment.name);
      points.push(killPoint(journal));
    }
    const finish = runCli(args('killed'), { cwd: dir });
    expect(finish.code, finish.stderr).toBe(0);
    expect(points).toHaveLength(kills);
    expectSameRun(path.join(dir, 'killed', runName), path.join(dir, 'ref', runName), budget);
    recordFigures('crash-resume', { scenario: 'autombw run', optimizer: 'gp-bo', budget, kills: points.length, kill_moments: tally(kinds), kill_points: tally(points), lost_or_duplicated: 0 });
  });
});

describe('autombw compare killed with SIGKILL and resumed', () => {
  const kills = scaled(2, 10);
  it(`${kills} kills at random points of a comparison, then every run and the statistics equal an uninterrupted comparison's`, async () => {
    const budget = 10;
    const dir = writeTree({
      'exp.yaml': experiment({ optimizer: 'random', budget, delay: 0.03 }),
      'compare.yaml': `experiment: exp.yaml\nseeds: 2\nbudget: ${budget}\noptimizers:\n  random: {kind: random}\n  gp-bo: {kind: gp-bo}\n`,
    });
    const compareArgs = (out: string) => ['compare', 'compare.yaml', '--output-dir', out, '--progress', 'none', '--no-report'];
    const reference = runCli(compareArgs('ref'), { cwd: dir });
    expect(reference.code, reference.stderr).toBe(0);
    const runs = readdirSync(path.join(dir, 'ref', 'runs')).filter((d) => d !== 'cache');
    expect(runs).toHaveLength(4);
    const watches = runs.map((r) => new JournalWatch(path.join(dir, 'killed', 'runs', r, 'journal.jsonl')));
    const told = () => watches.reduce((n, w) => n + w.read().trials, 0);
    const rng = Rng.fromSeed('crash-compare');

    let killed = 0;
    for (let attempt = 0; killed < kills && attempt < kills * 3; attempt++) {
      const target = told() + 1 + rng.int(6);
      const a = await runUntilKilled(compareArgs('killed'), dir, () => told() >= target, rng.int(60));
      if (!a.killed) {
        expect(a.code, a.stderr).toBe(0);
        break;
      }
      killed++;
    }
    const finish = runCli(compareArgs('killed'), { cwd: dir });
    expect(finish.code, finish.stderr).toBe(0);
    expect(killed).toBe(kills);
    for (const r of runs) expectSameRun(path.join(dir, 'killed', 'runs', r), path.join(dir, 'ref', 'runs', r), budget);
    const summary = (out: string) => JSON.parse(readFileSync(path.join(dir, out, 'summary.json'), 'utf8'));
    expect(summary('killed')).toEqual(summary('ref'));
    recordFigures('crash-resume', {
      scenario: 'autombw compare (2 optimizers × 2 seeds)',
      optimizer: 'random, gp-bo',
      budget: budget * runs.length,
      kills: killed,
      kill_moments: { 'after 1–6 more results, 0–59 ms later': killed },
      lost_or_duplicated: 0,
    });
  });
});

describe('a journal cut at a random byte, as a kill in the middle of an append leaves it (with a half-written best.json beside it)', () => {
  const cuts = scaled(8, 200);
  it(`${cuts} cuts of a gp-bo journal each resume to the uninterrupted run`, async () => {
    const budget = 16;
    const dir = writeTree({ 'exp.yaml': experiment({ optimizer: 'gp-bo', budget, delay: 0 }) });
    const run = async (outputDir: string) => {
      const e = await loadAndHashExperiment(path.join(dir, 'exp.yaml'));
      e.config.output.dir = outputDir;
      return runExperiment(e, { progress: createProgress('none', new PassThrough()) });
    };
    const refRun = (await run(path.join(dir, 'ref'))).runDir;
    const full = readFileSync(path.join(refRun, 'journal.jsonl'));
    const rng = Rng.fromSeed('journal-cuts');
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
    // Besides random bytes, always the end of the last trial and the middle of the stop line:
    // a kill after the run's last result but before it closed.
    const stopLine = full.lastIndexOf('\n', full.length - 2) + 1;
    const offsets = [stopLine, stopLine + 10, ...Array.from({ length: cuts - 2 }, () => rng.int(full.length + 1))];
    let midLine = 0;
    for (const [i, offset] of offsets.entries()) {
      if (offset > 0 && full[offset - 1] !== 0x0a) midLine++;
      const runDir = path.join(dir, `cut-${i}`, path.basename(refRun));
      mkdirSync(runDir, { recursive: true });
      for (const f of ['run.json', 'config.resolved.yaml', 'journal.jsonl']) copyFileSync(path.join(refRun, f), path.join(runDir, f));
      truncateSync(path.join(runDir, 'journal.jsonl'), offset);
      // What a kill in the middle of writing best.json leaves beside it.
      writeFileSync(path.join(runDir, `best.json.tmp-${deadPid}`), '{"tri');
      const result = await run(path.dirname(runDir));
      expect(result).toMatchObject({ reason: 'budget', finished: budget, failed: 0 });
      expectSameRun(runDir, refRun, budget);
    }
    recordFigures('journal-cuts', { journal_bytes: full.length, cuts, inside_a_line: midLine, on_a_line_boundary: cuts - midLine, lost_or_duplicated: 0 });
  });
});

function repeatUntil(times: number, check: () => boolean): boolean {
  for (let i = 0; i < times; i++) if (check()) return true;
  return false;
}
