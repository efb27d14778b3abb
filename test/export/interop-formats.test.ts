import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comfyWorkflow } from '../../src/export/comfyui-workflow.js';
import { bestRecipe } from '../../src/export/recipe.js';
import { sdwebAutoMbw } from '../../src/export/sdweb-auto-mbw.js';
import { supermergerPreset } from '../../src/export/supermerger-preset.js';
import { readRun, type RunData } from '../../src/report/run-data.js';
import { parseRecipeString } from '../../src/space/recipe.js';
import { FakeComfyUI, SD1_MERGE_INPUTS, SDXL_MERGE_INPUTS } from '../support/fake-comfyui.js';
import { runMain } from '../report/run-main.js';
import { runFixture } from '../report/support.js';
import { tempDir } from '../support/tmp.js';

// Model hashes are cached per user; tests keep theirs out of the home directory.
process.env.AUTOMBW_CACHE_DIR ??= tempDir('autombw-hash-cache-');

const comfyExperiment = (url: string, preset: string, method = 'weighted-sum') => `seed: 5
space: { preset: ${preset}, step: 0.05 }
objective:
  kind: merge
  models: { a: a.safetensors, b: b.safetensors${method === 'add-difference' ? ', c: c.safetensors' : ''} }
  method: ${method}
  payloads:
    defaults: { width: 64, height: 64, steps: 4, sampler: dpmpp_2m, scheduler: karras }
    items: [{ name: cat, prompt: a cat on a roof, images: 2 }, a dog]
  scorer: { scorers: [{ kind: builtin, model: demo }] }
  runtime: { backend: comfyui, endpoints: [{ url: "${url}" }] }
optimizer: { kind: random }
stop: { budget: 3 }
`;

/** POSTs an API-format workflow to the fake ComfyUI, which validates it like validate_prompt and executes it. */
async function queue(fake: FakeComfyUI, workflow: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${fake.url}/prompt`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ prompt: workflow }), signal: AbortSignal.timeout(30_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('ComfyUI export (API format)', () => {
  const fake = new FakeComfyUI();
  const runs: Record<string, RunData> = {};

  beforeAll(async () => {
    await fake.start();
    for (const [key, preset, method] of [['sd1', 'sd1-27', 'weighted-sum'], ['sdxl', 'sdxl-20', 'weighted-sum'], ['sd1-ad', 'sd1-27', 'add-difference']]) {
      runs[key] = readRun(await runFixture({ 'exp.yaml': comfyExperiment(fake.url, preset, method) }));
    }
  });
  afterAll(() => fake.stop());

  it('sets ModelMergeSD1 to the best recipe at ratio 1 − w under ComfyUI\'s SD1 input names (trailing dots)', () => {
    const recipe = bestRecipe(runs.sd1)!;
    const { workflow } = comfyWorkflow(recipe, runs.sd1);
    const merge = Object.values(workflow).find((n) => n.class_type === 'ModelMergeSD1')!;
    const ratios = Object.fromEntries(Object.entries(merge.inputs).filter(([k]) => !k.startsWith('model')));
    expect(Object.keys(ratios)).toEqual(SD1_MERGE_INPUTS);
    expect(ratios['time_embed.']).toBeCloseTo(1 - recipe.weights.TIME_EMBED, 9);
    expect(ratios['input_blocks.4.']).toBeCloseTo(1 - recipe.weights.IN04, 9);
    expect(ratios['middle_block.1.']).toBeCloseTo(1 - recipe.weights.M00, 9);
    expect(ratios['out.']).toBeCloseTo(1 - recipe.weights.OUT, 9);
  });

  it.each(['sd1', 'sdxl', 'sd1-ad'])('gives a %s workflow the fake ComfyUI accepts against its node definitions and executes', async (key) => {
    const { workflow } = comfyWorkflow(bestRecipe(runs[key])!, runs[key]);
    const before = fake.executed;
    const { status, body } = await queue(fake, workflow);
    expect([status, body.node_errors]).toEqual([200, {}]);
    await expect.poll(() => fake.executed, { timeout: 30_000 }).toBe(before + 1);
  });

  it('uses SDXL\'s input names (no trailing dot on blocks) for an SDXL recipe', () => {
    const { workflow } = comfyWorkflow(bestRecipe(runs.sdxl)!, runs.sdxl);
    const merge = Object.values(workflow).find((n) => n.class_type === 'ModelMergeSDXL')!;
    expect(Object.keys(merge.inputs).filter((k) => !k.startsWith('model'))).toEqual(SDXL_MERGE_INPUTS);
  });

  it('renders the run\'s first payload with its checkpoints and saves the images', () => {
    const { workflow } = comfyWorkflow(bestRecipe(runs.sd1)!, runs.sd1);
    const nodes = Object.values(workflow);
    expect(nodes.filter((n) => n.class_type === 'CheckpointLoaderSimple').map((n) => n.inputs.ckpt_name)).toEqual(['a.safetensors', 'b.safetensors']);
    expect(nodes.find((n) => n.class_type === 'CLIPTextEncode')!.inputs.text).toBe('a cat on a roof');
    expect(nodes.find((n) => n.class_type === 'KSampler')!.inputs).toMatchObject({ steps: 4, sampler_name: 'dpmpp_2m', scheduler: 'karras' });
    expect(nodes.at(-1)).toMatchObject({ class_type: 'SaveImage', inputs: { filename_prefix: 'autombw' } });
  });

  it('is written by autombw export --format comfyui', async () => {
    const out = path.join(runs.sd1.dir, 'wf.json');
    const { code } = await runMain(['export', runs.sd1.dir, '--format', 'comfyui', '-o', out]);
    expect(code).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(comfyWorkflow(bestRecipe(runs.sd1)!, runs.sd1).workflow);
  });
});

describe('sdweb-auto-mbw export', () => {
  let run: RunData;
  beforeAll(async () => {
    run = readRun(await runFixture({
      'exp.yaml': 'seed: 3\nspace: {preset: sd1-26, step: 0.01}\nobjective: {kind: module, module: m.mjs}\noptimizer: {kind: random}\nstop: {budget: 4}\n',
      'm.mjs': 'export const evaluate = (w) => w.IN03 - w.BASE;\n',
    }));
  });

  it('writes the 25 UNet weights in block order and BASE as base_alpha: supermerger\'s string without BASE', () => {
    const recipe = bestRecipe(run)!;
    const { text, warnings } = sdwebAutoMbw(recipe);
    expect(warnings).toEqual([]);
    const [weightsLine, baseLine] = text.split('\n');
    const values = weightsLine.replace('weights: ', '').split(',').map(Number);
    expect(values).toHaveLength(25);
    const back = parseRecipeString([baseLine.replace('base_alpha: ', ''), ...values].join(','), 'supermerger');
    expect(back.weights).toEqual(recipe.weights);
  });

  it('folds TIME_EMBED into IN00 and OUT into OUT11 for an sd1-27 recipe, saying so', () => {
    const weights = Object.fromEntries(['IN00', 'IN01', 'IN02', 'IN03', 'IN04', 'IN05', 'IN06', 'IN07', 'IN08', 'IN09', 'IN10', 'IN11', 'M00', ...Array.from({ length: 12 }, (_, i) => `OUT${String(i).padStart(2, '0')}`), 'TIME_EMBED', 'OUT'].map((b, i) => [b, i / 100]));
    const { text, warnings } = sdwebAutoMbw({ preset: 'sd1-27', weights });
    expect(text.split('\n')[0].split(',')[0]).toBe('weights: 0');
    expect(text.split('\n')[1]).toBe('base_alpha: 0');
    expect(warnings.join('\n')).toMatch(/folds TIME_EMBED into IN00/);
  });

  it('refuses an SDXL recipe', () => {
    expect(() => sdwebAutoMbw({ preset: 'sdxl-20', weights: {} })).toThrow('SD1 checkpoints only');
  });

  it('is written by autombw export --format sdweb-auto-mbw', async () => {
    const { code, stdout } = await runMain(['export', run.dir, '--format', 'sdweb-auto-mbw']);
    expect(code).toBe(0);
    expect(stdout.trim()).toBe(sdwebAutoMbw(bestRecipe(run)!).text);
  });
});

/** supermerger's tagdict(): a line is a preset when it splits at the first tab or colon into a name and exactly 26 values. */
function tagdict(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.search(/[:\t]/);
    if (at < 0) continue;
    const value = line.slice(at + 1);
    if (value.split(',').length === 26) out[line.slice(0, at).trim()] = value.trim();
  }
  return out;
}

describe('supermerger preset line', () => {
  it('is a line supermerger\'s presets file keeps, whose 26 values read back to the recipe in sd1-26', async () => {
    const run = readRun(await runFixture({
      'exp.yaml': 'name: "a: run"\nseed: 4\nspace: {preset: sd1-26, step: 0.01}\nobjective: {kind: module, module: m.mjs}\noptimizer: {kind: random}\nstop: {budget: 3}\n',
      'm.mjs': 'export const evaluate = (w) => w.OUT02;\n',
    }));
    const recipe = bestRecipe(run)!;
    const { text } = supermergerPreset(recipe);
    const presets = tagdict(`preset_name\tpreset_weights\n${text}\n`);
    const [name] = Object.keys(presets);
    expect(name).toBe(`autombw_${run.info.hash.slice(0, 12)}_trial${recipe.trial}`);
    expect(parseRecipeString(presets[name], 'supermerger').weights).toEqual(recipe.weights);
    const { code, stdout } = await runMain(['export', run.dir, '--format', 'supermerger-preset']);
    expect([code, stdout.trim()]).toEqual([0, text]);
  });

  it('refuses an SDXL recipe', () => {
    expect(() => supermergerPreset({ preset: 'sdxl-20', weights: {}, name: 'x', value: 0, trial: 0, run: 'f'.repeat(64) })).toThrow('26-value SD1 presets');
  });
});
