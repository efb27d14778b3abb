/**
 * Makes docs/dashboard.png: `autombw serve` showing a real run of configs/quickstart.yaml (the
 * built-in CPU demo backend: real merges, images and scores; budget cut to 60, baselines on),
 * in Debian's headless chromium, with the best trial clicked open.
 * Needs chromium (apt-get update && apt-get install -y chromium) and a build (npm run build).
 * Usage: npx tsx scripts/screenshot-dashboard.ts [output.png]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { Chromium } from '../test/support/cdp.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.resolve(process.argv[2] ?? path.join(root, 'docs', 'dashboard.png'));
const cli = path.join(root, 'bin', 'autombw.js');
const work = mkdtempSync(path.join(os.tmpdir(), 'autombw-dashboard-shot-'));

try {
  const experiment = readFileSync(path.join(root, 'configs', 'quickstart.yaml'), 'utf8').replace('budget: 150', 'budget: 60').replace(/^optimizer:\n/m, 'optimizer:\n  baselines: true\n').replace(/save_images: best.*$/m, 'save_images: all');
  writeFileSync(path.join(work, 'quickstart.yaml'), experiment);
  const run = spawnSync(process.execPath, [cli, 'run', 'quickstart.yaml', '--progress', 'none'], { cwd: work, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`autombw run failed: ${run.stderr}`);

  const server = spawn(process.execPath, [cli, 'serve', '.', '--port', '0'], { cwd: work, stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let text = '';
      server.stdout!.setEncoding('utf8');
      server.stdout!.on('data', (c: string) => {
        text += c;
        const m = /(http:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]);
      });
      server.on('exit', (code) => reject(new Error(`autombw serve exited (${code})`)));
    });
    const index = await (await fetch(`${url}api/runs`)).json() as Array<{ dir: string }>;
    const browser = await Chromium.launch({ width: 1280, height: 1000 });
    try {
      const page = await browser.open(`${url}run?d=${encodeURIComponent(index[0].dir)}`);
      await browser.waitFor(page, `document.querySelectorAll('#trials tbody tr').length === 60 && document.querySelector('#figure-importance')`);
      await browser.evaluate(page, `[...document.querySelectorAll('#trials thead th')].find((th) => th.textContent === 'value').click()`);
      await browser.waitFor(page, `document.querySelector('#trials thead th.sorted-down')`);
      await browser.evaluate(page, `document.querySelector('#trials tbody tr').click()`);
      await browser.waitFor(page, `document.querySelectorAll('#trial-detail img').length > 0 && [...document.querySelectorAll('#trial-detail img')].every((i) => i.complete && i.naturalWidth > 0)`);
      // From the top to the end of the opened trial: the facts, convergence, best recipe, servers and trials.
      const height = await browser.evaluate<number>(page, `Math.ceil(document.getElementById('trial-detail').getBoundingClientRect().bottom + window.scrollY + 16)`);
      await browser.send('Emulation.setDeviceMetricsOverride', { width: 1280, height, deviceScaleFactor: 1, mobile: false }, page);
      const png = await browser.screenshot(page, { x: 0, y: 0, width: 1280, height });
      await sharp(png).png({ compressionLevel: 9, palette: true }).toFile(out);
    } finally {
      await browser.close();
    }
  } finally {
    server.kill('SIGINT');
  }
  console.log(out);
} finally {
  rmSync(work, { recursive: true, force: true });
}
