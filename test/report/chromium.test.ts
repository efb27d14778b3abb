import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { writeReport } from '../../src/report/write.js';
import { tempDir } from '../support/tmp.js';
import { PAYLOAD_MODULE, runFixture, solidPng } from './support.js';

/** Debian's chromium, when installed (apt-get install chromium); the structural tests run regardless. */
const CHROMIUM = ['chromium', 'chromium-browser'].find((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);

const WIDTH = 1000;
const HEIGHT = 2200;

/** Pixels within 40 of a colour, per channel. */
async function countNear(png: string, rgb: [number, number, number]): Promise<number> {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let n = 0;
  for (let i = 0; i < info.width * info.height * 3; i += 3) {
    if (Math.abs(data[i] - rgb[0]) < 40 && Math.abs(data[i + 1] - rgb[1]) < 40 && Math.abs(data[i + 2] - rgb[2]) < 40) n++;
  }
  return n;
}

describe.skipIf(!CHROMIUM)(`the report in a real browser (${CHROMIUM ?? 'chromium not installed: skipped'})`, () => {
  it('paints the inline figures and the embedded images from disk, with networking off', async () => {
    const png = path.join(tempDir(), 'generated.png');
    writeFileSync(png, await solidPng(64, 64, [0, 200, 0]));
    const runDir = await runFixture({
      'exp.yaml': `seed: 5\nspace: {preset: sd1-27, step: 0.01}\nobjective: {kind: module, module: payloads.mjs, options: {png: ${JSON.stringify(png)}}}\noptimizer: {kind: random}\nstop: {budget: 12}\n`,
      'payloads.mjs': PAYLOAD_MODULE,
    });
    const report = await writeReport(runDir);
    const profile = path.join(tempDir(), 'profile');
    mkdirSync(profile);
    const shot = path.join(tempDir(), 'shot.png');
    const r = spawnSync(
      CHROMIUM!,
      ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--hide-scrollbars', `--window-size=${WIDTH},${HEIGHT}`, `--screenshot=${shot}`, `file://${report}`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.status, r.stderr).toBe(0);
    const meta = await sharp(shot).metadata();
    expect([meta.width, meta.height]).toEqual([WIDTH, HEIGHT]);
    expect(await countNear(shot, [242, 142, 43])).toBeGreaterThan(200); // the orange best-so-far line
    expect(await countNear(shot, [59, 111, 182]) + (await countNear(shot, [224, 123, 57]))).toBeGreaterThan(2000); // UNet boxes
    expect(await countNear(shot, [0, 200, 0])).toBeGreaterThan(4 * 100 * 100); // the generated images in the gallery
  });
});
