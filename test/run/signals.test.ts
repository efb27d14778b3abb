import { afterEach, describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { readJournal } from '../../src/run/journal.js';
import { listRuns } from '../../src/cli/commands/runs.js';
import { runCli, startCli } from '../support/cli.js';
import { writeTree } from '../support/tmp.js';

/** Evaluations that never wait: nothing but the run loop itself gives signal handlers a turn. */
const NEVER_WAITS = `seed: 3
space: {preset: sd1-27, step: 0.01}
objective: {kind: function, function: levy}
optimizer: {kind: random}
stop: {budget: 1000000}
`;

/** Every trial fails, at once. */
const ALWAYS_FAILS = `seed: 3
space: {preset: sd1-27, step: 0.01}
objective: {kind: module, module: fail.mjs}
optimizer: {kind: random}
stop: {budget: 1000000}
`;

/** Resolves once the child has printed a line matching `pattern` (or exited). */
function printed(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (pattern.test(text)) done();
    };
    const done = () => {
      child.stdout!.off('data', onData);
      resolve();
    };
    child.stdout!.on('data', onData);
    child.once('exit', done);
  });
}

const started: ChildProcess[] = [];
// A run that ignores its signal would otherwise outlive the test that timed out waiting for it.
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `autombw run` with plain progress, collecting what it prints. */
function start(dir: string) {
  const child = startCli(['run', 'exp.yaml', '--output-dir', 'out', '--progress', 'plain'], { cwd: dir });
  started.push(child);
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output.stderr += c.toString()));
  return { child, output, exited: once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]> };
}

function journalOf(dir: string) {
  const [run] = readdirSync(path.join(dir, 'out'));
  return readJournal(path.join(dir, 'out', run, 'journal.jsonl')).events;
}

describe('signals during a run whose evaluations never wait', () => {
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} stops it: the trials are journaled, then a stop, and the exit code is ${code}`, async () => {
      const dir = writeTree({ 'exp.yaml': NEVER_WAITS });
      const { child, output, exited } = start(dir);
      await printed(child, /^trial /m);
      child.kill(signal);
      const [exitCode] = await exited;
      expect(exitCode, output.stderr).toBe(code);
      expect(output.stdout).toContain(`stopping (${signal}): no new trials`);
      const events = journalOf(dir);
      expect(events.at(-1)).toMatchObject({ type: 'stop', reason: 'interrupted' });
      expect(events.filter((e) => e.type === 'trial').length).toBeLessThan(1000000);
    });
  }
});

describe('what a run leaves for `autombw runs`', () => {
  it('a run killed with SIGKILL is listed as crashed, not running', async () => {
    const dir = writeTree({ 'exp.yaml': NEVER_WAITS });
    const { child, exited } = start(dir);
    await printed(child, /^trial /m);
    child.kill('SIGKILL');
    await exited;
    const [run] = listRuns(path.join(dir, 'out'));
    expect(existsSync(path.join(run.dir, 'lock'))).toBe(true);
    expect(run.status).toBe('crashed');
  });
});

describe('Ctrl-C before any trial succeeded', () => {
  it('names no best.json, since none was written', async () => {
    const dir = writeTree({ 'exp.yaml': ALWAYS_FAILS, 'fail.mjs': 'export function evaluate() { throw new Error("no"); }\n' });
    const { child, output, exited } = start(dir);
    await printed(child, /^trial /m);
    child.kill('SIGINT');
    const [exitCode] = await exited;
    expect(exitCode).toBe(130);
    expect(output.stdout).toMatch(/: interrupted; \d+ trials \(\d+ failed\), no successful trial$/m);
    expect(output.stdout).not.toContain('best.json');
  });
});

describe('an objective that ends the process', () => {
  it('makes the run exit 1, journals an error stop, and the run resumes', () => {
    const dir = writeTree({
      'exp.yaml': `seed: 3
space: {preset: sd1-27, step: 0.01}
objective: {kind: module, module: exits.mjs}
optimizer: {kind: random}
stop: {budget: 6}
`,
      'exits.mjs': `import { existsSync, unlinkSync } from 'node:fs';
export function evaluate(weights, context) {
  if (context.trial === 3 && existsSync('exit-once')) {
    unlinkSync('exit-once');
    process.exit(0);
  }
  return Object.values(weights).reduce((s, w) => s + w, 0);
}
`,
      'exit-once': '',
    });
    const first = runCli(['run', 'exp.yaml', '--output-dir', 'out', '--progress', 'none'], { cwd: dir });
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/the process ended in the middle of run [0-9a-f]{12} \(did the objective call process\.exit\(\), or leave a promise that never settles\?\); the journaled trials are kept/);
    const events = journalOf(dir);
    expect(events.filter((e) => e.type === 'trial').map((e) => (e.type === 'trial' ? e.id : -1))).toEqual([0, 1, 2]);
    expect(events.at(-1)).toMatchObject({ type: 'stop', reason: 'error' });
    expect(listRuns(path.join(dir, 'out'))[0].status).toBe('error');
    const again = runCli(['run', 'exp.yaml', '--output-dir', 'out', '--progress', 'none'], { cwd: dir });
    expect(again.code, again.stderr).toBe(0);
    expect(journalOf(dir).filter((e) => e.type === 'trial')).toHaveLength(6);
  });
});

describe('signals during autombw reproduce', () => {
  it('SIGTERM stops the reproduction after the trial in flight and exits 143', async () => {
    const dir = writeTree({
      'exp.yaml': `seed: 3
space: {preset: sd1-27, step: 0.01}
objective: {kind: module, module: waits.mjs}
optimizer: {kind: random}
stop: {budget: 6}
`,
      // Once the reproduction starts (the file "reproducing" exists), trial 1 announces itself and
      // finishes only when SIGTERM arrives, so the signal comes while the run is under way.
      'waits.mjs': `import { existsSync, writeFileSync } from 'node:fs';
export async function evaluate(weights, context) {
  if (context.trial === 1 && existsSync('reproducing')) {
    const signalled = new Promise((resolve) => process.once('SIGTERM', resolve));
    const alive = setInterval(() => {}, 1000); // a listener alone does not keep a process running
    writeFileSync('trial-1-started', '');
    await signalled;
    clearInterval(alive);
  }
  return Object.values(weights).reduce((s, w) => s + w, 0);
}
`,
    });
    expect(runCli(['run', 'exp.yaml', '--output-dir', 'out', '--progress', 'none'], { cwd: dir }).code).toBe(0);
    writeFileSync(path.join(dir, 'reproducing'), '');
    const [run] = readdirSync(path.join(dir, 'out'));
    const child = startCli(['reproduce', path.join('out', run), '--output-dir', 'again', '--progress', 'none'], { cwd: dir });
    started.push(child);
    let stdout = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
    const exited = once(child, 'exit');
    for (let i = 0; i < 3000 && !existsSync(path.join(dir, 'trial-1-started')) && child.exitCode === null; i++) await sleep(20);
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code, stdout).toBe(143);
    expect(stdout).toMatch(/^note +the reproduction was interrupted before all trials were re-run$/m);
  });
});
