/**
 * `npm run bench:scoring`: the scorer's costs on this machine.
 *
 *   1. Preprocessing a 512×512 PNG to the CLIP ViT-L/14 input tensor (decode, bicubic resize of the
 *      shortest side, centre crop, mean/std, CHW float32): one image at a time, and 8 at once.
 *   2. A full scorer pass (preprocessing + encoder + L2 norm + head) on a small CLIP-like ONNX model
 *      built here, at batch 1 and batch 8, in images/s.
 *   3. If Debian's python3-pil is installed (/usr/bin/python3), how far sharp's resize drifts from
 *      PIL's at growing reduction factors, on the fixture image generator.
 *
 * Prints Markdown for BENCHMARKS.md (## Scoring).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { answerHelp } from './help.js';
import { createOnnxScorer } from '../src/scoring/onnx-scorer.js';
import { encodeModel, type NodeSpec } from '../src/scoring/onnx-writer.js';
import { preprocessBatch, PREPROCESS_PRESETS } from '../src/scoring/preprocess.js';
import type { ScoredImage } from '../src/scoring/types.js';
import { Rng } from '../src/util/rng.js';

answerHelp(import.meta.url);

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PYTHON = '/usr/bin/python3';
const spec = PREPROCESS_PRESETS['clip-vit-l14'];
const rng = Rng.fromSeed('bench-scoring');

/** A 512×512 PNG with smooth structure and noise, like a generated image as far as the codec cares. */
async function testPng(r: Rng): Promise<Buffer> {
  const n = 512;
  const px = Buffer.alloc(n * n * 3);
  const phase = [r.float() * 6, r.float() * 6, r.float() * 6];
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      for (let c = 0; c < 3; c++) {
        const v = 128 + 70 * Math.sin(x / (17 + 5 * c) + phase[c]) * Math.cos(y / (23 - 4 * c)) + 20 * (r.float() - 0.5);
        px[(y * n + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return sharp(px, { raw: { width: n, height: n, channels: 3 } }).png().toBuffer();
}

function stats(ms: number[]): { median: number; mean: number; p90: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], mean: s.reduce((a, b) => a + b, 0) / s.length, p90: s[Math.floor(s.length * 0.9)] };
}

async function timeIt(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

// ---- a small CLIP-like model: patchify conv, two per-patch MLP layers, mean pool, projection ----

function linear(r: Rng, inDim: number, outDim: number) {
  return {
    w: Float32Array.from({ length: inDim * outDim }, () => r.normal() / Math.sqrt(inDim)),
    b: Float32Array.from({ length: outDim }, () => r.normal() * 0.01),
  };
}

function encoderBytes(r: Rng, width: number, embed: number): Uint8Array {
  const conv = (name: string, out: number, inC: number, k: number) => [
    { name: `${name}_w`, dims: [out, inC, k, k], values: Float32Array.from({ length: out * inC * k * k }, () => r.normal() / Math.sqrt(inC * k * k)) },
    { name: `${name}_b`, dims: [out], values: Float32Array.from({ length: out }, () => r.normal() * 0.01) },
  ];
  const proj = linear(r, width, embed);
  const nodes: NodeSpec[] = [
    { op: 'Conv', inputs: ['pixel_values', 'patch_w', 'patch_b'], outputs: ['p'], attributes: { kernel_shape: [14, 14], strides: [14, 14] } },
    { op: 'Relu', inputs: ['p'], outputs: ['p1'] },
    { op: 'Conv', inputs: ['p1', 'mlp1_w', 'mlp1_b'], outputs: ['m1'], attributes: { kernel_shape: [1, 1] } },
    { op: 'Relu', inputs: ['m1'], outputs: ['m1r'] },
    { op: 'Conv', inputs: ['m1r', 'mlp2_w', 'mlp2_b'], outputs: ['m2'], attributes: { kernel_shape: [1, 1] } },
    { op: 'GlobalAveragePool', inputs: ['m2'], outputs: ['pool'] },
    { op: 'Flatten', inputs: ['pool'], outputs: ['f'], attributes: { axis: 1 } },
    { op: 'MatMul', inputs: ['f', 'proj_w'], outputs: ['e'] },
    { op: 'Add', inputs: ['e', 'proj_b'], outputs: ['image_embeds'] },
  ];
  return encodeModel({
    name: 'bench-encoder',
    inputs: [{ name: 'pixel_values', type: 'float32', shape: ['N', 3, 224, 224] }],
    outputs: [{ name: 'image_embeds', type: 'float32', shape: ['N', embed] }],
    initializers: [
      ...conv('patch', width, 3, 14),
      ...conv('mlp1', width * 2, width, 1),
      ...conv('mlp2', width, width * 2, 1),
      { name: 'proj_w', dims: [width, embed], values: proj.w },
      { name: 'proj_b', dims: [embed], values: proj.b },
    ],
    nodes,
  });
}

/** The LAION aesthetic v2 head shape: 768→1024→128→64→16→1, linear. */
function headBytes(r: Rng): Uint8Array {
  const sizes = [768, 1024, 128, 64, 16, 1];
  const layers = sizes.slice(0, -1).map((n, i) => linear(r, n, sizes[i + 1]));
  const nodes: NodeSpec[] = [];
  let x = 'input';
  layers.forEach((_, i) => {
    const y = i === layers.length - 1 ? 'score' : `h${i}`;
    nodes.push({ op: 'MatMul', inputs: [x, `w${i}`], outputs: [`${y}_mm`] }, { op: 'Add', inputs: [`${y}_mm`, `b${i}`], outputs: [y] });
    x = y;
  });
  return encodeModel({
    name: 'bench-head',
    inputs: [{ name: 'input', type: 'float32', shape: ['N', 768] }],
    outputs: [{ name: 'score', type: 'float32', shape: ['N', 1] }],
    initializers: layers.flatMap((l, i) => [
      { name: `w${i}`, dims: [sizes[i], sizes[i + 1]], values: l.w },
      { name: `b${i}`, dims: [sizes[i + 1]], values: l.b },
    ]),
    nodes,
  });
}

// ---- parity with PIL -------------------------------------------------------------------------------

function pilAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import PIL, numpy'], { stdio: 'ignore' }).status === 0;
}

/** sharp's vs PIL's bicubic 224×224 resize of the fixture generator's image at `width`×0.8·`width`. */
async function parity(width: number, dir: string): Promise<{ factor: string; mean: number; max: number; within1: number }> {
  const height = Math.round(width * 0.8);
  const script = [
    'import runpy, sys, numpy as np',
    'from PIL import Image',
    `g = runpy.run_path(${JSON.stringify(path.join(ROOT, 'test/fixtures/scoring/make-preprocess-fixture.py'))}, run_name='fixture_lib')`,
    `img = g['make_image'](${width}, ${height})`,
    `img.save(${JSON.stringify(path.join(dir, 'in.png'))})`,
    `np.asarray(img.resize((224, 224), Image.BICUBIC)).astype(np.uint8).tofile(${JSON.stringify(path.join(dir, 'pil.raw'))})`,
  ].join('\n');
  const r = spawnSync(PYTHON, ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  const ref = readFileSync(path.join(dir, 'pil.raw'));
  const ours = await sharp(readFileSync(path.join(dir, 'in.png'))).resize(224, 224, { fit: 'fill', kernel: 'cubic' }).raw().toBuffer();
  let sum = 0;
  let max = 0;
  let within = 0;
  for (let i = 0; i < ref.length; i++) {
    const d = Math.abs(ours[i] - ref[i]);
    sum += d;
    max = Math.max(max, d);
    if (d <= 1) within++;
  }
  return { factor: `${(width / 224).toFixed(2)}× / ${(height / 224).toFixed(2)}×`, mean: sum / ref.length, max, within1: within / ref.length };
}

// ---- main ------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const pngs = await Promise.all(Array.from({ length: 8 }, (_, i) => testPng(rng.derive('png', i))));
  const log = (line: string) => process.stderr.write(`${line}\n`);

  log('preprocessing…');
  for (let i = 0; i < 5; i++) await preprocessBatch([pngs[i % 8]], spec);
  const single: number[] = [];
  for (let i = 0; i < 80; i++) single.push(await timeIt(() => preprocessBatch([pngs[i % 8]], spec)));
  const eight: number[] = [];
  for (let i = 0; i < 15; i++) eight.push(await timeIt(() => preprocessBatch(pngs, spec)));
  const s1 = stats(single);
  const s8 = stats(eight);

  log('scorer passes…');
  const encoder = encoderBytes(rng.derive('encoder'), 256, 768);
  const head = headBytes(rng.derive('head'));
  const images: ScoredImage[] = Array.from({ length: 32 }, (_, i) => ({ data: pngs[i % 8], prompt: '', payload: 'bench', index: i }));
  const rows: string[] = [];
  for (const batch of [1, 8]) {
    const scorer = await createOnnxScorer({
      name: 'bench',
      stages: { kind: 'head', encoder: { bytes: encoder, label: 'encoder' }, head: { bytes: head, label: 'head' } },
      preprocess: spec,
      normalize: true,
      batch,
      runtime: { provider: 'cpu', device: 0, threads: 0 },
      identity: '',
      log,
    });
    await scorer.score(images.slice(0, 8));
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) runs.push(await timeIt(() => scorer.score(images)));
    await scorer.close?.();
    const ms = stats(runs).median;
    rows.push(`| ${batch} | ${(images.length / (ms / 1000)).toFixed(1)} | ${(ms / images.length).toFixed(1)} |`);
  }

  const parityRows: string[] = [];
  if (pilAvailable()) {
    log('parity with PIL…');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'autombw-bench-scoring-'));
    try {
      for (const width of [600, 896, 1200, 2400]) {
        const p = await parity(width, dir);
        parityRows.push(`| ${width}×${Math.round(width * 0.8)} → 224×224 | ${p.factor} | ${p.mean.toFixed(2)} | ${p.max} | ${(100 * p.within1).toFixed(1)} % |`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const out = [
    `Machine: ${cpu}, ${os.cpus().length} logical cores, Node ${process.version}, sharp ${sharp.versions.sharp} (libvips ${sharp.versions.vips}), onnxruntime-node CPU provider.`,
    '',
    '512×512 PNG → CLIP ViT-L/14 input tensor [3, 224, 224] (decode, bicubic resize, centre crop, mean/std):',
    '',
    '| images per call | median ms per call | mean ms per call | p90 ms per call | ms per image |',
    '|---|---|---|---|---|',
    `| 1 | ${s1.median.toFixed(2)} | ${s1.mean.toFixed(2)} | ${s1.p90.toFixed(2)} | ${s1.median.toFixed(2)} |`,
    `| 8 | ${s8.median.toFixed(2)} | ${s8.mean.toFixed(2)} | ${s8.p90.toFixed(2)} | ${(s8.median / 8).toFixed(2)} |`,
    '',
    'Full scorer pass, 32 images of 512×512: preprocessing + a small CLIP-like encoder (14×14 patch conv 3→256, per-patch MLP 256→512→256, mean pool, projection 256→768) + L2 norm + LAION-v2-shaped head (768→1024→128→64→16→1):',
    '',
    '| batch | images/s | ms per image |',
    '|---|---|---|',
    ...rows,
  ];
  if (parityRows.length > 0) {
    out.push(
      '',
      'sharp vs PIL 9.4 bicubic resize to 224×224 (8-bit levels, all channels), fixture image generator at several sizes:',
      '',
      '| resize | reduction (w / h) | mean abs difference | max | within 1 level |',
      '|---|---|---|---|---|',
      ...parityRows,
    );
  }
  console.log(out.join('\n'));
}

await main();
