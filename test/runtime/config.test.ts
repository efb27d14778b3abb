import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { writeTree } from '../support/tmp.js';
import { buildObjective, DEMO_SCORER } from './harness.js';

/** The experiment's problems as the CLI prints them: `file:line:col: path: message`. */
async function problems(files: Record<string, string>): Promise<string[]> {
  const dir = writeTree(files);
  try {
    await loadExperiment(path.join(dir, 'exp.yaml'));
  } catch (e) {
    return ((e as { issues?: string[] }).issues ?? [String(e)]).map((line) => line.replace(`${dir}/`, ''));
  }
  return [];
}

const experiment = (objective: string) => `space:
  preset: sd1-27
objective:
  kind: merge
${objective}
  scorer:
    scorers: [{ kind: builtin }]
optimizer:
  kind: random
stop:
  budget: 5
`;

const comfy = `  models: { a: a.safetensors, b: b.safetensors }
  runtime: { backend: comfyui }`;

describe('merge objective: configuration errors located in the files', () => {
  it('points at the payload whose name repeats', async () => {
    const lines = await problems({
      'exp.yaml': experiment(`${comfy}
  payloads:
    items:
      - { name: cat, prompt: a cat }
      - { name: cat, prompt: another cat }`),
    });
    expect(lines).toEqual([expect.stringMatching(/^exp\.yaml:10:17: objective\.payloads\.items\[1\]\.name: payload name "cat" is already used by items\[0\]$/)]);
  });

  it('points into an !include\'d payload file for an unknown wildcard', async () => {
    const lines = await problems({
      'exp.yaml': experiment(`${comfy}
  payloads: !include payloads.yaml`),
      'payloads.yaml': 'wildcards: { style: [oil, ink] }\nitems:\n  - prompt: a cat\n  - prompt: a dog, __stlye__\n',
    });
    expect(lines).toEqual([expect.stringMatching(/^payloads\.yaml:4:13: objective\.payloads\.items\[1\]\.prompt: unknown wildcard __stlye__ \(did you mean __style__\?\)/)]);
  });

  it('names file, line and column inside a payload file given by path', async () => {
    const lines = await problems({
      'exp.yaml': experiment(`${comfy}
  payloads: sets/payloads.yaml`),
      'sets/payloads.yaml': 'items:\n  - prompt: a cat\n    cfg: -1\n',
    });
    expect(lines).toEqual([expect.stringMatching(/^exp\.yaml:7:13: objective\.payloads: .*sets\/payloads\.yaml:3:10: items\[0\]\.cfg: expected a number >= 0/)]);
  });

  it('refuses TIES on ComfyUI, whose nodes cannot express it', async () => {
    const lines = await problems({ 'exp.yaml': experiment(`${comfy}\n  method: ties\n  payloads: { items: [a cat] }`).replace('b: b.safetensors }', 'b: b.safetensors, c: c.safetensors }') });
    expect(lines).toEqual([expect.stringMatching(/exp\.yaml:\d+:\d+: objective\.method: ComfyUI's built-in nodes cannot express ties/)]);
  });

  it('asks for model C when the method reads it', async () => {
    const lines = await problems({ 'exp.yaml': experiment(`${comfy}\n  method: add-difference\n  payloads: { items: [a cat] }`) });
    expect(lines).toEqual([expect.stringMatching(/objective\.models: method add-difference needs models\.c/)]);
  });

  it('asks for the models a real backend merges', async () => {
    const lines = await problems({ 'exp.yaml': experiment('  payloads: { items: [a cat] }') });
    expect(lines).toEqual([expect.stringMatching(/objective: missing required key "models"/)]);
  });

  it('asks A1111 for the directory the web UI reads, and for checkpoint files that exist', async () => {
    const lines = await problems({ 'exp.yaml': experiment('  models: { a: a.safetensors, b: m/b.safetensors }\n  runtime: { backend: a1111 }\n  payloads: { items: [a cat] }') });
    expect(lines).toEqual([
      expect.stringMatching(/objective\.models\.a: file not found: a\.safetensors/),
      expect.stringMatching(/objective\.models\.b: file not found: m\/b\.safetensors/),
      expect.stringMatching(/objective\.runtime\.a1111: backend a1111 needs models_dir/),
    ]);
  });

  it('recognizes a workflow saved in ComfyUI\'s UI format', async () => {
    const lines = await problems({
      'exp.yaml': experiment('  models: { a: a.safetensors, b: b.safetensors }\n  runtime: { backend: comfyui, comfyui: { workflow: flow.json } }\n  payloads: { items: [a cat] }'),
      'flow.json': JSON.stringify({ nodes: [], links: [], version: 0.4 }),
    });
    expect(lines).toEqual([expect.stringMatching(/objective\.runtime\.comfyui\.workflow: flow\.json: this is ComfyUI's UI format; save the workflow with "Export \(API\)"/)]);
  });

  it('tells the demo backend\'s users that it brings its own models', async () => {
    const lines = await problems({ 'exp.yaml': experiment('  models: { a: a.safetensors, b: b.safetensors }\n  runtime: { backend: demo }\n  payloads: { items: [a cat] }') });
    expect(lines).toEqual([expect.stringMatching(/objective\.models: backend demo brings its own models/)]);
  });

  it('refuses block weights outside ComfyUI\'s [0, 1] ratios before the run starts', async () => {
    const attempt = buildObjective(
      { models: { a: 'a.safetensors', b: 'b.safetensors' }, payloads: { items: ['a cat'] }, scorer: DEMO_SCORER, runtime: { backend: 'comfyui', endpoints: [{ url: 'http://127.0.0.1:9' }] } },
      { space: { bounds: [0, 1], ranges: { IN03: [-0.5, 1.5] } } },
    );
    await expect(attempt).rejects.toThrow(/block weights must stay in \[0, 1\]; outside: IN03 \[-0\.5, 1\.5\]/);
  });
});

describe('example configs', () => {
  for (const name of ['comfyui-sd15.yaml', 'comfyui-sdxl.yaml', 'a1111.yaml']) {
    it(`${name} is valid except for the user's own model files`, async () => {
      const file = new URL(`../../configs/${name}`, import.meta.url);
      let lines: string[] = [];
      try {
        await loadExperiment(file.pathname);
      } catch (e) {
        lines = (e as { issues?: string[] }).issues ?? [String(e)];
      }
      expect(lines.length).toBeGreaterThan(0);
      for (const line of lines) expect(line).toMatch(/file not found|directory not found/);
    });
  }
});
