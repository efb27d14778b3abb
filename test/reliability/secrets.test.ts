import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../support/cli.js';
import { FakeComfyUI } from '../support/fake-comfyui.js';
import { tempDir } from '../support/tmp.js';
import { onlyRun } from './run-history.js';
import { recordFigures } from './scale.js';

/** Credentials with characters that JSON, URLs and base64 each write differently. */
const TOKEN = 'tok-8f3a"\\<q>=&+/Z9';
const PASSWORD = 'pw:7Qx%~!"';

/** Every form in which a credential could leak: as is, JSON-escaped, URL-encoded, and as sent in the headers. */
function leakForms(): string[] {
  const json = (s: string) => JSON.stringify(s).slice(1, -1);
  return [TOKEN, PASSWORD, json(TOKEN), json(PASSWORD), encodeURIComponent(TOKEN), encodeURIComponent(PASSWORD), `Bearer ${TOKEN}`, Buffer.from(`autombw:${PASSWORD}`).toString('base64')];
}

function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile());
}

const experiment = (bearer: string, basic: string) => `name: secrets
seed: 6
space:
  preset: sd1-27
  step: 0.05
objective:
  kind: merge
  models: { a: a.safetensors, b: b.safetensors }
  payloads:
    defaults: { width: 64, height: 64, steps: 4 }
    items: [a cat, a dog]
  scorer:
    scorers: [{ kind: builtin, model: demo }]
  runtime:
    backend: comfyui
    endpoints:
      - { url: "${bearer}", concurrency: 1, auth_env: AUTOMBW_TEST_TOKEN }
      - { url: "${basic}", concurrency: 1, auth_env: AUTOMBW_TEST_BASIC, auth_scheme: basic }
    save_images: all
optimizer:
  kind: random
stop:
  budget: 4
`;

describe('credentials from auth_env', () => {
  const servers: FakeComfyUI[] = [];
  const dir = tempDir('autombw-secrets-');
  const cacheDir = path.join(dir, 'hash-cache');
  const outputs: string[] = [];
  /** The CLI in a child process; asynchronously, since the servers it talks to run in this one. */
  const cli = async (args: string[], env: Record<string, string>) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { ...process.env, AUTOMBW_CACHE_DIR: cacheDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
    outputs.push(stdout, stderr);
    return { status, stdout, stderr };
  };
  const right = { AUTOMBW_TEST_TOKEN: TOKEN, AUTOMBW_TEST_BASIC: `autombw:${PASSWORD}` };

  beforeAll(async () => {
    servers.push(await new FakeComfyUI({ authorization: `Bearer ${TOKEN}` }).start());
    servers.push(await new FakeComfyUI({ authorization: `Basic ${Buffer.from(`autombw:${PASSWORD}`).toString('base64')}` }).start());
    writeFileSync(path.join(dir, 'exp.yaml'), experiment(servers[0].url, servers[1].url));
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });

  it('reach both servers (bearer and basic), so the run succeeds', async () => {
    const r = await cli(['run', 'exp.yaml', '--progress', 'plain'], right);
    expect(r.status, r.stderr).toBe(0);
    expect(servers.every((s) => s.received.length > 0)).toBe(true);
  });

  it('do not decide the run hash', async () => {
    const a = await cli(['hash', 'exp.yaml'], right);
    const b = await cli(['hash', 'exp.yaml'], { AUTOMBW_TEST_TOKEN: 'other', AUTOMBW_TEST_BASIC: 'x:y' });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it('are not in the messages of a run the servers refuse', async () => {
    const r = await cli(['run', 'exp.yaml', '--progress', 'plain', '--output-dir', 'refused'], { AUTOMBW_TEST_TOKEN: `${TOKEN}-wrong`, AUTOMBW_TEST_BASIC: `autombw:${PASSWORD}-wrong` });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/401/);
  });

  it('are written nowhere: journal, configs, report, figures, images, caches, exports, terminal output', async () => {
    const exported = await cli(['export', onlyRun(path.join(dir, 'runs'))], right);
    expect(exported.status, exported.stderr).toBe(0);
    const files = filesIn(dir).filter((f) => !f.endsWith('exp.yaml'));
    expect(files.some((f) => f.endsWith('journal.jsonl'))).toBe(true);
    expect(files.some((f) => f.endsWith('report.html'))).toBe(true);
    const texts = [...files.map((f) => readFileSync(f, 'latin1')), ...files.map((f) => readFileSync(f, 'utf8')), ...outputs];
    // The search does see what surrounds a credential: the endpoints and the variables' names.
    expect(texts.some((t) => t.includes(servers[0].url) && t.includes('AUTOMBW_TEST_TOKEN'))).toBe(true);
    for (const form of leakForms()) {
      const leaks = texts.filter((t) => t.includes(form));
      expect(leaks, `"${form}" leaked`).toEqual([]);
    }
    recordFigures('hostile-input', { check: 'credentials from auth_env (bearer and basic) searched in every file a run, a refused run, hash and export write, and in their terminal output', files: files.length, forms_searched: leakForms().length, leaks: 0 });
  });
});
