import { describe, expect, it } from 'vitest';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { RunLock } from '../../src/run/lock.js';
import { UserInputError } from '../../src/config/issues.js';
import { runCli, startCli } from '../support/cli.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { hostname } from 'node:os';

describe('run lock', () => {
  it('keeps a second writer out while the first holds it', () => {
    const file = path.join(tempDir(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: process.ppid, host: hostname(), since: 'then' }));
    expect(() => RunLock.acquire(file)).toThrow(UserInputError);
    expect(() => RunLock.acquire(file)).toThrow(/in use by process/);
  });

  it('takes over a lock left by a process that no longer exists', () => {
    const file = path.join(tempDir(), 'lock');
    writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), since: 'then' }));
    const lock = RunLock.acquire(file);
    lock.release();
  });

  it('takes over a lock torn by a crash while it was written', () => {
    const file = path.join(tempDir(), 'lock');
    writeFileSync(file, '{"pid": 12');
    RunLock.acquire(file).release();
  });

  it('a second `autombw run` of a running experiment exits 2 and leaves the first undisturbed', async () => {
    const dir = writeTree({
      'exp.yaml': 'space: {preset: sd1-27}\nobjective: {kind: module, module: held.mjs}\noptimizer: {kind: random}\nstop: {budget: 4}\n',
      // Trial 1 holds the first run (and its lock) until the test lets it go.
      'held.mjs': `import { existsSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
export async function evaluate(weights, context) {
  if (context.trial === 1) {
    writeFileSync('held', '');
    for (let i = 0; i < 3000 && !existsSync('release'); i++) await sleep(20);
  }
  return Object.values(weights).reduce((s, w) => s + w, 0);
}
`,
    });
    const first = startCli(['run', 'exp.yaml', '--progress', 'none'], { cwd: dir });
    const exited = once(first, 'exit');
    for (let i = 0; i < 3000 && !existsSync(path.join(dir, 'held')) && first.exitCode === null; i++) await sleep(20);
    const second = runCli(['run', 'exp.yaml', '--progress', 'none'], { cwd: dir });
    writeFileSync(path.join(dir, 'release'), '');
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/this run is in use by process \d+/);
    const [code] = await exited;
    expect(code).toBe(0);
  });
});
