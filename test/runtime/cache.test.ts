import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvaluationCache, quantizeWeights } from '../../src/runtime/cache.js';
import { tempDir } from '../support/tmp.js';

describe('EvaluationCache', () => {
  it('returns what was put under a key, and nothing for another key', async () => {
    const cache = new EvaluationCache(tempDir());
    const key = EvaluationCache.key({ model: 'x', weights: { IN00: 1 } });
    await cache.put(key, [{ score: 4.5 }]);
    expect(await cache.get(key)).toEqual([{ score: 4.5 }]);
    expect(await cache.get(EvaluationCache.key({ model: 'y' }))).toBeUndefined();
  });

  it('keys by content, not by the order of object keys', () => {
    expect(EvaluationCache.key({ a: 1, b: { c: 2, d: 3 } })).toBe(EvaluationCache.key({ b: { d: 3, c: 2 }, a: 1 }));
  });

  it('survives concurrent writers of the same key, leaving no temporary files', async () => {
    const dir = tempDir();
    const key = EvaluationCache.key('same');
    await Promise.all(Array.from({ length: 20 }, () => new EvaluationCache(dir).put(key, { v: 1 })));
    expect(await new EvaluationCache(dir).get(key)).toEqual({ v: 1 });
    expect(readdirSync(path.join(dir, key.slice(0, 2)))).toEqual([`${key}.json`]);
  });

  it('treats a damaged entry as a miss', async () => {
    const dir = tempDir();
    const cache = new EvaluationCache(dir);
    const key = EvaluationCache.key('k');
    await cache.put(key, 1);
    writeFileSync(path.join(dir, key.slice(0, 2), `${key}.json`), '{"key": "');
    expect(await cache.get(key)).toBeUndefined();
  });

  it('quantizes weights so float dust does not split a recipe', () => {
    expect(quantizeWeights({ IN00: 0.1 + 0.2, OUT: 1 }, ['IN00', 'OUT'])).toEqual(quantizeWeights({ IN00: 0.3, OUT: 1 }, ['IN00', 'OUT']));
    expect(quantizeWeights({ IN00: 0.3 }, ['IN00'])).not.toEqual(quantizeWeights({ IN00: 0.30001 }, ['IN00']));
  });
});
