import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/config/canonical.js';
import { UserInputError } from '../../src/config/issues.js';
import { createDemoScorer } from '../../src/scoring/builtin/demo.js';
import { createScorer, fingerprintScoring, resolveScoring } from '../../src/scoring/create-scorer.js';
import { createOnnxScorer } from '../../src/scoring/onnx-scorer.js';
import { PREPROCESS_PRESETS } from '../../src/scoring/preprocess.js';
import { Rng } from '../../src/util/rng.js';
import { mlpModel, randomLinear, randomPatchEncoder, singleStageModel, encoderModel } from '../support/onnx-builder.js';
import { randomPng, scoredImages } from '../support/images.js';

const rng = Rng.fromSeed('create-scorer');
const single = randomPatchEncoder(rng.derive('single'), 4, 8, 1);
const custom = { size: 32 };
const spec = { ...PREPROCESS_PRESETS['clip-vit-l14'], width: 32, height: 32, shortestSide: 32 };
let dir: string;
let pngs: Buffer[];
const quiet = { log: () => {} };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'autombw-create-'));
  process.env.AUTOMBW_CACHE_DIR = path.join(dir, 'cache');
  mkdirSync(path.join(dir, 'models'));
  writeFileSync(path.join(dir, 'models', 'single.onnx'), singleStageModel(single, 32));
  writeFileSync(path.join(dir, 'models', 'copy.onnx'), singleStageModel(single, 32));
  writeFileSync(path.join(dir, 'models', 'enc.onnx'), encoderModel(randomPatchEncoder(rng.derive('enc'), 4, 8, 6), 32));
  const poisoned = [{ ...randomLinear(rng.derive('nan'), 6, 1), b: Float32Array.of(NaN) }];
  writeFileSync(path.join(dir, 'models', 'nan-head.onnx'), mlpModel(poisoned, false));
  pngs = await Promise.all([0, 1, 2].map((i) => randomPng(rng.derive('png', i), 40, 36)));
});
afterAll(() => {
  delete process.env.AUTOMBW_CACHE_DIR;
  rmSync(dir, { recursive: true, force: true });
});

describe('createScorer', () => {
  it('combines several scorers by weight and aggregates payloads as computed by hand', async () => {
    const panel = await createScorer(
      {
        scorers: [
          { kind: 'builtin', transform: { kind: 'affine', scale: 0.1 } },
          { kind: 'onnx', name: 'tiny', model: 'models/single.onnx', preprocess: custom, weight: 3 },
        ],
        combine: 'geometric',
        tally: 'min',
      },
      dir,
      quiet,
    );
    // The same judges built directly, for the expected values.
    const demo = await createDemoScorer();
    const tiny = await createOnnxScorer({
      name: 't',
      stages: { kind: 'model', model: { path: path.join(dir, 'models', 'single.onnx') } },
      preprocess: spec,
      normalize: true,
      batch: 8,
      runtime: { provider: 'cpu', device: 0, threads: 0 },
      identity: '',
      log: () => {},
    });
    try {
      const images = scoredImages(pngs);
      const d = (await demo.score(images)).map((v) => v * 0.1);
      const t = await tiny.score(images);
      const combined = d.map((v, i) => Math.exp((1 * Math.log(v) + 3 * Math.log(t[i])) / 4));
      const first = Math.min(combined[0], combined[1]);
      const second = combined[2];

      const { value, details } = await panel.judge([
        { name: 'a', weight: 1, images: images.slice(0, 2) },
        { name: 'b', weight: 2, images: [{ ...images[2], index: 0, payload: 'b' }] },
      ]);
      expect(value).toBeCloseTo((first + 2 * second) / 3, 5);
      expect(details).toMatchObject({
        combine: 'geometric',
        tally: 'min',
        scorers: [
          { name: 'demo', weight: 1, transform: { kind: 'affine', scale: 0.1, offset: 0 } },
          { name: 'tiny', weight: 3, transform: { kind: 'raw' } },
        ],
      });
      const payloads = details.payloads as Array<{ name: string; score: number; images: Array<{ scores: Record<string, number>; raw?: Record<string, number> }> }>;
      expect(payloads[0].score).toBeCloseTo(first, 5);
      expect(payloads[0].images[1].scores.tiny).toBeCloseTo(t[1], 5);
      expect(payloads[0].images[1].raw?.demo).toBeCloseTo(d[1] * 10, 4);
      expect(payloads[0].images[1].raw?.tiny).toBeUndefined();
    } finally {
      await Promise.all([panel.close(), demo.close?.(), tiny.close?.()]);
    }
  });

  it('a missing model file is a config error located in the section', async () => {
    const err = await createScorer({ scorers: [{ kind: 'builtin' }, { kind: 'onnx', model: 'models/none.onnx' }] }, dir, quiet).catch((e) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toBe('scorer.scorers[1].model: file not found: models/none.onnx (relative to the experiment file)');
  });

  it('a model that does not fit its preprocessing is a config error naming the scorer', async () => {
    const err = await createScorer({ scorers: [{ kind: 'onnx', name: 'aesthetic', model: 'models/single.onnx' }] }, dir, quiet).catch((e) => e);
    expect(err).toBeInstanceOf(UserInputError);
    expect(err.message).toMatch(/^scorer "aesthetic": .*single\.onnx: input image has shape \[batch, 3, 32, 32\]/);
  });

  it('a model that returns NaN fails judge() with an Error, which fails the trial', async () => {
    const panel = await createScorer(
      { scorers: [{ kind: 'onnx', encoder: 'models/enc.onnx', head: 'models/nan-head.onnx', preprocess: custom }] },
      dir,
      quiet,
    );
    try {
      const err = await panel.judge([{ name: 'p', weight: 1, images: scoredImages(pngs.slice(0, 1)) }]).catch((e) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(UserInputError);
      expect(err.message).toMatch(/returned NaN for image p#0/);
    } finally {
      await panel.close();
    }
  });

  it('a geometric combination of a negative score fails the call, not the process', async () => {
    const panel = await createScorer({ scorers: [{ kind: 'builtin', transform: { kind: 'affine', offset: -100 } }], combine: 'geometric' }, dir, quiet);
    try {
      await expect(panel.judge([{ name: 'p', weight: 1, images: scoredImages(pngs.slice(0, 1)) }])).rejects.toThrow(/geometric mean needs scores > 0/);
    } finally {
      await panel.close();
    }
  });

  it('keeps manual ratings in the run directory by default', async () => {
    const runDir = path.join(dir, 'run-1');
    const input = new PassThrough();
    input.end('8\n');
    const panel = await createScorer({ scorers: [{ kind: 'manual', interface: 'terminal' }] }, dir, { ...quiet, runDir, terminal: { input, output: new PassThrough() } });
    try {
      expect(await panel.score(scoredImages(pngs.slice(0, 1)))).toEqual([8]);
      expect(existsSync(path.join(runDir, 'ratings.jsonl'))).toBe(true);
    } finally {
      await panel.close();
    }
  });

  it('runs a command scorer given relative to the experiment file', async () => {
    writeFileSync(path.join(dir, 'count.mjs'), `console.log(process.argv.slice(2).map((_, i) => i + 1).join(' '));`);
    const panel = await createScorer({ scorers: [{ kind: 'command', command: [process.execPath, 'count.mjs'] }] }, dir, quiet);
    expect(await panel.score(scoredImages(pngs))).toEqual([1, 2, 3]);
  });
});

describe('resolveScoring', () => {
  it('makes paths relative to the experiment file and reports missing ones under the given path', async () => {
    const { section, issues } = await resolveScoring(
      { scorers: [{ kind: 'onnx', model: './models/../models/single.onnx', preprocess: custom }, { kind: 'onnx', encoder: path.join(dir, 'models', 'enc.onnx'), head: 'nope.onnx' }] },
      dir,
      ['objective', 'scorer'],
    );
    const scorers = section.scorers as Array<Record<string, unknown>>;
    expect(scorers[0].model).toBe('models/single.onnx');
    expect(scorers[1].encoder).toBe('models/enc.onnx');
    expect(issues).toEqual([{ path: ['objective', 'scorer', 'scorers', 1, 'head'], message: 'file not found: nope.onnx (relative to the experiment file)' }]);
  });

  it('reports schema problems under the given path', async () => {
    const { issues } = await resolveScoring({ scorers: [{ kind: 'builtin', weight: 0 }] }, dir, ['objective', 'scorer']);
    expect(issues.map((i) => i.path)).toEqual([['objective', 'scorer', 'scorers', 0, 'weight']]);
  });
});

describe('fingerprintScoring', () => {
  const section = (over: Record<string, unknown> = {}) => ({ scorers: [{ kind: 'onnx', name: 'x', model: 'models/single.onnx', preprocess: custom, ...over }] });

  it('follows file contents, not paths or speed settings', async () => {
    const base = await fingerprintScoring(section(), dir);
    expect(await fingerprintScoring(section({ model: 'models/copy.onnx' }), dir)).toEqual(base);
    expect(await fingerprintScoring(section({ model: path.join(dir, 'models', 'single.onnx') }), dir)).toEqual(base);
    expect(await fingerprintScoring(section({ batch: 1, threads: 2, provider: 'auto' }), dir)).toEqual(base);
    expect(await fingerprintScoring(section({ model: 'models/enc.onnx' }), dir)).not.toEqual(base);
  });

  it('changes with what changes scores: transform, weight, preprocessing, aggregation', async () => {
    const base = JSON.stringify(await fingerprintScoring(section(), dir));
    const variants = [
      section({ transform: { kind: 'sigmoid', center: 5.6 } }),
      section({ weight: 2 }),
      section({ preprocess: { size: 32, channels: 'bgr' } }),
      { ...section(), tally: 'median' },
      { ...section(), penalty: { k: 0.5 } },
    ];
    for (const v of variants) expect(JSON.stringify(await fingerprintScoring(v, dir))).not.toBe(base);
  });

  it('is what the built panel reports as its fingerprint', async () => {
    const panel = await createScorer(section(), dir, quiet);
    expect(await panel.fingerprint()).toBe(canonicalJson(await fingerprintScoring(section(), dir)));
    await panel.close();
  });

  it('treats a preset and the same custom form as one identity', async () => {
    const preset = await fingerprintScoring(section({ preprocess: 'clip-vit-b32' }), dir);
    expect(await fingerprintScoring(section({ preprocess: { size: 224 } }), dir)).toEqual(preset);
  });
});
