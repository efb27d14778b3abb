import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/write.js';
import { HOSTILE, PAYLOAD_MODULE, runFixture, solidPng } from './support.js';
import { tempDir } from '../support/tmp.js';

const experiment = (objective: string, extra = '') => `name: ${JSON.stringify(HOSTILE)}
description: ${JSON.stringify(`described as ${HOSTILE}`)}
seed: 5
space:
  preset: sd1-27
  step: 0.01
  freeze: {OUT: 0.25}
objective:
${objective}
optimizer:
  kind: random
stop:
  budget: 12
${extra}`;

/** Every URL-bearing attribute of the page: only data: URIs and in-page anchors may appear. */
function externalReferences(html: string): string[] {
  return [...html.matchAll(/\b(?:src|href|xlink:href|action|poster)\s*=\s*"([^"]*)"/gi)].map((m) => m[1]).filter((u) => !u.startsWith('data:') && !u.startsWith('#'));
}

describe('report of a run', () => {
  let runDir: string;
  let html: string;

  beforeAll(async () => {
    const png = path.join(tempDir(), 'generated.png');
    writeFileSync(png, await solidPng(64, 48, [200, 120, 40]));
    runDir = await runFixture({
      'exp.yaml': experiment(`  kind: module\n  module: payloads.mjs\n  options: {png: ${JSON.stringify(png)}}`),
      'payloads.mjs': PAYLOAD_MODULE,
    });
    html = readFileSync(await writeReport(runDir), 'utf8');
  });

  it('is one self-contained page: no script, nothing fetched, a policy that forbids fetching', () => {
    expect(html).not.toMatch(/<script/i);
    expect(externalReferences(html)).toEqual([]);
    expect(html).toContain(`content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`);
  });

  it('escapes the hostile name, description, payload name and error message everywhere', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    const escaped = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;';
    expect(html).toContain(`<title>${escaped}</title>`);
    expect(html).toContain(`described as ${escaped}`);
    expect(html.split(escaped).length - 1).toBeGreaterThanOrEqual(5); // title, h1, description, payload table, failure, captions
  });

  it('plots every evaluation: one dot per success, one cross per failure, and the best-so-far staircase', () => {
    const progress = /<figure id="figure-progress">([\s\S]*?)<\/figure>/.exec(html)![1];
    expect(progress.match(/<circle [^>]*r="2.6"/g)).toHaveLength(11);
    expect(progress.match(/stroke="#c0392b"/g)!.length).toBe(2); // the failed trial and its legend entry
    expect(progress).toMatch(/<path class="series" data-series="best so far" d="M[^"]*H[^"]*V/);
  });

  it('draws the best recipe as a UNet: every block with its weight, the frozen one dashed', () => {
    const best = JSON.parse(readFileSync(path.join(runDir, 'best.json'), 'utf8')) as { weights: Record<string, number> };
    const unet = /<figure id="figure-best-recipe">([\s\S]*?)<\/figure>/.exec(html)![1];
    const blocks = [...unet.matchAll(/<g class="block" data-block="([A-Z0-9_]+)">([\s\S]*?)<\/g>/g)];
    expect(blocks.map((b) => b[1]).sort()).toEqual(Object.keys(best.weights).sort());
    for (const [, block, body] of blocks) expect(body).toContain(`>${Number(best.weights[block].toFixed(3))}</text>`);
    expect(blocks.find((b) => b[1] === 'OUT')![2]).toContain('stroke-dasharray');
    expect(blocks.find((b) => b[1] === 'IN00')![2]).not.toContain('stroke-dasharray');
  });

  it('gives the best recipe as supermerger and auto-MBW-rt strings', () => {
    expect(html).toMatch(/<p>supermerger[^<]*<span class="note">[^<]*<\/span><\/p><pre>(-?[\d.]+,){25}-?[\d.]+<\/pre>/);
    expect(html).toMatch(/<p>mbw-rt<\/p><pre>(-?[\d.]+,){26}-?[\d.]+<\/pre>/);
  });

  it('shows the best recipe\'s score per payload from the journal details', () => {
    expect(html).toContain('<figure id="figure-payloads">');
    expect(html).toMatch(/<td>a quiet lake<\/td><td class="num">1<\/td>/);
  });

  it('shows the saved images inline, the best trial first', () => {
    const images = [...html.matchAll(/<img src="data:image\/jpeg;base64,[^"]+" alt="([^"]+)">/g)].map((m) => m[1]);
    expect(images.length).toBe(22); // 11 successful trials × 2 payloads
    const best = JSON.parse(readFileSync(path.join(runDir, 'best.json'), 'utf8')) as { trial: number };
    expect(images[0]).toContain(`trial-${String(best.trial).padStart(6, '0')}`);
  });

  it('writes every figure as SVG and as a PNG of twice its size', async () => {
    for (const name of ['progress', 'best-recipe', 'payloads']) {
      const svg = readFileSync(path.join(runDir, 'figures', `${name}.svg`), 'utf8');
      const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
      const meta = await sharp(path.join(runDir, 'figures', `${name}.png`)).metadata();
      expect(meta.format).toBe('png');
      expect(meta.width).toBe(2 * width);
    }
  });
});
