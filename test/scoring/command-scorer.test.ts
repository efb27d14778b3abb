import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandScorer, parseScores } from '../../src/scoring/command-scorer.js';
import type { ScoredImage } from '../../src/scoring/types.js';

let dir: string;
const script = (name: string, body: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, body);
  return p;
};
const images = (n: number): ScoredImage[] =>
  Array.from({ length: n }, (_, i) => ({ data: Uint8Array.from({ length: 10 + i }, (_, j) => j), prompt: `prompt ${'x'.repeat(i)}`, payload: 'cats', index: i }));
const scorer = (file: string, extra: Partial<ConstructorParameters<typeof CommandScorer>[0]> = {}) =>
  new CommandScorer({ name: 'ext', argv: [process.execPath, file], cwd: dir, env: {}, timeoutMs: 10_000, batch: 0, identity: 'ext', ...extra });

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'autombw-cmd-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('CommandScorer', () => {
  it('passes image files as trailing arguments, in order', async () => {
    const sizes = script('sizes.mjs', `import { statSync } from 'node:fs';\nconsole.log(process.argv.slice(2).map((f) => statSync(f).size).join('\\n'));`);
    expect(await scorer(sizes).score(images(3))).toEqual([10, 11, 12]);
  });

  it('sends prompts, payloads and indices as JSON on stdin', async () => {
    const prompts = script(
      'prompts.mjs',
      `let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => {
         const { images } = JSON.parse(s);
         console.log(JSON.stringify(images.map((i) => i.prompt.length * 100 + i.index + (i.payload === 'cats' ? 0.5 : 0))));
       });`,
    );
    expect(await scorer(prompts).score(images(3))).toEqual([700.5, 801.5, 902.5]);
  });

  it('calls the program once per batch', async () => {
    const count = script('count.mjs', `const n = process.argv.length - 2; console.log(Array(n).fill(n).join(' '));`);
    expect(await scorer(count, { batch: 2 }).score(images(5))).toEqual([2, 2, 2, 2, 1]);
  });

  it('removes the temporary image files after the call', async () => {
    const log = path.join(dir, 'paths.txt');
    const keep = script('keep.mjs', `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(log)}, process.argv.slice(2).join('\\n'));\nconsole.log('1 1');`);
    await scorer(keep).score(images(2));
    const used = readFileSync(log, 'utf8').split('\n');
    expect(used).toHaveLength(2);
    for (const p of used) expect(existsSync(p)).toBe(false);
  });

  it('passes an image already saved at an absolute path as that path', async () => {
    const saved = path.join(dir, 'saved.png');
    writeFileSync(saved, 'x');
    const echo = script('echo.mjs', `console.log(process.argv[2] === ${JSON.stringify(saved)} ? 1 : 0);`);
    expect(await scorer(echo).score([{ ...images(1)[0], path: saved }])).toEqual([1]);
  });

  it('a non-zero exit fails with the exit code and the end of stderr', async () => {
    const fail = script('fail.mjs', `console.error('model weights missing'); process.exit(3);`);
    await expect(scorer(fail).score(images(1))).rejects.toThrow(/exited with 3; stderr: model weights missing/);
  });

  it('a program that runs too long is killed', async () => {
    const slow = script('slow.mjs', `setTimeout(() => console.log(1), 30000);`);
    const started = Date.now();
    await expect(scorer(slow, { timeoutMs: 300 }).score(images(1))).rejects.toThrow(/timed out after 0.3s/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a missing program is reported by name', async () => {
    const s = new CommandScorer({ name: 'x', argv: [path.join(dir, 'no-such-program')], cwd: dir, env: {}, timeoutMs: 5000, batch: 0, identity: '' });
    await expect(s.score(images(1))).rejects.toThrow(/not found: .*no-such-program/);
  });

  it('the wrong number of scores fails the call and quotes the output', async () => {
    const short = script('short.mjs', `console.log('1 2');`);
    await expect(scorer(short).score(images(3))).rejects.toThrow(/expected 3 numbers on stdout, got: 1 2/);
  });
});

describe('parseScores', () => {
  it('reads whitespace-separated numbers', () => expect(parseScores(' 1.5\n-2e-1  3 \n', 3, 's')).toEqual([1.5, -0.2, 3]));
  it('reads a JSON array', () => expect(parseScores('[0.25, 7]', 2, 's')).toEqual([0.25, 7]));
  it('reads {"scores": [...]}', () => expect(parseScores('{"scores": [4]}', 1, 's')).toEqual([4]));
  it('reads a single bare number', () => expect(parseScores('6.5', 1, 's')).toEqual([6.5]));
  it('refuses NaN and words', () => {
    expect(() => parseScores('nan', 1, 's')).toThrow(/value 1 is not a finite number/);
    expect(() => parseScores('[1, null]', 2, 's')).toThrow(/value 2 is not a finite number/);
  });
  it('refuses empty output', () => expect(() => parseScores('', 1, 's')).toThrow(/got: \(nothing\)/));
});
