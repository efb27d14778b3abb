import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { importHead } from '../../src/scoring/heads/import.js';
import { Rng } from '../../src/util/rng.js';
import { runMain } from '../report/run-main.js';
import { tempDir } from '../support/tmp.js';
import { HEADS, LAION_V1, f32, stateDictPickle, torchArchive } from '../support/torch-archive.js';

const REFERENCE = fileURLToPath(new URL('../fixtures/torch/head_reference.py', import.meta.url));
const numpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!numpy) console.warn('head-import: python3 with numpy is not available; the comparison with an independent evaluation is skipped');

const N = 16;
/** L2-normalised random embeddings, as the scorer feeds the head. */
function embeddings(dim: number): number[][] {
  const rng = Rng.fromSeed('head-import');
  return Array.from({ length: N }, () => {
    const v = Array.from({ length: dim }, () => rng.normal());
    const norm = Math.hypot(...v);
    return v.map((x) => Math.fround(x / norm));
  });
}

async function onnxScores(onnx: Uint8Array, batch: number[][]): Promise<number[]> {
  const session = await ort.InferenceSession.create(onnx);
  const input = new ort.Tensor('float32', Float32Array.from(batch.flat()), [batch.length, batch[0].length]);
  const { score } = await session.run({ embedding: input });
  expect(score.dims).toEqual([batch.length, 1]);
  return Array.from(score.data as Float32Array);
}

function reference(head: string, batch: number[][]): number[] {
  const r = spawnSync('python3', [REFERENCE, head], { input: JSON.stringify(batch), encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`reference failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as number[];
}

const PUBLISHED: Array<[string, string, string]> = [
  ['LAION v1', LAION_V1, 'laion-v1'],
  ['LAION v2 (sac+logos+ava1)', path.join(HEADS, 'sac+logos+ava1-l14-linearMSE.pth'), 'laion-v2'],
  ['chadscorer', path.join(HEADS, 'chadscorer.pth'), 'laion-v2'],
];

describe('autombw scorer import: published heads to ONNX', () => {
  for (const [label, file, architecture] of PUBLISHED) {
    // The v2 and chad heads live in ../shared (3.7 MB each); without it, or without numpy, the row is skipped, not passed.
    it.skipIf(!numpy || !existsSync(file))(`${label}: the ONNX head gives the scores numpy computes from the same .pth, to 1e-6`, async () => {
      const head = await importHead(file);
      expect(head.architecture).toBe(architecture);
      expect(head.dim).toBe(768);
      const batch = embeddings(768);
      const got = await onnxScores(head.onnx, batch);
      const want = reference(file, batch);
      for (let i = 0; i < N; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-6);
    });
  }

  it('writes the head with the CLI, and the file loads as a scorer head', async () => {
    const out = path.join(tempDir(), 'laion-v1.onnx');
    const { code, stdout } = await runMain(['scorer', 'import', LAION_V1, '-o', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('laion-v1 head on 768-value embeddings');
    const session = await ort.InferenceSession.create(readFileSync(out));
    expect([session.inputNames, session.outputNames]).toEqual([['embedding'], ['score']]);
  });

  it('refuses a state dict that is not a known head, listing its keys', async () => {
    const file = path.join(tempDir(), 'other.pth');
    writeFileSync(file, torchArchive(stateDictPickle([{ name: 'fc.weight', storage: 'FloatStorage', key: '0', shape: [1, 2] }]), { '0': f32([1, 2]) }));
    const { code, stderr } = await runMain(['scorer', 'import', file, '-o', path.join(tempDir(), 'x.onnx')]);
    expect(code).toBe(2);
    expect(stderr).toContain('not a known aesthetic head');
    expect(stderr).toContain('found fc.weight');
  });

  it('refuses LAION v2 keys with other widths, naming them', async () => {
    const widths = [[8, 4], [128, 8], [64, 128], [16, 64], [1, 16]];
    const specs = widths.flatMap(([o, i], n) => {
      const layer = `layers.${[0, 2, 4, 6, 7][n]}`;
      return [
        { name: `${layer}.weight`, storage: 'FloatStorage', key: `${2 * n}`, shape: [o, i] },
        { name: `${layer}.bias`, storage: 'FloatStorage', key: `${2 * n + 1}`, shape: [o] },
      ];
    });
    const storages = Object.fromEntries(specs.map((s) => [s.key, new Uint8Array(4 * s.shape.reduce((a, b) => a * b, 1))]));
    const file = path.join(tempDir(), 'narrow.pth');
    writeFileSync(file, torchArchive(stateDictPickle(specs), storages));
    await expect(importHead(file)).rejects.toThrow('layer widths 8→128→64→16→1 are not the LAION v2 head\'s 1024→128→64→16→1');
  });
});
