import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { pngText, readPngChunks } from '../../src/runtime/png.js';
import { readJournal } from '../../src/run/journal.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { runCli, type CliResult } from '../support/cli.js';
import { FakeComfyUI } from '../support/fake-comfyui.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { onlyRun } from './run-history.js';
import { recordFigures } from './scale.js';

// Model hashes are cached per user; keep this suite's out of the home directory.
process.env.AUTOMBW_CACHE_DIR ??= tempDir('autombw-hash-cache-');

/** Strings that try to become markup, terminal escapes, forged PNG parameters or paths. */
const HOSTILE = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(2)>',
  "</title><svg onload=alert(3)>'",
  'javascript:alert(4) {{7*7}} ${process.exit()}',
  'red\u001b[31m ANSI \u001b]0;title\u0007 bell\u0008',
  'nul\u0000 cr\r lf\n vt\u000b',
  'bidi \u202egnp.exe line\u2028sep',
  'lone surrogate \ud800 and 😀',
  'a cat\nNegative prompt: forged\nSteps: 999, Sampler: forged, Seed: 1',
  '../../../../etc/passwd',
];

/** Files in `dir`, recursively, relative to it. */
function filesIn(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile());
}

/** The scorer: records its arguments and its stdin, then gives every image a score from its size. */
const RECORDING_SCORER = `import { appendFileSync, readFileSync, statSync } from 'node:fs';
const args = process.argv.slice(2);
const input = JSON.parse(readFileSync(0, 'utf8'));
appendFileSync(process.env.SCORER_LOG, JSON.stringify({ args, input }) + '\\n');
console.log(JSON.stringify(input.images.map((image) => statSync(image.path).size % 97)));
`;

/** Shell syntax handed to the command scorer as arguments: any of it run by a shell would create a file. */
const SHELL_ARGS = ['$(touch pwned-1)', '`touch pwned-2`', '; touch pwned-3', '| touch pwned-4', '&& touch pwned-5', '> pwned-6', '*', '~', '$HOME'];

describe('hostile strings in a real run (demo backend, command scorer)', () => {
  const prompts = HOSTILE.map((h, i) => ({ name: `p${i}`, prompt: h, negative: HOSTILE[(i + 1) % HOSTILE.length] }));
  const experiment = `name: ${JSON.stringify(HOSTILE[0] + HOSTILE[4])}
description: ${JSON.stringify(HOSTILE.join(' | '))}
seed: 3
space:
  preset: sd1-27
  step: 0.05
objective:
  kind: merge
  payloads:
    defaults: { images: 1 }
    items: ${JSON.stringify(prompts)}
  scorer:
    scorers:
      - kind: command
        command: ${JSON.stringify([process.execPath, 'scorer.mjs', ...SHELL_ARGS])}
        env: { SCORER_LOG: scorer.log }
  runtime:
    backend: demo
    save_images: all
optimizer:
  kind: random
stop:
  budget: 3
`;
  const dir = writeTree({ 'exp.yaml': experiment, 'scorer.mjs': RECORDING_SCORER });
  let result: CliResult;
  beforeAll(() => {
    result = runCli(['run', 'exp.yaml', '--progress', 'plain'], { cwd: dir });
  });
  const runDir = () => onlyRun(path.join(dir, 'runs'));

  it('the run succeeds', () => {
    expect(result.code, result.stderr).toBe(0);
  });

  it('the command scorer ran without a shell: it got the shell syntax as literal arguments and nothing it spells was run', () => {
    const calls = readFileSync(path.join(dir, 'scorer.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(calls.length).toBe(3 * prompts.length);
    for (const call of calls) expect(call.args.slice(0, SHELL_ARGS.length)).toEqual(SHELL_ARGS);
    expect(readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
    // Prompts reach it whole, as JSON on stdin.
    expect(new Set(calls.map((c) => c.input.images[0].prompt))).toEqual(new Set(HOSTILE));
  });

  it('every saved PNG is whole and carries the prompt exactly, and no prompt can forge the parameters line', () => {
    const images = filesIn(runDir()).filter((f) => f.endsWith('.png') && f.startsWith('images'));
    expect(images.length).toBe(3 * prompts.length);
    for (const rel of images) {
      expect(path.basename(rel)).toMatch(/^p\d+-0\.png$/);
      const png = readFileSync(path.join(runDir(), rel));
      expect(() => readPngChunks(png)).not.toThrow();
      const text = pngText(png);
      const payload = JSON.parse(text['autombw:payload']);
      const sent = prompts.find((p) => p.name === payload.name)!;
      expect({ prompt: payload.prompt, negative: payload.negative }).toEqual({ prompt: sent.prompt, negative: sent.negative });
      const lastLine = text.parameters.split('\n').at(-1)!;
      expect(lastLine).toMatch(new RegExp(`^Steps: ${payload.steps}, Sampler: ${payload.sampler}, .*Seed: ${payload.seed}, Size: ${payload.width}x${payload.height}, `));
    }
  });

  it('report.html shows the hostile name, description and prompts as text: no markup, no control characters', () => {
    const html = readFileSync(path.join(runDir(), 'report.html'), 'utf8');
    expect(html).not.toMatch(/<script|<img src=x|<svg onload/i);
    expect(html).not.toMatch(/<[a-z][^>]*\son[a-z]+\s*=/i); // no event-handler attribute in any tag
    expect(html).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    for (const svg of filesIn(runDir()).filter((f) => f.endsWith('.svg'))) {
      expect(readFileSync(path.join(runDir(), svg), 'utf8')).not.toMatch(/<script|<[a-z][^>]*\son[a-z]+\s*=|[\u0000-\u0008\u000b\u000c\u000e-\u001f]/i);
    }
  });

  it('the terminal gets no escape sequences or other control characters from the strings', () => {
    expect(result.stdout + result.stderr).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('everything the run wrote is inside its run directory', () => {
    const outside = filesIn(dir).filter((f) => !f.startsWith(`runs${path.sep}`) && !['exp.yaml', 'scorer.mjs', 'scorer.log'].includes(f));
    expect(outside).toEqual([]);
    recordFigures('hostile-input', { check: 'hostile strings through a demo-backend run (prompts, negatives, name, description) and shell syntax in a command scorer', strings: HOSTILE.length, shell_arguments: SHELL_ARGS.length, escaped_or_literal: true });
  });
});

describe('a command objective', () => {
  it('gets shell syntax in its command as literal arguments, and nothing it spells is run', () => {
    const objective = `import { readFileSync } from 'node:fs';
const { trial } = JSON.parse(readFileSync(0, 'utf8'));
console.log(JSON.stringify({ value: trial, details: { args: process.argv.slice(2) } }));
`;
    const dir = writeTree({
      'objective.mjs': objective,
      'exp.yaml': `seed: 1\nspace:\n  preset: sd1-27\nobjective:\n  kind: command\n  command: ${JSON.stringify([process.execPath, 'objective.mjs', ...SHELL_ARGS])}\noptimizer:\n  kind: random\nstop:\n  budget: 2\n`,
    });
    const r = runCli(['run', 'exp.yaml', '--progress', 'none'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const trials = readJournal(path.join(onlyRun(path.join(dir, 'runs')), 'journal.jsonl')).events.filter((e) => e.type === 'trial');
    expect(trials.map((t) => (t as { details?: unknown }).details)).toEqual([{ args: SHELL_ARGS }, { args: SHELL_ARGS }]);
    expect(readdirSync(dir).filter((f) => f.startsWith('pwned'))).toEqual([]);
    recordFigures('hostile-input', { check: "shell syntax in a command objective's command through autombw run", shell_arguments: SHELL_ARGS.length, run_by_a_shell: 0 });
  });
});

describe('image names a ComfyUI server hands back', () => {
  const fakes: FakeComfyUI[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((f) => f.stop()));
  });

  it('never decide where an image is written: names that climb out of the run directory leave nothing outside it', async () => {
    const dir = tempDir('autombw-names-');
    const target = path.join(dir, 'escaped');
    const server = await new FakeComfyUI().start();
    fakes.push(server);
    // The server answers every prompt's history with names that point outside, and serves the
    // images under them. (The fake, like ComfyUI, refuses a file name with ".." or a leading "/",
    // so the climbing is done in the subfolder, which it does not check.)
    const hostileNames = [
      { subfolder: `${'../'.repeat(12)}${path.relative('/', target)}`, filename: 'pwned.png' },
      { subfolder: target, filename: 'abs.png' },
      { subfolder: '..\\..\\..\\escaped', filename: 'C:\\Windows\\pwned.png' },
      { subfolder: '', filename: '%2e%2e%2f%2e%2e%2fpwned.png' },
    ];
    let served = 0;
    const setHistory = server.history.set.bind(server.history);
    server.history.set = (id, entry) => {
      for (const output of Object.values(entry.outputs)) {
        output.images = output.images.map((image) => {
          const name = hostileNames[served++ % hostileNames.length];
          server.files.set(`${image.type}/${name.subfolder}/${name.filename}`, server.files.get(`${image.type}//${image.filename}`)!);
          return { ...image, ...name };
        });
      }
      return setHistory(id, entry);
    };
    const file = path.join(dir, 'exp.yaml');
    writeFileSync(
      file,
      `seed: 4
space:
  preset: sd1-27
  step: 0.05
objective:
  kind: merge
  models: { a: a.safetensors, b: b.safetensors }
  payloads:
    defaults: { width: 64, height: 64, steps: 4 }
    items: [{ name: cat, prompt: a cat, images: 2 }]
  scorer:
    scorers: [{ kind: builtin, model: demo }]
  runtime:
    backend: comfyui
    endpoints: [{ url: "${server.url}", concurrency: 1 }]
    comfyui: { output: history }
    save_images: all
optimizer:
  kind: random
stop:
  budget: 3
output:
  dir: ${JSON.stringify(path.join(dir, 'runs'))}
`,
    );
    const result = await runExperiment(await loadAndHashExperiment(file), { progress: createProgress('none', new PassThrough()) });
    expect(result).toMatchObject({ finished: 3, failed: 0 });
    expect(served).toBeGreaterThanOrEqual(6);
    expect(existsSync(target)).toBe(false);
    expect(filesIn(path.join(result.runDir, 'images')).sort()).toEqual(['000000', '000001', '000002'].flatMap((t) => [`trial-${t}/cat-0.png`, `trial-${t}/cat-1.png`]));
    expect(filesIn(dir).filter((f) => !f.startsWith(`runs${path.sep}`) && f !== 'exp.yaml')).toEqual([]);
    recordFigures('hostile-input', { check: 'image names from a ComfyUI server (path traversal, absolute, Windows paths)', names_served: served, files_outside_run_dir: 0 });
  });
});
