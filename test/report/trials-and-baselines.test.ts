import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../../src/config/load.js';
import { UserInputError } from '../../src/config/issues.js';
import { readJournal, type AskEvent, type TrialEvent } from '../../src/run/journal.js';
import { writeReport } from '../../src/report/write.js';
import { PAYLOAD_MODULE, runFixture, solidPng } from './support.js';
import { tempDir, writeTree } from '../support/tmp.js';

const DEMO_MERGE = `seed: 3
space: {preset: sd1-27, bounds: [0, 1], step: 0.01, freeze: {OUT: 0.25}}
objective:
  kind: merge
  method: weighted-sum
  payloads: {defaults: {images: 1}, items: [{name: fox, prompt: a red fox}]}
  scorer: {scorers: [{kind: builtin, model: demo}]}
  runtime: {backend: demo, save_images: all}
optimizer: {kind: random, baselines: true}
stop: {budget: 5}
`;

describe('the report trial table', () => {
  let html: string;
  beforeAll(async () => {
    const png = path.join(tempDir(), 'generated.png');
    writeFileSync(png, await solidPng(32, 32, [10, 200, 10]));
    const runDir = await runFixture({
      'exp.yaml': `seed: 5\nspace: {preset: sd1-27, step: 0.01}\nobjective: {kind: module, module: payloads.mjs, options: {png: ${JSON.stringify(png)}}}\noptimizer: {kind: random}\nstop: {budget: 6}\n`,
      'payloads.mjs': PAYLOAD_MODULE,
    });
    html = readFileSync(await writeReport(runDir), 'utf8');
  });

  it('lists every trial with a column per block weight', () => {
    const table = /<table class="trials">([\s\S]*?)<\/table>/.exec(html)![1];
    const header = /<thead>([\s\S]*?)<\/thead>/.exec(table)![1];
    for (const column of ['trial', 'value', 'seconds', 'endpoint', 'origin', 'IN00', 'M00', 'OUT11', 'TIME_EMBED', 'images']) expect(header).toContain(`>${column}</th>`);
    expect(table.match(/<tr[ >]/g)!.length - 1).toBe(6);
  });

  it('shows thumbnails of each trial that saved images, one per payload', () => {
    const rows = [...html.matchAll(/<td class="thumbs">(.*?)<\/td>/g)].map((m) => (m[1].match(/<img src="data:image\/jpeg;base64,/g) ?? []).length);
    expect(rows).toEqual([2, 2, 2, 0, 2, 2]); // trial 3 fails before saving anything
  });
});

describe('baselines', () => {
  let runDir: string;
  beforeAll(async () => {
    runDir = await runFixture({ 'exp.yaml': DEMO_MERGE });
  });

  it('evaluates A alone, B alone and the uniform 0.5 merge first, journaled with origin baseline and counted in the budget', () => {
    const { events } = readJournal(path.join(runDir, 'journal.jsonl'));
    const asked = events.filter((e): e is AskEvent => e.type === 'ask').flatMap((e) => e.trials);
    const trials = events.filter((e): e is TrialEvent => e.type === 'trial');
    expect(asked.map((t) => t.origin)).toEqual(['baseline', 'baseline', 'baseline', 'optimizer', 'optimizer']);
    const weightsOf = (id: number) => trials.find((t) => t.id === id)!.weights;
    for (const [id, w] of [[0, 0], [1, 1], [2, 0.5]] as const) {
      expect(new Set(Object.entries(weightsOf(id)).filter(([b]) => b !== 'OUT').map(([, v]) => v))).toEqual(new Set([w]));
      expect(weightsOf(id).OUT).toBe(0.25);
    }
    expect(trials).toHaveLength(5);
  });

  it('are shown beside the best recipe in the report, with their images', async () => {
    const html = readFileSync(await writeReport(runDir), 'utf8');
    const section = /<section id="baselines">([\s\S]*?)<\/section>/.exec(html)![1];
    for (const name of ['A alone (trial 0)', 'B alone (trial 1)', 'uniform 0.5 (trial 2)']) expect(section).toContain(name);
    expect(section.match(/<img src="data:image\/jpeg/g)!.length).toBe(4);
  });

  it('are refused, naming the setting, for an objective that is not a weighted-sum merge', async () => {
    const root = writeTree({ 'exp.yaml': 'seed: 1\nspace: {preset: sd1-27}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: random, baselines: true}\nstop: {budget: 10}\n' });
    const error = await loadExperiment(path.join(root, 'exp.yaml')).catch((e) => e);
    expect(error).toBeInstanceOf(UserInputError);
    expect(String(error.message)).toMatch(/optimizer\.baselines: baselines .* need the merge objective with method weighted-sum/);
  });
});
