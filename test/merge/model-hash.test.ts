import { createHash } from 'node:crypto';
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { autoV2, defaultCacheDir, modelSha256 } from '../../src/merge/model-hash.js';
import { tempDir } from '../support/tmp.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('model hashes', () => {
  it('is the SHA-256 of the file content', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.safetensors');
    writeFileSync(file, 'model bytes');
    expect(await modelSha256(file, { cacheDir: dir })).toBe(sha('model bytes'));
  });

  it('answers from the cache while path, size and mtime are unchanged', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.safetensors');
    writeFileSync(file, 'original');
    await modelSha256(file, { cacheDir: dir });
    const cacheFile = path.join(dir, 'model-hashes.json');
    const cache = JSON.parse(readFileSync(cacheFile, 'utf8'));
    cache.entries[path.resolve(file)].sha256 = 'e'.repeat(64); // a planted answer shows the file was not read again
    writeFileSync(cacheFile, JSON.stringify(cache));
    expect(await modelSha256(file, { cacheDir: dir })).toBe('e'.repeat(64));
  });

  it('hashes again when the file changes (same size, new mtime)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.safetensors');
    writeFileSync(file, 'version1');
    utimesSync(file, 1_000_000, 1_000_000);
    await modelSha256(file, { cacheDir: dir });
    writeFileSync(file, 'version2');
    utimesSync(file, 2_000_000, 2_000_000);
    expect(await modelSha256(file, { cacheDir: dir })).toBe(sha('version2'));
  });

  it('survives a damaged cache file by hashing', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'm.safetensors');
    writeFileSync(file, 'x');
    writeFileSync(path.join(dir, 'model-hashes.json'), '{not json');
    expect(await modelSha256(file, { cacheDir: dir })).toBe(sha('x'));
  });

  it('shows the AutoV2 short form: the first 10 hex digits', () => {
    expect(autoV2(sha('x'))).toBe(sha('x').slice(0, 10));
  });

  it('keeps the cache under $AUTOMBW_CACHE_DIR when set', () => {
    const previous = process.env.AUTOMBW_CACHE_DIR;
    process.env.AUTOMBW_CACHE_DIR = '/tmp/autombw-cache-test';
    try {
      expect(defaultCacheDir()).toBe('/tmp/autombw-cache-test');
    } finally {
      if (previous === undefined) delete process.env.AUTOMBW_CACHE_DIR;
      else process.env.AUTOMBW_CACHE_DIR = previous;
    }
  });
});
