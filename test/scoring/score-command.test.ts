import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { createDemoScorer } from '../../src/scoring/builtin/demo.js';
import { Rng } from '../../src/util/rng.js';
import { randomPng, scoredImages } from '../support/images.js';

let dir: string;
let images: string[];
let expected: number[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'autombw-score-cli-'));
  const rng = Rng.fromSeed('score-cli');
  const pngs = await Promise.all([0, 1].map((i) => randomPng(rng.derive(i), 40, 40)));
  images = pngs.map((png, i) => {
    const file = path.join(dir, `img${i}.png`);
    writeFileSync(file, png);
    return file;
  });
  const demo = await createDemoScorer();
  expected = await demo.score(scoredImages(pngs));
  await demo.close?.();
  writeFileSync(path.join(dir, 'half.mjs'), `console.log(process.argv.slice(2).map(() => 0.5).join(' '));`);
  writeFileSync(path.join(dir, 'fail.mjs'), `console.error('no GPU'); process.exit(1);`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  try {
    const code = await main(['score', ...argv]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe('autombw score', () => {
  it('prints each image score and the aggregate for an inline scorer', async () => {
    const r = await cli(...images, '--scorer', '{kind: builtin}');
    expect(r.code).toBe(0);
    const rows = r.out.split('\n');
    expect(rows[0]).toMatch(/^image\s+demo$/);
    expect(rows[1]).toContain(expected[0].toFixed(4));
    expect(rows[2]).toContain(expected[1].toFixed(4));
    expect(r.out).toContain(`aggregate (arithmetic over 2 images): ${((expected[0] + expected[1]) / 2).toFixed(4)}`);
  });

  it('uses the scorer section of a file, with a combined column for several scorers', async () => {
    const file = path.join(dir, 'scorers.yaml');
    writeFileSync(file, `scorers:\n  - kind: builtin\n  - kind: command\n    name: half\n    command: ["${process.execPath}", half.mjs]\ntally: max\n`);
    const r = await cli(...images, '--config', file);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^image\s+demo\s+half\s+combined$/);
    const combined = expected.map((d) => (d + 0.5) / 2);
    expect(r.out).toContain(`aggregate (max over 2 images): ${Math.max(...combined).toFixed(4)}`);
  });

  it('prints the journal details with --json', async () => {
    const r = await cli(images[0], '--scorer', '{kind: builtin}', '--json');
    const details = JSON.parse(r.out);
    expect(details.payloads[0].images[0].scores.demo).toBeCloseTo(expected[0], 5);
    expect(details.value).toBeCloseTo(expected[0], 5);
  });

  it('locates a problem in an experiment file by line and column', async () => {
    const file = path.join(dir, 'experiment.yaml');
    writeFileSync(file, `objective:\n  kind: merge\n  scorer:\n    scorers:\n      - kind: builtin\n        wieght: 2\n`);
    const r = await cli(images[0], '--config', file);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/experiment\.yaml:6:9: objective\.scorer\.scorers\[0\]\.wieght: unknown key "wieght" \(did you mean "weight"\?\)/);
  });

  it('exits with 2 without a scorer, and for an unreadable image', async () => {
    expect((await cli(images[0])).code).toBe(2);
    const r = await cli(path.join(dir, 'missing.png'), '--scorer', '{kind: builtin}');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/cannot read .*missing\.png: ENOENT/);
  });

  it('exits with 1 when a scorer fails while scoring', async () => {
    const r = await cli(images[0], '--scorer', `{kind: command, command: ["${process.execPath}", "${path.join(dir, 'fail.mjs')}"]}`);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/exited with 1; stderr: no GPU/);
  });
});
