import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeComfyUI } from '../support/fake-comfyui.js';
import { tempDir } from '../support/tmp.js';
import { recordFigures, scaled } from './scale.js';

const CHILD = fileURLToPath(new URL('./long-run-child.ts', import.meta.url));

interface Measured {
  memory: Array<{ trials: number; rss_mib: number; heap_mib: number }>;
  warnings: string[];
  finished: number;
  failed: number;
  seconds: number;
}

/** Runs `experiment` in a child process, measuring memory after `checkpoints` trials. */
async function measure(experiment: string, checkpoints: number[]): Promise<Measured> {
  const dir = tempDir('autombw-long-');
  const file = path.join(dir, 'exp.yaml');
  writeFileSync(file, `${experiment}output:\n  dir: ${JSON.stringify(path.join(dir, 'runs'))}\n`);
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', CHILD, file, checkpoints.join(',')], {
    env: { ...process.env, AUTOMBW_CACHE_DIR: path.join(dir, 'hash-cache') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measured;
}

const fakes: FakeComfyUI[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

/** Heap growth per evaluation from the first checkpoint to the last, in KiB. */
function heapGrowthKib(m: Measured): number {
  const [first, last] = [m.memory[0], m.memory.at(-1)!];
  return ((last.heap_mib - first.heap_mib) * 1024) / (last.trials - first.trials);
}

/**
 * Flat memory: the heap grows by no more than what a run must keep per trial (its point and
 * result for the optimizer, well under 1 KiB) plus 4 MiB of measurement noise (GC timing,
 * connection pools), and RSS by no more than 48 MiB.
 */
function expectFlat(m: Measured): void {
  const [first, last] = [m.memory[0], m.memory.at(-1)!];
  expect(last.heap_mib - first.heap_mib).toBeLessThan(4 + (last.trials - first.trials) / 1024);
  expect(last.rss_mib - first.rss_mib).toBeLessThan(48);
}

describe('memory over long runs', () => {
  const evaluations = scaled(1000, 10_000);
  it(`${evaluations} fast evaluations (benchmark function, random search): heap and RSS stay flat`, { timeout: scaled(60_000, 600_000) }, async () => {
    const checkpoints = [100, 1000, 5000, evaluations].filter((n, i, all) => n <= evaluations && all.indexOf(n) === i);
    const m = await measure(`seed: 1\nspace:\n  preset: sd1-27\n  step: 0.01\nobjective:\n  kind: function\n  function: ackley\noptimizer:\n  kind: random\nstop:\n  budget: ${evaluations}\n`, checkpoints);
    expect(m).toMatchObject({ finished: evaluations, failed: 0, warnings: [] });
    expect(m.memory.map((p) => p.trials)).toEqual(checkpoints);
    expectFlat(m);
    recordFigures('long-run', { objective: 'function (ackley), random search', evaluations, seconds: Math.round(m.seconds), memory: m.memory.map(round), heap_growth_kib_per_evaluation: Math.round(heapGrowthKib(m) * 100) / 100 });
  });

  const merges = scaled(300, 2000);
  it(`${merges} evaluations of the merge objective against fake ComfyUI (HTTP, WebSocket, PNG checks, demo scorer, cache): heap and RSS stay flat, no listener leaks`, { timeout: scaled(60_000, 600_000) }, async () => {
    const servers = await Promise.all([0, 1].map(() => new FakeComfyUI().start()));
    fakes.push(...servers);
    const checkpoints = [100, 500, 1000, merges].filter((n) => n <= merges);
    const m = await measure(
      `seed: 2
space:
  preset: sd1-27
  step: 0.01
objective:
  kind: merge
  models: { a: a.safetensors, b: b.safetensors }
  payloads:
    defaults: { width: 64, height: 64, steps: 4 }
    items: [a cat]
  scorer:
    scorers: [{ kind: builtin, model: demo }]
  runtime:
    backend: comfyui
    endpoints: [${servers.map((s) => `{ url: "${s.url}", concurrency: 1 }`).join(', ')}]
    save_images: none
optimizer:
  kind: random
stop:
  budget: ${merges}
`,
      checkpoints,
    );
    expect(m).toMatchObject({ finished: merges, failed: 0, warnings: [] });
    expectFlat(m);
    recordFigures('long-run', { objective: 'merge against 2 fake ComfyUI servers, random search', evaluations: merges, seconds: Math.round(m.seconds), memory: m.memory.map(round), heap_growth_kib_per_evaluation: Math.round(heapGrowthKib(m) * 100) / 100 });
  });
});

function round(p: Measured['memory'][number]): Measured['memory'][number] {
  return { trials: p.trials, rss_mib: Math.round(p.rss_mib * 10) / 10, heap_mib: Math.round(p.heap_mib * 10) / 10 };
}
