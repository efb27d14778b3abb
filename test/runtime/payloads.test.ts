import { mkdirSync, writeFileSync } from 'node:fs';
import { tempDir } from '../support/tmp.js';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/util/rng.js';
import { loadPayloads } from '../../src/runtime/payloads/load.js';
import { expandWildcards, parseWildcardFile } from '../../src/runtime/payloads/wildcards.js';
import type { PayloadSetInput } from '../../src/runtime/payloads/types.js';

const AT = ['objective', 'payloads'];
const rng = Rng.fromSeed(7);

describe('payload sets', () => {
  it('fills every field from the item, then the set defaults, then the built-in defaults', () => {
    const set: PayloadSetInput = { defaults: { steps: 30, negative: 'blurry' }, items: ['a cat', { name: 'dog', prompt: 'a dog', steps: 12, images: 2 }] };
    const { payloads, issues } = loadPayloads(set, tempDir(), rng, AT);
    expect(issues).toEqual([]);
    expect(payloads).toEqual([
      { name: 'p1', prompt: 'a cat', negative: 'blurry', seed: 1, steps: 30, cfg: 7, sampler: 'euler', scheduler: 'normal', width: 512, height: 512, images: 1, weight: 1 },
      { name: 'dog', prompt: 'a dog', negative: 'blurry', seed: 1, steps: 12, cfg: 7, sampler: 'euler', scheduler: 'normal', width: 512, height: 512, images: 2, weight: 1 },
    ]);
  });

  it('reports duplicate names at the later item', () => {
    const { issues } = loadPayloads({ items: [{ name: 'x', prompt: 'a' }, { name: 'x', prompt: 'b' }] }, tempDir(), rng, AT);
    expect(issues).toEqual([{ path: [...AT, 'items', 1, 'name'], message: 'payload name "x" is already used by items[0]' }]);
  });

  it('reports an item without a prompt at the item', () => {
    const { issues } = loadPayloads({ items: [{ name: 'x', steps: 3 }] }, tempDir(), rng, AT);
    expect(issues[0].path).toEqual([...AT, 'items', 0, 'prompt']);
    expect(issues[0].message).toMatch(/non-empty prompt/);
  });

  it('expands wildcards from a directory deterministically from the seed, per item and variant', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'wc', 'colors'), { recursive: true });
    writeFileSync(path.join(dir, 'wc', 'animal.txt'), '# animals\ncat\ndog\n\nfox\nowl\nbee\n');
    writeFileSync(path.join(dir, 'wc', 'colors', 'warm.txt'), 'red\norange\nyellow\n');
    const set: PayloadSetInput = { wildcards: 'wc', items: [{ name: 'a', prompt: 'a __colors/warm__ __animal__', variants: 3, weight: 3 }] };
    const first = loadPayloads(set, dir, rng, AT);
    const again = loadPayloads(set, dir, Rng.fromSeed(7), AT);
    expect(first.issues).toEqual([]);
    expect(first.payloads.map((p) => p.name)).toEqual(['a#1', 'a#2', 'a#3']);
    expect(first.payloads.map((p) => p.weight)).toEqual([1, 1, 1]);
    for (const p of first.payloads) expect(p.prompt).toMatch(/^a (red|orange|yellow) (cat|dog|fox|owl|bee)$/);
    expect(again.payloads).toEqual(first.payloads);
    const other = loadPayloads(set, dir, Rng.fromSeed(8), AT);
    expect(other.payloads.map((p) => p.prompt)).not.toEqual(first.payloads.map((p) => p.prompt));
  });

  it('names an unknown wildcard with a suggestion, at the prompt', () => {
    const { issues } = loadPayloads({ wildcards: { color: ['red'] }, items: [{ prompt: 'a __colr__ cat' }] }, tempDir(), rng, AT);
    expect(issues).toEqual([{ path: [...AT, 'items', 0, 'prompt'], message: expect.stringContaining('unknown wildcard __colr__ (did you mean __color__?)') }]);
  });

  it('refuses wildcards that refer to themselves', () => {
    expect(() => expandWildcards('__loop__', new Map([['loop', ['x __loop__']]]), rng)).toThrow(/nest deeper/);
  });

  it('skips blank lines and comments of wildcard files', () => {
    expect(parseWildcardFile('# c\n a \n\n b\r\n')).toEqual(['a', 'b']);
  });

  it('reads a payload file and locates its errors by file, line and column', () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'payloads.yaml'), 'defaults:\n  steps: 10\nitems:\n  - prompt: a cat\n  - prompt: a dog\n    steps: 0\n');
    const { issues } = loadPayloads('payloads.yaml', dir, rng, AT);
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toEqual(AT);
    expect(issues[0].message).toMatch(/payloads\.yaml:6:12: items\[1\]\.steps: expected a number >= 1/);
  });

  it('resolves a payload file with wildcards relative to that file', () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'sets', 'wc'), { recursive: true });
    writeFileSync(path.join(dir, 'sets', 'wc', 'style.txt'), 'oil painting\n');
    writeFileSync(path.join(dir, 'sets', 'p.yaml'), 'wildcards: wc\nitems:\n  - a cat, __style__\n');
    const { payloads, issues } = loadPayloads('sets/p.yaml', dir, rng, AT);
    expect(issues).toEqual([]);
    expect(payloads[0].prompt).toBe('a cat, oil painting');
  });

  it('reports a missing payload file', () => {
    const { issues } = loadPayloads('nope.yaml', tempDir(), rng, AT);
    expect(issues[0].path).toEqual(AT);
    expect(issues[0].message).toBe('payload file not found: nope.yaml (relative to the experiment file)');
  });
});
