import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pngText } from '../../src/runtime/png.js';
import { FakeComfyUI } from '../support/fake-comfyui.js';
import { buildObjective, DEMO_SCORER, evaluate, rampWeights, weightsFor, type Built } from './harness.js';

const fakes: FakeComfyUI[] = [];
const built: Built[] = [];

afterEach(async () => {
  await Promise.all(built.splice(0).map((b) => b.objective.close()));
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
  delete process.env.AUTOMBW_TEST_TOKEN;
});

async function fake(options: ConstructorParameters<typeof FakeComfyUI>[0] = {}): Promise<FakeComfyUI> {
  const f = await new FakeComfyUI({ checkpointValues: { 'a.safetensors': 0, 'b.safetensors': 1, 'c.safetensors': 0.5 }, ...options }).start();
  fakes.push(f);
  return f;
}

const PAYLOADS = { defaults: { width: 64, height: 64, steps: 4 }, items: [{ name: 'cat', prompt: 'a cat', images: 2 }, { name: 'dog', prompt: 'a dog' }] };

function objectiveFor(urls: string[], runtime: Record<string, unknown> = {}, rest: Record<string, unknown> = {}) {
  return {
    models: { a: 'a.safetensors', b: 'b.safetensors' },
    payloads: PAYLOADS,
    scorer: DEMO_SCORER,
    runtime: { backend: 'comfyui', endpoints: urls.map((url) => ({ url, concurrency: 1 })), backoff: 0.01, recheck: 0.05, save_images: 'all', ...runtime },
    ...rest,
  };
}

async function build(...args: Parameters<typeof buildObjective>): Promise<Built> {
  const b = await buildObjective(...args);
  built.push(b);
  return b;
}

/** The merge values the fake rendered into each saved image of a trial, per merge input. */
function renderedValues(b: Built, trial: number): Array<Record<string, number>> {
  const dir = path.join(b.runDir, 'images', `trial-${String(trial).padStart(6, '0')}`);
  return readdirSync(dir).sort().map((f) => JSON.parse(pngText(readFileSync(path.join(dir, f)))['fake:unet']));
}

const SD1_27: Record<string, string> = {
  'time_embed.': 'TIME_EMBED',
  'label_emb.': 'TIME_EMBED',
  'middle_block.0.': 'M00',
  'middle_block.1.': 'M00',
  'middle_block.2.': 'M00',
  'out.': 'OUT',
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`input_blocks.${i}.`, `IN${String(i).padStart(2, '0')}`])),
  ...Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`output_blocks.${i}.`, `OUT${String(i).padStart(2, '0')}`])),
};

describe('ComfyUI backend', () => {
  it('renders an SD1 recipe whose every block weight arrives as ComfyUI ratio 1 − w', async () => {
    const f = await fake();
    const b = await build(objectiveFor([f.url]));
    const weights = rampWeights(b.space);
    const result = await evaluate(b, weights, 0);
    expect(Number.isFinite(result.value)).toBe(true);
    const merge = Object.values(f.received[0]).find((n) => n.class_type === 'ModelMergeSD1')!;
    for (const [input, block] of Object.entries(SD1_27)) expect(merge.inputs[input]).toBeCloseTo(1 - weights[block], 9);
    const images = renderedValues(b, 0);
    expect(images).toHaveLength(3);
    for (const values of images) for (const [input, block] of Object.entries(SD1_27)) expect(values[input]).toBeCloseTo(weights[block], 9);
  });

  it('renders an SDXL recipe with ModelMergeSDXL and merges the text encoders by BASE', async () => {
    const f = await fake();
    const b = await build(objectiveFor([f.url], {}, { payloads: { defaults: { width: 64, height: 64 }, items: ['a castle'] } }), { space: { preset: 'sdxl-20' } });
    const weights = rampWeights(b.space);
    await evaluate(b, weights, 0);
    const nodes = Object.values(f.received[0]);
    const merge = nodes.find((n) => n.class_type === 'ModelMergeSDXL')!;
    expect(merge.inputs['input_blocks.4']).toBeCloseTo(1 - weights.IN04, 9);
    expect(merge.inputs['time_embed.']).toBeCloseTo(1 - weights.IN00, 9);
    expect(merge.inputs['out.']).toBeCloseTo(1 - weights.OUT08, 9);
    expect(nodes.find((n) => n.class_type === 'CLIPMergeSimple')!.inputs.ratio).toBeCloseTo(1 - weights.BASE, 9);
    const [values] = renderedValues(b, 0);
    expect(values['output_blocks.7']).toBeCloseTo(weights.OUT07, 9);
    expect(values['middle_block.1']).toBeCloseTo(weights.M00, 9);
  });

  it('builds add-difference A + w·(B − C) from ComfyUI subtract and add nodes', async () => {
    const f = await fake({ checkpointValues: { 'a.safetensors': 0.2, 'b.safetensors': 0.9, 'c.safetensors': 0.5 } });
    const b = await build(objectiveFor([f.url], {}, { method: 'add-difference', models: { a: 'a.safetensors', b: 'b.safetensors', c: 'c.safetensors' } }));
    const weights = rampWeights(b.space);
    await evaluate(b, weights, 0);
    const [values] = renderedValues(b, 0);
    for (const [input, block] of Object.entries(SD1_27)) expect(values[input]).toBeCloseTo(0.2 + weights[block] * (0.9 - 0.5), 9);
  });

  it('fetches images through /history and /view with output: history', async () => {
    const f = await fake();
    const b = await build(objectiveFor([f.url], { comfyui: { output: 'history' } }));
    const weights = weightsFor(b.space, 0.25);
    await evaluate(b, weights, 0);
    expect(Object.values(f.received[0]).some((n) => n.class_type === 'PreviewImage')).toBe(true);
    expect(renderedValues(b, 0).map((v) => v['input_blocks.3.'])).toEqual([0.25, 0.25, 0.25]);
    expect(f.history.size).toBe(0); // the client removes its history entries
  });

  it('fills a user workflow template, typed where a placeholder is the whole value', async () => {
    const f = await fake();
    const dir = (await import('../support/tmp.js')).tempDir();
    const template = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '{{ckpt_a}}' } },
      '2': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '{{ckpt_b}}' } },
      '3': { class_type: 'ModelMergeSimple', inputs: { model1: ['1', 0], model2: ['2', 0], ratio: '{{ratio:M00}}' } },
      '4': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: 'masterpiece, {{prompt}}' } },
      '5': { class_type: 'CLIPTextEncode', inputs: { clip: ['1', 1], text: '{{negative}}' } },
      '6': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: '{{images}}' } },
      '7': { class_type: 'KSampler', inputs: { model: ['3', 0], positive: ['4', 0], negative: ['5', 0], latent_image: ['6', 0], seed: '{{seed}}', steps: '{{steps}}', cfg: '{{cfg}}', sampler_name: '{{sampler}}', scheduler: '{{scheduler}}', denoise: 1 } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['7', 0], vae: ['1', 2] } },
      '9': { class_type: 'SaveImageWebsocket', inputs: { images: ['8', 0] } },
    };
    writeFileSync(path.join(dir, 'flow.json'), JSON.stringify(template));
    const b = await build(objectiveFor([f.url], { comfyui: { workflow: 'flow.json' } }), { baseDir: dir });
    await evaluate(b, weightsFor(b.space, 0.5, { M00: 0.3 }), 0);
    const sent = f.received[0];
    expect(sent['3'].inputs.ratio).toBeCloseTo(0.7, 9);
    expect(sent['4'].inputs.text).toBe('masterpiece, a cat');
    expect(sent['6'].inputs).toEqual({ width: 64, height: 64, batch_size: 2 });
    expect(sent['7'].inputs.seed).toBe(1);
  });

  it('fails the trial with the node and input ComfyUI names when it rejects the workflow', async () => {
    const f = await fake();
    const dir = (await import('../support/tmp.js')).tempDir();
    const template = {
      '1': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: '{{ckpt_a}}' } },
      '6': { class_type: 'EmptyLatentImage', inputs: { width: '{{width}}', height: '{{height}}', batch_size: '{{images}}' } },
      '7': { class_type: 'KSampler', inputs: { model: ['1', 0], positive: ['1', 1], negative: ['1', 1], latent_image: ['6', 0], seed: 1, steps: 2, cfg: 7, sampler_name: 'euler', scheduler: 'normal' } },
      '8': { class_type: 'VAEDecode', inputs: { samples: ['7', 0], vae: ['1', 2] } },
      '9': { class_type: 'SaveImageWebsocket', inputs: { images: ['8', 0] } },
    };
    writeFileSync(path.join(dir, 'bad.json'), JSON.stringify(template));
    const b = await build(objectiveFor([f.url], { comfyui: { workflow: 'bad.json' } }), { baseDir: dir });
    const failure = evaluate(b, weightsFor(b.space, 0.5), 0);
    await expect(failure).rejects.toThrow(/node 7 \(KSampler\): positive: Return type mismatch.*node 7 \(KSampler\): denoise: Required input is missing/);
    await expect(failure).rejects.toMatchObject({ name: 'EvaluationError' });
  });

  it('names every missing node class, checkpoint and sampler before the run starts', async () => {
    const f = await fake({ without: ['SaveImageWebsocket'], checkpoints: ['a.safetensors', 'sd15/b.safetensors'] });
    const attempt = build(objectiveFor([f.url], {}, { payloads: { items: [{ prompt: 'x', sampler: 'dpmpp_2m_karras' }] } }));
    await expect(attempt).rejects.toMatchObject({
      issues: [
        expect.stringMatching(/lacks node class SaveImageWebsocket \(ComfyUI ships it as custom_nodes\/websocket_image_save\.py: .*--whitelist-custom-nodes websocket_image_save\.py; or, with the built-in graph, set runtime\.comfyui\.output: history\)/),
        expect.stringMatching(/has no checkpoint "b\.safetensors" \(did you mean "sd15\/b\.safetensors"\?\)/),
        expect.stringMatching(/has no sampler "dpmpp_2m_karras"/),
      ],
    });
  });

  it('names only the merge nodes a server lacks, with the file of ComfyUI that defines them', async () => {
    const f = await fake({ without: ['ModelMergeSD1', 'ModelMergeSubtract', 'ModelMergeAdd'] });
    const attempt = build(objectiveFor([f.url], {}, { method: 'add-difference', models: { a: 'a.safetensors', b: 'b.safetensors', c: 'c.safetensors' } }));
    await expect(attempt).rejects.toMatchObject({
      issues: [
        `${f.url} lacks node class ModelMergeSD1 (defined in ComfyUI's comfy_extras/nodes_model_merging_model_specific.py: update ComfyUI; a current build lacking it failed to import that file, and its start-up log says why)`,
        `${f.url} lacks node classes ModelMergeSubtract, ModelMergeAdd (defined in ComfyUI's comfy_extras/nodes_model_merging.py: update ComfyUI; a current build lacking it failed to import that file, and its start-up log says why)`,
      ],
    });
  });

  it('says so before the run when the progress WebSocket cannot be opened', async () => {
    const f = await fake({ refuseWebSocket: true });
    await expect(build(objectiveFor([f.url]))).rejects.toThrow(/the progress WebSocket \(\/ws\) cannot be opened: .*HTTP 400.*must pass WebSockets/);
  });

  it('reads checkpoint lists in the newer ["COMBO", {options}] form', async () => {
    const f = await fake({ comboStyle: 'combo' });
    await expect(build(objectiveFor([f.url]))).resolves.toBeDefined();
  });

  it('sends the credential from the environment variable the endpoint names', async () => {
    const f = await fake({ authorization: 'Bearer s3cret' });
    process.env.AUTOMBW_TEST_TOKEN = 's3cret';
    const b = await build(objectiveFor([], { endpoints: [{ url: f.url, concurrency: 1, auth_env: 'AUTOMBW_TEST_TOKEN' }] }));
    await expect(evaluate(b, weightsFor(b.space, 0.5))).resolves.toHaveProperty('value');
  });

  it('refuses to start when the credential variable is not set', async () => {
    const f = await fake({ authorization: 'Bearer s3cret' });
    await expect(build(objectiveFor([], { endpoints: [{ url: f.url, concurrency: 1, auth_env: 'AUTOMBW_TEST_TOKEN' }] }))).rejects.toThrow(/AUTOMBW_TEST_TOKEN \(auth_env\) is not set/);
  });
});
