import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { HOSTILE } from '../report/support.js';
import { tempDir } from '../support/tmp.js';
import { EventStream, functionRun, get, JournalWriterProcess, trialLine } from './support.js';

/** Safety net only: the events below arrive in milliseconds; the benchmark measures how many. */
const SAFETY_MS = 20_000;

let dashboard: Dashboard | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  await dashboard?.close();
  dashboard = undefined;
});

async function serve(root: string, options: { token?: string } = {}): Promise<Dashboard> {
  dashboard = await startDashboard({ root, port: 0, ...options });
  return dashboard;
}

const runKey = (root: string, runDir: string) => encodeURIComponent(path.relative(root, runDir));

describe('autombw serve: live run pages', () => {
  it('pushes a trial that another process appends to the journal to an open page', { timeout: SAFETY_MS * 2 }, async () => {
    const runDir = await functionRun();
    const root = path.dirname(path.dirname(runDir));
    const { url } = await serve(root);
    const stream = await EventStream.open(`${url}api/run/events?d=${runKey(root, runDir)}&since=6`);
    cleanups.push(() => stream.close());
    const first = await stream.next((e) => e.event === 'update');
    expect(first.data.rows).toEqual([]);
    const writer = JournalWriterProcess.start(runDir);
    cleanups.push(() => writer.stop());

    await writer.append(trialLine(6, 123.5));
    const update = await stream.next((e) => e.data.rows.length > 0);
    expect(update.data.rows.map((r: { id: number; value: number }) => [r.id, r.value])).toEqual([[6, 123.5]]);
    expect(update.id).toBe('7');
    expect(update.data.panels.summary).toContain('123.5 (trial 6)');
  });

  it('ignores a line still being written and sends the trial once it is complete', { timeout: SAFETY_MS * 2 }, async () => {
    const runDir = await functionRun();
    const root = path.dirname(path.dirname(runDir));
    const { url } = await serve(root);
    const stream = await EventStream.open(`${url}api/run/events?d=${runKey(root, runDir)}&since=6`);
    cleanups.push(() => stream.close());
    await stream.next();
    const writer = JournalWriterProcess.start(runDir);
    cleanups.push(() => writer.stop());

    const line = trialLine(6, 7.25);
    await writer.append(line.slice(0, 40));
    await writer.append(line.slice(40));
    const update = await stream.next((e) => e.data.rows.length > 0);
    expect(update.data.rows).toHaveLength(1);
    expect(update.data.rows[0]).toMatchObject({ id: 6, value: 7.25, weights: expect.any(Array) });
  });

  it('closes the journal watcher when the last page leaves', { timeout: SAFETY_MS * 2 }, async () => {
    const runDir = await functionRun();
    const root = path.dirname(path.dirname(runDir));
    const d = await serve(root);
    const stream = await EventStream.open(`${d.url}api/run/events?d=${runKey(root, runDir)}`);
    await stream.next();
    expect(d.store.watchers).toBe(1);
    stream.close();
    await vi.waitFor(() => expect(d.store.watchers).toBe(0), { timeout: SAFETY_MS });
    expect(d.streams).toBe(0);
  });

  it('lists the trials with every block weight, and a trial with its payload scores and weights', async () => {
    const runDir = await functionRun();
    const root = path.dirname(path.dirname(runDir));
    const { url } = await serve(root);
    const trials = JSON.parse((await get(`${url}api/run/trials?d=${runKey(root, runDir)}`)).body);
    expect(trials.columns).toHaveLength(27);
    expect(trials.rows).toHaveLength(6);
    expect(trials.rows[0].weights).toHaveLength(27);
    const detail = await get(`${url}api/run/trial?d=${runKey(root, runDir)}&id=2`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('<h3>Trial 2');
    expect(detail.body).toMatch(/<th>IN00<\/th><td class="num">[0-9.]+<\/td>/);
  });
});

describe('autombw serve: the run list', () => {
  it('says crashed for a run whose lock names a dead process, running for one held by a live process', async () => {
    const crashed = await functionRun('name: crashed\n');
    const root = path.dirname(path.dirname(crashed));
    const running = path.join(root, 'runs', 'other');
    cpSync(crashed, running, { recursive: true });
    writeFileSync(path.join(running, 'config.resolved.yaml'), 'name: running\n' + readFileSync(path.join(crashed, 'config.resolved.yaml'), 'utf8').replace(/^name: .*\n/m, ''));
    // A crash leaves the journal without the stop event the session would have written last.
    const journal = path.join(crashed, 'journal.jsonl');
    writeFileSync(journal, readFileSync(journal, 'utf8').split('\n').filter((l) => !l.includes('"type":"stop"')).join('\n'));
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(path.join(crashed, 'lock'), JSON.stringify({ pid: gone, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    writeFileSync(path.join(running, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), since: '2026-01-01T00:00:00Z' }));
    const { url } = await serve(root);
    const runs = JSON.parse((await get(`${url}api/runs`)).body) as Array<{ name: string; status: string }>;
    expect(Object.fromEntries(runs.map((r) => [r.name, r.status]))).toEqual({ crashed: 'crashed', running: 'running' });
  });

  it('lists a comparison with links to each of its member runs', async () => {
    const member = await functionRun();
    const root = tempDir();
    const compareDir = path.join(root, 'cmp');
    mkdirSync(compareDir);
    for (const seed of [1, 2]) cpSync(member, path.join(compareDir, 'runs', `run${seed}`), { recursive: true });
    const manifest = { format: 'autombw-compare/1', name: 'two seeds', file: 'c.yaml', experiment: 'e.yaml', budget: 6, seeds: [1, 2], checkpoints: [3], variants: [{ name: 'random', kind: 'random' }], runs: [1, 2].map((seed) => ({ variant: 'random', seed, hash: `hash${seed}`, dir: `runs/run${seed}` })) };
    writeFileSync(path.join(compareDir, 'compare.json'), JSON.stringify(manifest));
    const { url } = await serve(root);
    const index = await get(url);
    expect(index.body).toContain('href="/compare?d=cmp"');
    const page = await get(`${url}compare?d=cmp`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('href="/run?d=cmp%2Fruns%2Frun1"');
    expect(page.body).toContain('href="/run?d=cmp%2Fruns%2Frun2"');
    expect(page.body).toContain('id="figure-convergence"');
  });
});

describe('autombw serve: live comparison pages', () => {
  it('pushes a member run\'s new trial to an open comparison page', { timeout: SAFETY_MS * 2 }, async () => {
    const member = await functionRun();
    const root = tempDir();
    const compareDir = path.join(root, 'cmp');
    mkdirSync(compareDir);
    cpSync(member, path.join(compareDir, 'runs', 'run1'), { recursive: true });
    const manifest = { format: 'autombw-compare/1', name: 'one run', file: 'c.yaml', experiment: 'e.yaml', budget: 8, seeds: [1], checkpoints: [3], variants: [{ name: 'random', kind: 'random' }], runs: [{ variant: 'random', seed: 1, hash: 'hash1', dir: 'runs/run1' }] };
    writeFileSync(path.join(compareDir, 'compare.json'), JSON.stringify(manifest));
    const { url } = await serve(root);
    const stream = await EventStream.open(`${url}api/compare/events?d=cmp`);
    cleanups.push(() => stream.close());
    const first = await stream.next();
    expect(first.data.panels.runs).toMatch(/<td class="num">6<\/td>/);
    const writer = JournalWriterProcess.start(path.join(compareDir, 'runs', 'run1'));
    cleanups.push(() => writer.stop());

    await writer.append(trialLine(6, 42));
    const update = await stream.next((e) => /<td class="num">7<\/td>/.test(e.data.panels.runs ?? ''));
    expect(update.data.panels.convergence).toContain('id="figure-convergence"');
  });
});

describe('autombw serve: safety', () => {
  it('escapes what the user wrote and sends a content security policy that allows only its own script', async () => {
    const runDir = await functionRun(`name: ${JSON.stringify(HOSTILE)}\n`);
    const root = path.dirname(path.dirname(runDir));
    const { url } = await serve(root);
    for (const page of [await get(url), await get(`${url}run?d=${runKey(root, runDir)}`)]) {
      expect(page.body).not.toContain('<script>alert');
      expect(page.body).toContain('&lt;script&gt;alert');
      expect(page.headers['content-security-policy']).toMatch(/default-src 'none'; script-src 'self';/);
    }
  });

  it('refuses requests naming another host (DNS rebinding) when bound to loopback', async () => {
    const { url } = await serve(tempDir());
    expect((await get(url, { Host: 'attacker.example:80' })).status).toBe(403);
    expect((await get(url)).status).toBe(200);
  });

  it('refuses to bind an address other than loopback without a token', async () => {
    await expect(startDashboard({ root: tempDir(), host: '0.0.0.0', port: 0 })).rejects.toThrow(UserInputError);
  });

  it('with a token, answers only requests that carry it', async () => {
    const { url } = await serve(tempDir(), { token: 's3cret' });
    expect((await get(url)).status).toBe(403);
    expect((await get(url, { Authorization: 'Bearer wrong' })).status).toBe(403);
    expect((await get(url, { Authorization: 'Bearer s3cret' })).status).toBe(200);
    const viaLink = await get(`${url}?token=s3cret`);
    expect(viaLink.status).toBe(200);
    expect(viaLink.headers['set-cookie']?.[0]).toMatch(/^autombw_token=s3cret; HttpOnly; SameSite=Strict/);
  });

  it('serves no file outside the run directory and nothing but images', async () => {
    const runDir = await functionRun();
    const root = path.dirname(path.dirname(runDir));
    const { url } = await serve(root);
    const d = runKey(root, runDir);
    expect((await get(`${url}file?d=${d}&f=${encodeURIComponent('../../exp.yaml')}`)).status).toBe(404);
    expect((await get(`${url}file?d=${d}&f=journal.jsonl`)).status).toBe(404);
    expect((await get(`${url}run?d=${encodeURIComponent('../..')}`)).status).toBe(404);
  });
});
