import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvCell, trialsCsv } from '../../src/export/csv.js';
import { bestRecipe, recipeStrings } from '../../src/export/recipe.js';
import { readRun, type RunData } from '../../src/report/run-data.js';
import { parseRecipeString, readRecipeFile } from '../../src/space/recipe.js';
import { runFixture } from '../report/support.js';
import { runMain } from '../report/run-main.js';

/** RFC 4180 the long way round: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    } else cell += c;
  }
  return rows;
}

const MODULE = `export function evaluate(weights, context) {
  if (context.trial === 2) throw new Error('=HYPERLINK("http://x"), "quoted"\\nsecond line');
  const value = -Object.values(weights).reduce((s, w) => s + (w - 0.3) ** 2, 0);
  return { value, details: { payloads: [{ name: 'fox, red', weight: 1, score: value, images: [] }, { name: 'lake', weight: 2, score: value / 2, images: [] }] } };
}
`;

describe('exports of an SD1 run', () => {
  let run: RunData;

  beforeAll(async () => {
    run = readRun(await runFixture({
      'exp.yaml': `name: export test\nseed: 3\nspace: {preset: sd1-27, step: 0.01}\nobjective: {kind: module, module: m.mjs}\noptimizer: {kind: random}\nstop: {budget: 9}\n`,
      'm.mjs': MODULE,
    }));
  });

  it('the best recipe as named JSON that recipe readers accept, with where it came from', () => {
    const recipe = bestRecipe(run)!;
    const best = JSON.parse(readFileSync(path.join(run.dir, 'best.json'), 'utf8'));
    expect(recipe).toMatchObject({ preset: 'sd1-27', weights: best.weights, value: best.value, trial: best.trial, run: run.info.hash });
    expect(recipe.name).toBe(`export test ${run.info.hash.slice(0, 12)} trial ${best.trial}`);
  });

  it('an auto-MBW-rt string that reads back to the same 27 weights', () => {
    const recipe = bestRecipe(run)!;
    const mbw = recipeStrings(recipe).find((s) => s.format === 'mbw-rt')!;
    expect('text' in mbw && mbw.warnings).toEqual([]);
    expect(parseRecipeString((mbw as { text: string }).text, 'mbw-rt').weights).toEqual(recipe.weights);
  });

  it('a runtime-block-merge string: the auto-MBW-rt values with the last two swapped', () => {
    const recipe = bestRecipe(run)!;
    const [mbw, rbm] = ['mbw-rt', 'rbm'].map((f) => (recipeStrings(recipe).find((s) => s.format === f) as { text: string }).text.split(','));
    expect(rbm.slice(0, 25)).toEqual(mbw.slice(0, 25));
    expect(rbm.slice(25)).toEqual([mbw[26], mbw[25]]);
    expect(parseRecipeString(rbm.join(','), 'rbm').weights).toEqual(recipe.weights);
  });

  it('a supermerger string of 26 values, saying what the conversion loses', () => {
    const recipe = bestRecipe(run)!;
    const sm = recipeStrings(recipe).find((s) => s.format === 'supermerger') as { text: string; warnings: string[] };
    const back = parseRecipeString(sm.text, 'supermerger');
    expect(back.preset).toBe('sd1-26');
    expect(back.weights.BASE).toBe(0);
    for (const b of ['IN00', 'M00', 'OUT11', 'OUT05']) expect(back.weights[b]).toBe(recipe.weights[b]);
    expect(sm.warnings.join('\n')).toMatch(/no BASE weight/);
  });

  it('every trial as CSV: one row per finished trial, block weights and payload scores as columns', () => {
    const rows = parseCsv(trialsCsv(run));
    expect(rows[0].slice(0, 8)).toEqual(['trial', 'status', 'value', 'origin', 'started', 'duration_s', 'error', 'IN00']);
    expect(rows[0].slice(-2)).toEqual(['payload:fox, red', 'payload:lake']);
    expect(rows).toHaveLength(1 + run.trials.length);
    run.trials.forEach((t, i) => {
      const row = rows[i + 1];
      expect(Number(row[0])).toBe(t.id);
      if (t.status === 'ok') expect(Number(row[2])).toBe(t.value);
      expect(Number(row[rows[0].indexOf('OUT07')])).toBe(t.weights.OUT07);
    });
  });

  it('keeps hostile error text in one cell and disarms spreadsheet formulas', () => {
    const rows = parseCsv(trialsCsv(run));
    const failed = rows.find((r) => r[1] === 'failed')!;
    expect(failed[6]).toBe(`'=HYPERLINK("http://x"), "quoted"\nsecond line`);
    expect(csvCell(-1.5)).toBe('-1.5');
    expect(csvCell('-1 + 2')).toBe("'-1 + 2");
  });
});

describe('exports of an SDXL run', () => {
  it('have a 20-value supermerger string and no auto-MBW-rt string (it is SD1 only)', async () => {
    const run = readRun(await runFixture({ 'exp.yaml': 'seed: 1\nspace: {preset: sdxl-20}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: random}\nstop: {budget: 4}\n' }));
    const [sm, mbw] = recipeStrings(bestRecipe(run)!);
    expect((sm as { text: string }).text.split(',')).toHaveLength(20);
    expect(mbw).toMatchObject({ format: 'mbw-rt', error: expect.stringMatching(/different architectures/) });
  });
});

describe('autombw export', () => {
  it('writes all five exports into the run directory', async () => {
    const dir = await runFixture({ 'exp.yaml': 'seed: 1\nspace: {preset: sd1-27}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: random}\nstop: {budget: 4}\n' });
    const r = await runMain(['export', dir]);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['best.json', 'best.supermerger.txt', 'best.mbw-rt.txt', 'best.rbm.txt', 'trials.csv']) expect(existsSync(path.join(dir, 'export', f))).toBe(true);
    expect(readRecipeFile(path.join(dir, 'export', 'best.json')).preset).toBe('sd1-27');
  });

  it('prints one format with --format, and refuses -o without it', async () => {
    const dir = await runFixture({ 'exp.yaml': 'seed: 1\nspace: {preset: sd1-27}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: random}\nstop: {budget: 4}\n' });
    const r = await runMain(['export', dir, '--format', 'mbw-rt']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split(',')).toHaveLength(27);
    const bad = await runMain(['export', dir, '-o', 'x.json']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/-o needs --format/);
  });
});
