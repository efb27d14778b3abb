import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadExperiment } from '../../src/config/load.js';
import { UserInputError } from '../../src/config/issues.js';
import { firstInvalidUtf8 } from '../../src/config/source.js';
import { writeTree } from '../support/tmp.js';

/**
 * The hostile-input corpus: every file in test/fixtures/bad-experiments/ (or exp.yaml in a
 * sub-directory, with the files it includes) ends with
 *   # what: <the mistake>
 *   # expect: <regex the error output must match; {file} stands for the file's name>
 * The expectation sits at the end so that line numbers in the file are the real ones.
 */
const CORPUS = fileURLToPath(new URL('../fixtures/bad-experiments/', import.meta.url));

interface Case {
  name: string;
  file: string;
  what: string;
  expect: RegExp;
}

function corpus(): Case[] {
  return readdirSync(CORPUS)
    .sort()
    .map((entry) => {
      const full = path.join(CORPUS, entry);
      const file = statSync(full).isDirectory() ? path.join(full, 'exp.yaml') : full;
      const text = readFileSync(file, 'utf8');
      const what = /^# what: (.*)$/m.exec(text)?.[1] ?? entry;
      const pattern = /^# expect: (.*)$/m.exec(text)?.[1];
      if (!pattern) throw new Error(`${entry} has no "# expect:" line`);
      const name = path.basename(file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return { name: entry, file, what, expect: new RegExp(pattern.replace('{file}', name), 'm') };
    });
}

/** The error lines of loading `file`, with directories stripped so they read as the user sees them. */
async function errorsOf(file: string): Promise<string[]> {
  try {
    await loadExperiment(file);
  } catch (e) {
    if (e instanceof UserInputError) {
      const dir = path.dirname(file);
      const prefixes = [dir + path.sep, path.relative(process.cwd(), dir) + path.sep];
      return e.issues.map((l) => prefixes.reduce((line, p) => line.split(p).join(''), l));
    }
    throw e;
  }
  return [];
}

describe('hostile-input corpus: each bad experiment gets its message at file:line:col', () => {
  const cases = corpus();

  it('has at least 50 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.what}`, async () => {
      const lines = await errorsOf(c.file);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).toMatch(c.expect);
      expect(lines.join('\n')).not.toMatch(/\n\s+at |[\u0000-\u0009\u000b-\u001f]/); // no stack, no raw control characters
    });
  }
});

describe('error reporting', () => {
  const VALID = 'name: t\nseed: 1\nspace:\n  preset: sd1-27\nobjective:\n  kind: function\n  function: sphere\noptimizer:\n  kind: random\nstop:\n  budget: 10\n';

  it('accepts the valid base config the corpus is made from', async () => {
    const dir = writeTree({ 'exp.yaml': VALID });
    expect(await errorsOf(path.join(dir, 'exp.yaml'))).toEqual([]);
  });

  it('reports every problem of a file at once', async () => {
    const dir = writeTree({ 'exp.yaml': VALID.replace('seed: 1', 'seed: x').replace('budget: 10', 'budget: 0') });
    expect(await errorsOf(path.join(dir, 'exp.yaml'))).toHaveLength(2);
  });

  it('locates errors in a JSON experiment too', async () => {
    const json = '{\n  "space": {"preset": "sd1-27"},\n  "objective": {"kind": "function", "function": "sphere"},\n  "optimizer": {"kind": "random"},\n  "stop": {"budget": -3}\n}\n';
    const dir = writeTree({ 'exp.json': json });
    expect(await errorsOf(path.join(dir, 'exp.json'))).toEqual(['exp.json:5:22: stop.budget: expected a number >= 1, got -3']);
  });

  it('says once that merge keys are not supported, instead of one schema error per objective kind', async () => {
    const text = VALID.replace('seed: 1\n', 'seed: 1\nshared: &s\n  kind: function\n  function: sphere\n').replace('objective:\n  kind: function\n  function: sphere', 'objective:\n  <<: *s');
    const dir = writeTree({ 'exp.yaml': text });
    expect(await errorsOf(path.join(dir, 'exp.yaml'))).toEqual(['exp.yaml:9:3: YAML merge keys (<<) are not supported: write the keys out, or put the shared part in a file and !include it']);
  });

  it('finds the first byte that is not well-formed UTF-8', () => {
    expect(firstInvalidUtf8(Buffer.from('naïve ✓ 𝄞', 'utf8'))).toBeUndefined();
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1); // Latin-1 é
    expect(firstInvalidUtf8(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong "/"
    expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0); // a UTF-16 surrogate
    expect(firstInvalidUtf8(Buffer.from([0x61, 0x62, 0xe2, 0x9c]))).toBe(2); // cut short at the end
  });

  it('refuses a file that does not exist or is not YAML/JSON by name', async () => {
    await expect(loadExperiment('/nonexistent/exp.yaml')).rejects.toThrow(/experiment file not found/);
    const dir = writeTree({ 'exp.txt': VALID });
    expect(existsSync(path.join(dir, 'exp.txt'))).toBe(true);
    await expect(loadExperiment(path.join(dir, 'exp.txt'))).rejects.toThrow(/expected a \.yaml, \.yml or \.json/);
  });
});
