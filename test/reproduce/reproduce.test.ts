import { cpSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { sd1TextEncoderKeys, sd1UnetKeys } from '../../src/runtime/demo/sd1-keys.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { writeTensors } from '../support/checkpoints.js';
import { FakeA1111 } from '../support/fake-a1111.js';
import { tempDir, writeTree } from '../support/tmp.js';
import { runMain } from '../report/run-main.js';

const FUNCTION_EXPERIMENT = `seed: 5
space: {preset: sd1-27, step: 0.01}
objective: {kind: function, function: ackley, noise: 0.1}
optimizer: {kind: stochastic-hill-climbing, options: {}}
stop: {budget: 15}
`;

/** A module objective whose values depend on a file outside the config (as a GPU's rounding would). */
const MODULE = `import { readFileSync } from 'node:fs';
import path from 'node:path';
export function evaluate(weights, context) {
  const offset = Number(readFileSync(path.join(context.options.dir, 'offset.txt'), 'utf8'));
  return -Object.values(weights).reduce((s, w) => s + (w - 0.4) ** 2, 0) + offset;
}
`;

async function run(dir: string, file = 'exp.yaml'): Promise<string> {
  const exp = await loadAndHashExperiment(path.join(dir, file));
  exp.config.output.dir = path.join(dir, 'runs');
  return (await runExperiment(exp, { progress: createProgress('none', process.stdout) })).runDir;
}

const reproduce = (...args: string[]) => runMain(['reproduce', '--progress', 'none', ...args]);

describe('reproduce a run of a deterministic objective', () => {
  it('finds the run by hash prefix, re-runs it in a new directory, and reports bit-identical proposals and values', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const runDir = await run(dir);
    const out = path.join(dir, 'again');
    const r = await reproduce(path.basename(runDir).slice(0, 8), '--runs-dir', path.join(dir, 'runs'), '--output-dir', out);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok +config and files: hash [0-9a-f]{12} unchanged/m);
    expect(r.stdout).toMatch(/^ok +proposals: the optimizer proposes the same 15 points from the recorded values$/m);
    expect(r.stdout).toMatch(/^ok +values: 15 of 15 trials compared, exact match required: 15 bit-identical, largest difference 0$/m);
    expect(r.stdout).toMatch(/^REPRODUCED$/m);
    expect(readdirSync(out)).toEqual([path.basename(runDir)]);
  });

  it('works on a run directory moved elsewhere', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const runDir = await run(dir);
    const moved = path.join(tempDir(), 'archive', 'my-run');
    mkdirSync(path.dirname(moved), { recursive: true });
    renameSync(runDir, moved);
    rmSync(dir, { recursive: true });
    const r = await reproduce(moved, '--output-dir', path.join(path.dirname(moved), 'again'));
    expect(r.stdout).toMatch(/^note +the run's base directory .* does not exist here/m);
    expect(r.code, r.stdout).toBe(0);
  });

  it('fails when the resolved config was edited, naming the setting and both values', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const runDir = await run(dir);
    const file = path.join(runDir, 'config.resolved.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^seed: 5$/m, 'seed: 6').replace(/^(\s+)noise: 0.1$/m, '$1noise: 0.2'));
    const r = await reproduce(runDir, '--output-dir', path.join(dir, 'again'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +config and files: the run hash is now [0-9a-f]{12}, was [0-9a-f]{12}: config changed: objective\.noise was 0\.1, now 0\.2; config changed: seed was 5, now 6$/m);
    expect(r.stdout).toMatch(/^NOT REPRODUCED$/m);
  });

  it('fails when the optimizer would now propose another point, naming the trial', async () => {
    const dir = writeTree({ 'exp.yaml': FUNCTION_EXPERIMENT });
    const runDir = await run(dir);
    const journal = path.join(runDir, 'journal.jsonl');
    const lines = readFileSync(journal, 'utf8').split('\n');
    const ask = lines.findIndex((l, i) => i > 8 && l.includes('"type":"ask"'));
    const event = JSON.parse(lines[ask]);
    const id = event.trials[0].id;
    event.trials[0].x[2] = 0.123;
    lines[ask] = JSON.stringify(event);
    writeFileSync(journal, lines.join('\n'));
    const r = await reproduce(runDir, '--output-dir', path.join(dir, 'again'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^FAIL +proposals: trial ${id}: coordinate 2 was 0\\.123, the optimizer now proposes `, 'm'));
  });
});

describe('reproduce a merge run on the demo backend', () => {
  it('requires bit-identical values: the CPU demo renders and scores deterministically', async () => {
    const demo = readFileSync(new URL('../../configs/demo.yaml', import.meta.url), 'utf8').replace(/budget: \d+/, 'budget: 4');
    const dir = writeTree({ 'exp.yaml': demo });
    const runDir = await run(dir);
    const r = await reproduce(runDir, '--output-dir', path.join(dir, 'again'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok +values: 4 of 4 trials compared, exact match required: 4 bit-identical/m);
  });
});

describe('reproduce an objective that is not bit-reproducible', () => {
  const setup = async () => {
    const dir = writeTree({
      'exp.yaml': `seed: 1\nspace: {preset: sdxl-20, step: 0.01}\nobjective: {kind: module, module: obj.mjs, options: {dir: DIR}}\noptimizer: {kind: random}\nstop: {budget: 6}\n`,
      'obj.mjs': MODULE,
      'offset.txt': '0',
    });
    writeFileSync(path.join(dir, 'exp.yaml'), readFileSync(path.join(dir, 'exp.yaml'), 'utf8').replace('DIR', JSON.stringify(dir)));
    return { dir, runDir: await run(dir) };
  };

  it('passes when values differ within the tolerance, and states the largest difference', async () => {
    const { dir, runDir } = await setup();
    writeFileSync(path.join(dir, 'offset.txt'), '0.0001');
    const r = await reproduce(runDir, '--output-dir', path.join(dir, 'again'));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^ok +values: 6 of 6 trials compared, tolerance 0\.001 relative \(objective not bit-reproducible\): 0 bit-identical, largest difference 0\.0001$/m);
  });

  it('fails beyond the tolerance, naming the first trial and both values', async () => {
    const { dir, runDir } = await setup();
    writeFileSync(path.join(dir, 'offset.txt'), '0.5');
    const r = await reproduce(runDir, '--output-dir', path.join(dir, 'again'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +values: trial 0: value -?[\d.]+ in the run, -?[\d.]+ in the reproduction \(difference 0\.500\)$/m);
  });

  it('--tolerance widens what counts as the same value', async () => {
    const { dir, runDir } = await setup();
    writeFileSync(path.join(dir, 'offset.txt'), '0.5');
    const r = await reproduce(runDir, '--tolerance', '0.5', '--output-dir', path.join(dir, 'again'));
    expect(r.code, r.stdout).toBe(0);
  });
});

describe('reproduce a merge run (AUTOMATIC1111 backend, fake server)', () => {
  let server: FakeA1111;
  let dir: string;
  let runDir: string;

  beforeAll(async () => {
    dir = tempDir('autombw-reproduce-');
    const models = path.join(dir, 'webui-models');
    mkdirSync(models);
    const keys = [...sd1UnetKeys(), ...sd1TextEncoderKeys()];
    for (const [name, value] of [['a', 0], ['b', 1]] as const) {
      await writeTensors(path.join(dir, `${name}.safetensors`), keys.map((k) => ({ name: k, dtype: 'F32', shape: [2], values: [value, value] })));
    }
    writeFileSync(path.join(dir, 'score.mjs'), `import { statSync } from 'node:fs';\nconsole.log(process.argv.slice(2).map((f) => statSync(f).size % 97).join(' '));\n`);
    server = await new FakeA1111({ modelsDir: models }).start();
    writeFileSync(
      path.join(dir, 'exp.yaml'),
      `seed: 2
space: {preset: sd1-27, step: 0.05}
objective:
  kind: merge
  models: {a: a.safetensors, b: b.safetensors}
  payloads: {defaults: {width: 64, height: 64}, items: ['a cat']}
  scorer: {scorers: [{kind: command, command: [${JSON.stringify(process.execPath)}, score.mjs]}]}
  runtime: {backend: a1111, endpoints: [{url: ${JSON.stringify(server.url)}}], a1111: {models_dir: ${JSON.stringify(models)}, precision: f32}}
optimizer: {kind: random}
stop: {budget: 3}
`,
    );
    runDir = await run(dir);
  });
  afterAll(() => server.stop());

  /** The experiment directory copied beside itself (the program path is stored relative to it, so the depth must match). */
  function copyAtSameDepth(): string {
    const copy = tempDir('autombw-reproduce-copy-');
    cpSync(dir, copy, { recursive: true });
    return copy;
  }

  it('reproduces the unchanged run', async () => {
    const r = await reproduce(runDir, '--output-dir', path.join(dir, 'again'));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok +values: 3 of 3 trials compared, tolerance 0\.001 relative/m);
  });

  it('fails, naming the model, when a model file changed', async () => {
    const copy = copyAtSameDepth();
    const b = path.join(copy, 'b.safetensors');
    const bytes = readFileSync(b);
    bytes[bytes.length - 1] ^= 1;
    writeFileSync(b, bytes);
    const r = await reproduce(path.join(copy, 'runs', path.basename(runDir)), '--base-dir', copy, '--output-dir', path.join(copy, 'again'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +config and files: the run hash is now [0-9a-f]{12}, was [0-9a-f]{12}: model B changed \(objective\.fingerprint\.models\.b: was "[0-9a-f]+", now "[0-9a-f]+"\)$/m);
  });

  it('fails, naming the scorer, when the scoring script changed', async () => {
    const copy = copyAtSameDepth();
    writeFileSync(path.join(copy, 'score.mjs'), `console.log(process.argv.slice(2).map(() => 1).join(' '));\n`);
    const r = await reproduce(path.join(copy, 'runs', path.basename(runDir)), '--base-dir', copy, '--output-dir', path.join(copy, 'again'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^FAIL +config and files: .*: the scorer changed \(objective\.fingerprint\.scorer\.scorers\[0\]\.judge\.files\["1"\]: was "[0-9a-f]+", now "[0-9a-f]+"\)$/m);
  });
});
