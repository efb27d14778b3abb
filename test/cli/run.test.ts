import { describe, expect, it } from 'vitest';
import { appendFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import path from 'node:path';
import { runMain } from '../report/run-main.js';
import { writeTree } from '../support/tmp.js';

const FUNCTION_EXPERIMENT = `seed: 3
space: {preset: sd1-27, step: 0.01}
objective: {kind: function, function: levy}
optimizer: {kind: random}
stop: {budget: 4}
`;

/** A port on 127.0.0.1 nothing listens on: taken, then released. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

describe('autombw run', () => {
  it('prints the hash, the run directory and the report path before the first trial', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const out = path.join(dir, 'out');
    const r = await runMain(['run', path.join(dir, 'exp.yaml'), '--output-dir', out, '--progress', 'plain']);
    expect(r.code, r.stderr).toBe(0);
    const [run] = readdirSync(out);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      expect.stringMatching(new RegExp(`^run ${run}[0-9a-f]{52}$`)),
      `  directory ${path.join(out, run)}`,
      `  report    ${path.join(out, run)}/report.html (written when the run stops)`,
    ]);
    expect(lines[3]).toMatch(/^trial 0 /);
  });

  it('prints the best value at the precision of the trial lines', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const r = await runMain(['run', path.join(dir, 'exp.yaml'), '--output-dir', path.join(dir, 'out'), '--progress', 'plain']);
    const lines = r.stdout.split('\n');
    const lastTrial = lines.findLast((l) => l.startsWith('trial '))!;
    const [, value, trial] = /best (\S+) \(#(\d+)\)/.exec(lastTrial)!;
    expect(lines).toContain(`run ${readdirSync(path.join(dir, 'out'))[0]}: budget; 4 trials (0 failed), best ${value} (trial ${trial})`);
  });

  it('refuses a journal line that replays wrongly, naming the journal file and line, with exit code 2', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const out = path.join(dir, 'out');
    expect((await runMain(['run', path.join(dir, 'exp.yaml'), '--output-dir', out, '--progress', 'none'])).code).toBe(0);
    const journal = path.join(out, readdirSync(out)[0], 'journal.jsonl');
    appendFileSync(journal, `${JSON.stringify({ type: 'trial', time: new Date().toISOString(), id: 30, status: 'ok', value: 1, weights: {}, duration: 0, started: new Date().toISOString() })}\n`);
    const lines = 2 + 4 * 2 + 1; // start, 4 asks and 4 trials, stop, then the line added
    const r = await runMain(['run', path.join(dir, 'exp.yaml'), '--output-dir', out, '--progress', 'none']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${journal}:${lines}: journal line is not valid (tell(30): no pending trial with that id (already told, or never asked)); the run cannot be resumed safely. Move the file aside to start over.`);
  });

  it('with its server down: says so once, naming the URL once, and leaves no run directory', async () => {
    const port = await closedPort();
    const dir = writeTree({
      'exp.yaml': `seed: 1
space: {preset: sd1-27, step: 0.05}
objective:
  kind: merge
  models: {a: a.safetensors, b: b.safetensors}
  method: weighted-sum
  payloads: {items: [{name: fox, prompt: a fox}]}
  scorer: {scorers: [{kind: builtin, model: demo}]}
  runtime: {backend: comfyui, endpoints: [{url: 'http://127.0.0.1:${port}'}]}
optimizer: {kind: random}
stop: {budget: 5}
`,
    });
    const out = path.join(dir, 'out');
    const r = await runMain(['run', path.join(dir, 'exp.yaml'), '--output-dir', out, '--progress', 'plain']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`no comfyui server could be reached: http://127.0.0.1:${port}/system_stats: connection refused (is the server running?)`);
    expect(r.stdout).not.toMatch(/out of the pool|recipes wait/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  });
});
