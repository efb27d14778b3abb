import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { pngText } from '../../src/runtime/png.js';
import { readJournal, type TrialEvent } from '../../src/run/journal.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment, type RunControls } from '../../src/run/runner.js';
import { FakeComfyUI } from '../support/fake-comfyui.js';
import { tempDir } from '../support/tmp.js';
import './harness.js';

const fakes: FakeComfyUI[] = [];
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

function controls(extra: Partial<RunControls> = {}): RunControls {
  return { progress: createProgress('none', new PassThrough()), ...extra };
}

/** Experiment files in a fresh directory whose runs (and cache) go to its own runs/. */
function writeExperiments(files: Record<string, string>): string {
  const dir = tempDir('autombw-run-');
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), `${text}output:\n  dir: ${JSON.stringify(path.join(dir, 'runs'))}\n`);
  return dir;
}

function trials(runDir: string): TrialEvent[] {
  return readJournal(path.join(runDir, 'journal.jsonl')).events.filter((e): e is TrialEvent => e.type === 'trial');
}

const comfyExperiment = (url: string, preset: string, budget: number) => `seed: 5
space:
  preset: ${preset}
  step: 0.05
objective:
  kind: merge
  models: { a: a.safetensors, b: b.safetensors }
  payloads:
    defaults: { width: 64, height: 64, steps: 4 }
    items:
      - { name: cat, prompt: a cat, images: 2 }
      - a dog
  scorer:
    scorers: [{ kind: builtin, model: demo }]
  runtime:
    backend: comfyui
    endpoints: [{ url: "${url}", concurrency: 2 }]
    save_images: all
optimizer:
  kind: random
stop:
  budget: ${budget}
`;

describe('full runs', () => {
  for (const preset of ['sd1-27', 'sdxl-20']) {
    it(`runs an ${preset} experiment against ComfyUI, every image carrying its recipe`, async () => {
      const f = await new FakeComfyUI().start();
      fakes.push(f);
      const dir = writeExperiments({ 'exp.yaml': comfyExperiment(f.url, preset, 6) });
      const experiment = await loadAndHashExperiment(path.join(dir, 'exp.yaml'));
      const result = await runExperiment(experiment, controls());
      expect(result).toMatchObject({ reason: 'budget', finished: 6, failed: 0 });
      expect(f.received).toHaveLength(12);
      const mergeClass = preset === 'sdxl-20' ? 'ModelMergeSDXL' : 'ModelMergeSD1';
      expect(f.received.every((w) => Object.values(w).some((n) => n.class_type === mergeClass))).toBe(true);
      const image = path.join(result.runDir, 'images', 'trial-000003', 'cat-1.png');
      const recipe = JSON.parse(pngText(readFileSync(image))['autombw:recipe']);
      expect(recipe.weights).toEqual(trials(result.runDir).find((t) => t.id === 3)!.weights);
    });
  }

  it('journals why each failed attempt failed when the trial succeeded on a retry', async () => {
    const f = await new FakeComfyUI().start();
    fakes.push(f);
    f.faults.oom = 1;
    const dir = writeExperiments({ 'exp.yaml': comfyExperiment(f.url, 'sd1-27', 1) });
    const result = await runExperiment(await loadAndHashExperiment(path.join(dir, 'exp.yaml')), controls());
    const [trial] = trials(result.runDir);
    expect(trial).toMatchObject({ status: 'ok', details: { attempts: 2 } });
    expect((trial.details as { failures: unknown }).failures).toEqual([{ endpoint: f.url, kind: 'oom', error: expect.stringMatching(/out of memory/i) }]);
  });

  it('renders nothing again for recipes a longer rerun of the same search repeats', async () => {
    const f = await new FakeComfyUI().start();
    fakes.push(f);
    const dir = writeExperiments({ 'short.yaml': comfyExperiment(f.url, 'sd1-27', 4), 'long.yaml': comfyExperiment(f.url, 'sd1-27', 6) });
    const short = await runExperiment(await loadAndHashExperiment(path.join(dir, 'short.yaml')), controls());
    expect(f.received).toHaveLength(8);
    const long = await runExperiment(await loadAndHashExperiment(path.join(dir, 'long.yaml')), controls());
    expect(long.hash).not.toBe(short.hash);
    expect(f.received).toHaveLength(12); // only trials 4 and 5 were rendered
    const cached = trials(long.runDir).map((t) => (t.details as { cached: number }).cached);
    expect(cached).toEqual(expect.arrayContaining([2, 2, 2, 2, 0, 0]));
  });

  it('resumes a run interrupted mid-evaluation, redoing only the unfinished trials', async () => {
    const f = await new FakeComfyUI({ imageMs: 40 }).start();
    fakes.push(f);
    const dir = writeExperiments({ 'exp.yaml': comfyExperiment(f.url, 'sd1-27', 8) });
    const abort = new AbortController();
    // Ctrl-C twice (hard abort) once three trials are journaled, while others are in flight.
    let done = 0;
    const progress = {
      ...createProgress('none', new PassThrough()),
      trial: () => {
        if (++done === 3) abort.abort();
      },
    };
    const interrupted = await runExperiment(await loadAndHashExperiment(path.join(dir, 'exp.yaml')), controls({ abort: abort.signal, progress }));
    expect(interrupted.finished).toBeGreaterThan(0);
    expect(interrupted.finished).toBeLessThan(8);
    const resumed = await runExperiment(await loadAndHashExperiment(path.join(dir, 'exp.yaml')), controls());
    expect(resumed).toMatchObject({ reason: 'budget', finished: 8, failed: 0, resumed: true });
    expect(trials(resumed.runDir).map((t) => t.id).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs configs/demo.yaml on the CPU, keeping the best recipe\'s images', async () => {
    const dir = writeExperiments({ 'demo.yaml': readFileSync(new URL('../../configs/demo.yaml', import.meta.url), 'utf8').replace('budget: 60', 'budget: 20') });
    const started = performance.now();
    const result = await runExperiment(await loadAndHashExperiment(path.join(dir, 'demo.yaml')), controls());
    expect(performance.now() - started).toBeLessThan(15_000);
    expect(result).toMatchObject({ reason: 'budget', finished: 20, failed: 0 });
    const best = path.join(result.runDir, 'images', 'best');
    expect(readdirSync(best).sort()).toEqual(['best.json', 'fox-0.png', 'fox-1.png', 'lake-0.png', 'lake-1.png']);
    expect(JSON.parse(readFileSync(path.join(best, 'best.json'), 'utf8'))).toEqual({ trial: result.best!.id, value: result.best!.value });
  });
});
