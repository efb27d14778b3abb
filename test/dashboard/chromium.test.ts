import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Dashboard } from '../../src/dashboard/server.js';
import { readRun } from '../../src/report/run-data.js';
import { Chromium, CHROMIUM } from '../support/cdp.js';
import { tempDir } from '../support/tmp.js';
import { PAYLOAD_MODULE, runFixture, solidPng } from '../report/support.js';
import { JournalWriterProcess, trialLine } from './support.js';

describe.skipIf(!CHROMIUM)(`the dashboard in a real browser (${CHROMIUM ?? 'chromium not installed: skipped'})`, () => {
  let runDir: string;
  let dashboard: Dashboard;
  let browser: Chromium;
  let page: string;

  beforeAll(async () => {
    const png = path.join(tempDir(), 'generated.png');
    writeFileSync(png, await solidPng(64, 64, [0, 200, 0]));
    runDir = await runFixture({
      'exp.yaml': `seed: 5\nspace: {preset: sd1-27, step: 0.01}\nobjective: {kind: module, module: payloads.mjs, options: {png: ${JSON.stringify(png)}}}\noptimizer: {kind: random}\nstop: {budget: 12}\n`,
      'payloads.mjs': PAYLOAD_MODULE,
    });
    const root = path.dirname(path.dirname(runDir));
    dashboard = await startDashboard({ root, port: 0 });
    browser = await Chromium.launch();
    page = await browser.open(`${dashboard.url}run?d=${encodeURIComponent(path.relative(root, runDir))}`);
    await browser.waitFor(page, `document.querySelectorAll('#trials tbody tr').length === 12`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  it('shows a trial\'s images and weights when it is clicked', async () => {
    await browser.evaluate(page, `document.querySelector('#trials tbody tr[data-id="2"]').click()`);
    await browser.waitFor(page, `document.querySelectorAll('#trial-detail img').length === 2 && [...document.querySelectorAll('#trial-detail img')].every((i) => i.complete && i.naturalWidth > 0)`);
    const shown = await browser.evaluate<{ title: string; sizes: number[]; weights: Record<string, string> }>(
      page,
      `({ title: document.querySelector('#trial-detail h3').textContent,
          sizes: [...document.querySelectorAll('#trial-detail img')].map((i) => i.naturalWidth),
          weights: Object.fromEntries([...document.querySelectorAll('#trial-detail table.weights tr')].map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent])) })`,
    );
    expect(shown.title).toMatch(/^Trial 2/);
    expect(shown.sizes).toEqual([64, 64]);
    const trial = readRun(runDir).trials.find((t) => t.id === 2)!;
    expect(Object.keys(shown.weights)).toHaveLength(27);
    for (const [block, w] of Object.entries(trial.weights)) expect(Number(shown.weights[block])).toBeCloseTo(w, 4);
  });

  it('sorts the trial table by value when its header is clicked', async () => {
    await browser.evaluate(page, `[...document.querySelectorAll('#trials thead th')].find((th) => th.textContent === 'value').click()`);
    await browser.waitFor(page, `document.querySelector('#trials thead th.sorted-down')`);
    const ids = await browser.evaluate<number[]>(page, `[...document.querySelectorAll('#trials tbody tr')].map((tr) => Number(tr.dataset.id))`);
    const best = readRun(runDir).best!.id;
    expect(ids[0]).toBe(best);
  });

  it('adds a trial that another process journals, without a reload', async () => {
    const writer = JournalWriterProcess.start(runDir);
    try {
      await writer.append(trialLine(12, 99));
      await browser.waitFor(page, `document.querySelectorAll('#trials tbody tr').length === 13`);
      expect(await browser.evaluate(page, `document.querySelector('#trials tbody tr[data-id="12"]').cells[2].textContent`)).toBe('99');
    } finally {
      await writer.stop();
    }
  });
});
