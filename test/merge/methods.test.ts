import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { mergeTensors, type FloatTensor } from '../../src/merge/memory.js';
import { keepCount, magnitudeThreshold } from '../../src/merge/methods/ties.js';
import { getPreset } from '../../src/space/presets.js';
import { Rng } from '../../src/util/rng.js';

const UNET = 'model.diffusion_model.';
const K_IN01 = `${UNET}input_blocks.1.0.in_layers.2.weight`;
const K_OUT05 = `${UNET}output_blocks.5.1.proj_out.weight`;
const K_TIME = `${UNET}time_embed.0.bias`;
const K_VAE = 'first_stage_model.decoder.conv_out.bias';
const K_EMA = 'model_ema.diffusion_modeltime_embed0bias';

/** Every block of sd1-27 at `base`, with overrides. */
function weights(base: number, overrides: Record<string, number> = {}): Record<string, number> {
  return { ...Object.fromEntries(getPreset('sd1-27')!.blocks.map((b) => [b, base])), ...overrides };
}

function randomModel(seed: string, keys: Record<string, number[]>): Map<string, FloatTensor> {
  const rng = Rng.fromSeed(seed);
  return new Map(Object.entries(keys).map(([k, shape]) => {
    const n = shape.reduce((a, d) => a * d, 1);
    return [k, { shape, data: Float32Array.from({ length: n }, () => rng.normal()) }];
  }));
}

const KEYS = { [K_IN01]: [4, 5], [K_OUT05]: [30], [K_TIME]: [6], [K_VAE]: [3], [K_EMA]: [6] };
const A = randomModel('a', KEYS);
const B = randomModel('b', KEYS);
const C = randomModel('c', KEYS);
const W = weights(0.5, { IN01: 0.25, OUT05: 0.9, TIME_EMBED: -0.5 });
const ALPHA: Record<string, number> = { [K_IN01]: 0.25, [K_OUT05]: 0.9, [K_TIME]: -0.5 };
const values = (m: Map<string, FloatTensor>, k: string) => [...m.get(k)!.data];

describe('weighted sum', () => {
  it('computes A·(1−α) + B·α with each tensor\'s block weight', () => {
    const { tensors } = mergeTensors({ models: { a: A, b: B }, method: 'weighted-sum', weights: W, preset: 'sd1-27' });
    for (const [key, alpha] of Object.entries(ALPHA)) {
      const expected = values(A, key).map((a, i) => Math.fround(a * (1 - alpha) + values(B, key)[i] * alpha));
      expect(values(tensors, key)).toEqual(expected);
    }
  });

  it('keeps model A\'s VAE, drops the EMA copy and leaves the inputs untouched', () => {
    const before = values(A, K_IN01);
    const { tensors } = mergeTensors({ models: { a: A, b: B }, method: 'weighted-sum', weights: W, preset: 'sd1-27' });
    expect(values(tensors, K_VAE)).toEqual(values(A, K_VAE));
    expect(tensors.has(K_EMA)).toBe(false);
    expect(values(A, K_IN01)).toEqual(before);
  });
});

describe('add difference', () => {
  it('computes A + α·(B − C)', () => {
    const { tensors } = mergeTensors({ models: { a: A, b: B, c: C }, method: 'add-difference', weights: W, preset: 'sd1-27' });
    for (const [key, alpha] of Object.entries(ALPHA)) {
      const [a, b, c] = [A, B, C].map((m) => values(m, key));
      expect(values(tensors, key)).toEqual(a.map((x, i) => Math.fround(x + alpha * (b[i] - c[i]))));
    }
  });

  it('needs model C', () => {
    expect(() => mergeTensors({ models: { a: A, b: B }, method: 'add-difference', weights: W, preset: 'sd1-27' })).toThrow(/add-difference needs model C/);
  });
});

/** ⌈density·n⌉ in decimal: the density in millionths, an integer ceiling division. */
const decimalCeil = (density: number, n: number) => Math.floor((Math.round(density * 1e6) * n + 999_999) / 1e6);

/** TIES as the paper states it, with a sort for the top-k (the engine uses a radix select). */
function referenceTies(a: number[], b: number[], c: number[], alpha: number, density: number): number[] {
  const n = a.length;
  const k = decimalCeil(density, n);
  const trim = (tau: number[]) => {
    const threshold = [...tau].map(Math.abs).sort((x, y) => y - x)[k - 1];
    return tau.map((t) => (Math.abs(t) >= threshold ? t : 0));
  };
  const ta = trim(a.map((x, i) => Math.fround(x - c[i])));
  const tb = trim(b.map((x, i) => Math.fround(x - c[i])));
  return c.map((base, i) => {
    const sign = Math.sign(ta[i] + tb[i]);
    const agreeing = [ta[i], tb[i]].filter((t) => t !== 0 && Math.sign(t) === sign);
    const mean = agreeing.length ? agreeing.reduce((s, t) => s + t, 0) / agreeing.length : 0;
    return Math.fround(base + alpha * mean);
  });
}

describe('TIES', () => {
  it.each([0.2, 0.5, 1])('matches the paper\'s trim / elect / disjoint mean at density %s', (density) => {
    const { tensors } = mergeTensors({ models: { a: A, b: B, c: C }, method: 'ties', weights: W, preset: 'sd1-27', options: { density } });
    for (const [key, alpha] of Object.entries(ALPHA)) {
      const [a, b, c] = [A, B, C].map((m) => values(m, key));
      expect(values(tensors, key)).toEqual(referenceTies(a, b, c, alpha, density));
    }
  });

  it('averages agreeing task-vector entries and ignores the opposing one', () => {
    const key = K_OUT05;
    const model = (v: number[]) => new Map([[key, { shape: [v.length], data: Float32Array.from(v) }]]);
    const { tensors } = mergeTensors({
      models: { a: model([2, 3, -1, 1]), b: model([4, -1, -3, -1]), c: model([0, 0, 0, 0]) },
      method: 'ties', weights: weights(1), preset: 'sd1-27', options: { density: 1 },
    });
    // signs: (2,4)→mean 3; (3,−1) elect + → 3; (−1,−3) → −2; (1,−1) sum 0 → 0
    expect(values(tensors, key)).toEqual([3, 3, -2, 0]);
  });

  it('keeps ⌈density·n⌉ entries counted in decimal: 7 of 100 at density 0.07, although 0.07·100 is 7.000000000000001 in doubles', () => {
    const model = (v: number[]) => new Map([[K_OUT05, { shape: [v.length], data: Float32Array.from(v) }]]);
    const zeros = Array.from({ length: 100 }, () => 0);
    const { tensors } = mergeTensors({
      models: { a: model(zeros.map((_, i) => i + 1)), b: model(zeros), c: model(zeros) },
      method: 'ties', weights: weights(1), preset: 'sd1-27', options: { density: 0.07 },
    });
    expect(values(tensors, K_OUT05).filter((x) => x !== 0)).toEqual([94, 95, 96, 97, 98, 99, 100]);
  });

  it('rounds every product of a two-decimal density and a size up to the decimal ceiling', () => {
    for (let percent = 1; percent <= 100; percent++) {
      for (const n of [1, 3, 7, 100, 300, 1000, 4096, 1280 * 640 * 3 * 3]) expect(keepCount(percent / 100, n)).toBe(decimalCeil(percent / 100, n));
    }
  });

  it('finds the k-th largest magnitude like a sort does, duplicates and signs included', () => {
    const rng = Rng.fromSeed('threshold');
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(300);
      const data = Float32Array.from({ length: n }, () => (rng.int(4) === 0 ? 0.5 : rng.normal()) * (rng.int(2) ? 1 : -1));
      const keep = 1 + rng.int(n);
      const sorted = [...data].map(Math.abs).sort((x, y) => y - x);
      const bits = magnitudeThreshold(data, keep);
      const threshold = new Float32Array(new Uint32Array([bits]).buffer)[0];
      expect(threshold).toBe(keep === n ? 0 : sorted[keep - 1]); // keeping all needs no threshold
    }
  });

  it('refuses a density outside (0, 1]', () => {
    expect(() => mergeTensors({ models: { a: A, b: B, c: C }, method: 'ties', weights: W, preset: 'sd1-27', options: { density: 0 } })).toThrow(/density must be in \(0, 1\]/);
  });
});

describe('DARE', () => {
  const dare = (seed: number | string, dropRate: number, a = A) =>
    mergeTensors({ models: { a, b: B, c: C }, method: 'dare', weights: W, preset: 'sd1-27', seed, options: { dropRate } }).tensors;

  it('either keeps A or adds the task vector rescaled by 1/(1−p), element by element', () => {
    const p = 0.5;
    const merged = dare(7, p);
    for (const [key, alpha] of Object.entries(ALPHA)) {
      const [a, b, c] = [A, B, C].map((m) => values(m, key));
      values(merged, key).forEach((v, i) => {
        const kept = Math.fround(a[i] + (alpha / (1 - p)) * (b[i] - c[i]));
        expect([Math.fround(a[i]), kept]).toContain(v);
      });
    }
  });

  it('drops about a fraction p of the entries', () => {
    const big = { [K_OUT05]: [20000] };
    const [a, b, c] = ['a', 'b', 'c'].map((s) => randomModel(s, big));
    for (const p of [0.1, 0.5, 0.9]) {
      const out = mergeTensors({ models: { a, b, c }, method: 'dare', weights: W, preset: 'sd1-27', seed: 1, options: { dropRate: p } }).tensors;
      const av = values(a, K_OUT05);
      const dropped = values(out, K_OUT05).filter((v, i) => v === av[i]).length / av.length;
      expect(Math.abs(dropped - p)).toBeLessThan(0.02);
    }
  });

  it('equals add-difference when nothing is dropped', () => {
    const added = mergeTensors({ models: { a: A, b: B, c: C }, method: 'add-difference', weights: W, preset: 'sd1-27' }).tensors;
    expect(values(dare(3, 0), K_OUT05)).toEqual(values(added, K_OUT05));
  });

  it('draws the same mask for a key whatever the other keys and their order, and another for another seed', () => {
    const reordered = new Map([...A].reverse());
    const fewer = new Map([[K_OUT05, A.get(K_OUT05)!]]);
    const reference = values(dare(11, 0.5), K_OUT05);
    expect(values(dare(11, 0.5, reordered), K_OUT05)).toEqual(reference);
    expect(values(mergeTensors({ models: { a: fewer, b: B, c: C }, method: 'dare', weights: W, preset: 'sd1-27', seed: 11 }).tensors, K_OUT05)).toEqual(reference);
    expect(values(dare(12, 0.5), K_OUT05)).not.toEqual(reference);
  });

  it.each([1.5, -1, 2 ** 53, 2 ** 64])('refuses the seed %s: a config cannot give it, or the recorded recipe would not read back as the seed used', (seed) => {
    expect(() => dare(seed, 0.5)).toThrow(/merge seed must be an integer from 0 to 9007199254740991/);
  });
});

describe('recipe checks', () => {
  it('refuses a recipe that misses blocks or names unknown ones', () => {
    const missing = { ...W };
    delete missing.OUT11;
    expect(() => mergeTensors({ models: { a: A, b: B }, method: 'weighted-sum', weights: missing, preset: 'sd1-27' })).toThrow(/no weight for block OUT11/);
    expect(() => mergeTensors({ models: { a: A, b: B }, method: 'weighted-sum', weights: { ...W, IN12: 0 }, preset: 'sd1-27' })).toThrow(/unknown block "IN12"/);
  });

  it('suggests the method meant by a typo', () => {
    expect(() => mergeTensors({ models: { a: A, b: B }, method: 'weighted_sum', weights: W, preset: 'sd1-27' })).toThrow(UserInputError);
    expect(() => mergeTensors({ models: { a: A, b: B }, method: 'weighted_sum', weights: W, preset: 'sd1-27' })).toThrow(/did you mean "weighted-sum"/);
  });

  it('copies from A and reports keys that B lacks, keys only in B, and shape mismatches', () => {
    const b = new Map(B);
    b.delete(K_TIME);
    b.set(K_IN01, { shape: [5, 4], data: B.get(K_IN01)!.data });
    b.set(`${UNET}output_blocks.0.0.extra.weight`, { shape: [1], data: new Float32Array(1) });
    const { tensors, notes } = mergeTensors({ models: { a: A, b }, method: 'weighted-sum', weights: W, preset: 'sd1-27' });
    expect(notes.missingInOthers).toEqual([K_TIME]);
    expect(notes.shapeMismatch).toEqual([K_IN01]);
    expect(notes.onlyInB).toEqual([`${UNET}output_blocks.0.0.extra.weight`]);
    expect(values(tensors, K_TIME)).toEqual(values(A, K_TIME));
    expect(values(tensors, K_IN01)).toEqual(values(A, K_IN01));
  });
});
