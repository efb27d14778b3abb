import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualScorer } from '../../src/scoring/manual/manual-scorer.js';
import { RatingsStore } from '../../src/scoring/manual/ratings-store.js';
import { TerminalRater } from '../../src/scoring/manual/terminal-rater.js';
import { WebRater } from '../../src/scoring/manual/web-rater.js';
import type { ScoredImage } from '../../src/scoring/types.js';
import { sha256Hex } from '../../src/util/sha256.js';
import { Rng } from '../../src/util/rng.js';
import { randomPng, scoredImages } from '../support/images.js';

const scale = { min: 0, max: 10, step: 1 };
let dir: string;
let pngs: Buffer[];
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'autombw-manual-'));
  const rng = Rng.fromSeed('manual');
  pngs = await Promise.all([0, 1, 2].map((i) => randomPng(rng.derive(i), 24, 24)));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A terminal whose typed lines are `lines`; the input ends after them. */
function terminal(lines: string[]) {
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (d) => (shown += d));
  input.end(lines.map((l) => `${l}\n`).join(''));
  return { rater: new TerminalRater(scale, input, output), shown: () => shown };
}

describe('RatingsStore', () => {
  it('keeps ratings across reopening, by image hash', async () => {
    const file = path.join(dir, 'store-a.jsonl');
    const store = await RatingsStore.open(file);
    await store.put({ sha256: 'aa', rating: 7, payload: 'p', index: 0, prompt: 'x', at: '2026-01-01T00:00:00Z' });
    await store.put({ sha256: 'aa', rating: 8, payload: 'p', index: 0, prompt: 'x', at: '2026-01-01T00:00:01Z' });
    const again = await RatingsStore.open(file);
    expect(again.get('aa')).toBe(8);
    expect(again.size).toBe(1);
  });

  it('skips a line cut by a crash and appends the next rating on its own line', async () => {
    const file = path.join(dir, 'store-b.jsonl');
    const store = await RatingsStore.open(file);
    await store.put({ sha256: 'bb', rating: 3, payload: 'p', index: 0, prompt: '', at: '' });
    appendFileSync(file, '{"sha256": "cc", "rat');
    const resumed = await RatingsStore.open(file);
    expect(resumed.get('bb')).toBe(3);
    expect(resumed.get('cc')).toBeUndefined();
    await resumed.put({ sha256: 'dd', rating: 5, payload: 'p', index: 1, prompt: '', at: '' });
    expect((await RatingsStore.open(file)).get('dd')).toBe(5);
  });
});

describe('manual scorer at a terminal', () => {
  it('asks for each image with its prompt, re-asks on bad input, and returns the ratings', async () => {
    const t = terminal(['eleven', '11', '7', '2.5']);
    const scorer = new ManualScorer('human', scale, await RatingsStore.open(), t.rater);
    expect(await scorer.score(scoredImages(pngs.slice(0, 2), 'a red fox', 'animals'))).toEqual([7, 2.5]);
    expect(t.shown()).toMatch(/\[animals #0\] a red fox\n  image: .*animals-0\.png/);
    expect(t.shown()).toMatch(/not a number: eleven/);
    expect(t.shown()).toMatch(/11 is outside 0–10/);
  });

  it('asks once for an image that appears twice', async () => {
    const t = terminal(['4']);
    const scorer = new ManualScorer('human', scale, await RatingsStore.open(), t.rater);
    const twice: ScoredImage[] = [...scoredImages([pngs[0]]), { ...scoredImages([pngs[0]])[0], index: 1 }];
    expect(await scorer.score(twice)).toEqual([4, 4]);
  });

  it('a resumed run reads earlier ratings from the file and asks only for new images', async () => {
    const file = path.join(dir, 'resume.jsonl');
    const first = new ManualScorer('human', scale, await RatingsStore.open(file), terminal(['6', '9']).rater);
    expect(await first.score(scoredImages(pngs.slice(0, 2)))).toEqual([6, 9]);
    const t = terminal(['1']);
    const resumed = new ManualScorer('human', scale, await RatingsStore.open(file), t.rater);
    expect(await resumed.score(scoredImages(pngs))).toEqual([6, 9, 1]);
    expect(t.shown().match(/image:/g)).toHaveLength(1);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l.sha256)).toEqual(pngs.map((p) => sha256Hex(p)));
  });

  it('fails when the input ends before every image is rated', async () => {
    const scorer = new ManualScorer('human', scale, await RatingsStore.open(), terminal([]).rater);
    await expect(scorer.score(scoredImages(pngs.slice(0, 1)))).rejects.toThrow(/input ended/);
  });
});

describe('manual scorer on a web page', () => {
  /** A raw HTTP call, so the test controls the Host header. */
  function call(port: number, method: string, url: string, body?: string, headers: Record<string, string> = {}) {
    return new Promise<{ status: number; type: string; body: Buffer }>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method, path: url, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  async function pendingOn(rater: WebRater, count: number): Promise<{ port: number; pending: Array<{ id: string; prompt: string; payload: string }> }> {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (rater.url) {
        const port = Number(new URL(rater.url).port);
        const state = JSON.parse((await call(port, 'GET', '/api/state')).body.toString());
        if (state.pending.length === count) return { port, pending: state.pending };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the page never showed the images');
  }

  it('serves the page, the images and takes ratings posted as JSON', async () => {
    const lines: string[] = [];
    const rater = new WebRater(scale, 0, (l) => lines.push(l));
    const scorer = new ManualScorer('human', scale, await RatingsStore.open(), rater);
    try {
      const scoring = scorer.score(scoredImages(pngs.slice(0, 2), 'a castle at dusk', 'castles'));
      const { port, pending } = await pendingOn(rater, 2);
      expect(lines.join('\n')).toMatch(/2 image\(s\) to rate at http:\/\/127\.0\.0\.1:\d+\//);
      expect(pending.map((p) => [p.payload, p.prompt])).toEqual([['castles', 'a castle at dusk'], ['castles', 'a castle at dusk']]);

      const page = await call(port, 'GET', '/');
      expect(page.type).toMatch(/text\/html/);
      expect(page.body.toString()).toMatch(/\/api\/rate/);
      const image = await call(port, 'GET', `/image/${pending[0].id}`);
      expect(image.type).toBe('image/png');
      expect(image.body.equals(pngs[0])).toBe(true);

      const json = { 'content-type': 'application/json' };
      expect((await call(port, 'POST', '/api/rate', JSON.stringify({ id: pending[0].id, rating: 12 }), json)).status).toBe(400);
      expect((await call(port, 'POST', '/api/rate', JSON.stringify({ id: pending[0].id, rating: 8 }))).status).toBe(415);
      expect((await call(port, 'POST', '/api/rate', JSON.stringify({ id: pending[0].id, rating: 8 }), json)).status).toBe(204);
      expect((await call(port, 'POST', '/api/rate', JSON.stringify({ id: pending[1].id, rating: 3 }), json)).status).toBe(204);
      const order = new Map([[sha256Hex(pngs[0]), 0], [sha256Hex(pngs[1]), 1]]);
      expect(order.get(pending[0].id)).toBe(0);
      expect(await scoring).toEqual([8, 3]);
    } finally {
      await scorer.close();
    }
  });

  it('refuses requests addressed to another host name', async () => {
    const rater = new WebRater(scale, 0, () => {});
    const scorer = new ManualScorer('human', scale, await RatingsStore.open(), rater);
    const controller = new AbortController();
    try {
      const scoring = scorer.score(scoredImages(pngs.slice(0, 1)), controller.signal).catch((e: Error) => e);
      const { port } = await pendingOn(rater, 1);
      expect((await call(port, 'GET', '/api/state', undefined, { host: `evil.example:${port}` })).status).toBe(421);
      controller.abort(new Error('run interrupted'));
      expect(((await scoring) as Error).message).toBe('run interrupted');
      expect((await pendingOn(rater, 0)).pending).toEqual([]);
    } finally {
      await scorer.close();
    }
  });
});
