import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { writeTree } from '../support/tmp.js';
import { runMain } from './run-main.js';

const EXPERIMENT = `name: tiny
seed: 2
space: {preset: sdxl-20, step: 0.05}
objective: {kind: function, function: sphere}
optimizer: {kind: random}
stop: {budget: 8}
`;

describe('autombw run writes the report', () => {
  it('at the end of a run, next to best.json', async () => {
    const dir = writeTree({ 'exp.yaml': EXPERIMENT });
    const r = await runMain(['run', path.join(dir, 'exp.yaml'), '--progress', 'none', '--output-dir', path.join(dir, 'runs')]);
    expect(r.code, r.stderr).toBe(0);
    const [run] = readdirSync(path.join(dir, 'runs'));
    expect(r.stdout).toContain(`${run}/report.html`);
    expect(readFileSync(path.join(dir, 'runs', run, 'report.html'), 'utf8')).toContain('<figure id="figure-best-recipe">');
  });

  it('a report that cannot be written is a warning, and the run still succeeds', async () => {
    const dir = writeTree({ 'exp.yaml': EXPERIMENT });
    const { hash } = await loadAndHashExperiment(path.join(dir, 'exp.yaml'));
    mkdirSync(path.join(dir, 'runs', hash.slice(0, 12)), { recursive: true });
    writeFileSync(path.join(dir, 'runs', hash.slice(0, 12), 'figures'), 'a file where the figures directory goes');
    const r = await runMain(['run', path.join(dir, 'exp.yaml'), '--progress', 'none', '--output-dir', path.join(dir, 'runs')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: budget; 8 trials \(0 failed\)/);
    expect(r.stderr).toMatch(/^warning: could not write the report of .*: /m);
  });

  it('a finished run run again leaves its report alone and returns at once', async () => {
    const dir = writeTree({ 'exp.yaml': EXPERIMENT });
    const args = ['run', path.join(dir, 'exp.yaml'), '--progress', 'none', '--output-dir', path.join(dir, 'runs')];
    await runMain(args);
    const [run] = readdirSync(path.join(dir, 'runs'));
    rmSync(path.join(dir, 'runs', run, 'report.html'));
    const again = await runMain(args);
    expect(again.code).toBe(0);
    expect(existsSync(path.join(dir, 'runs', run, 'report.html'))).toBe(false);
  });
});

describe('autombw report', () => {
  it('rewrites the report of a run found by hash prefix', async () => {
    const dir = writeTree({ 'exp.yaml': EXPERIMENT });
    await runMain(['run', path.join(dir, 'exp.yaml'), '--progress', 'none', '--output-dir', path.join(dir, 'runs')]);
    const [run] = readdirSync(path.join(dir, 'runs'));
    rmSync(path.join(dir, 'runs', run, 'report.html'));
    const r = await runMain(['report', run.slice(0, 6), '--runs-dir', path.join(dir, 'runs')]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(path.join(dir, 'runs', run, 'report.html'))).toBe(true);
  });

  it('says what it expected when given neither a run nor a comparison', async () => {
    const dir = writeTree({ 'x.txt': '' });
    mkdirSync(path.join(dir, 'empty'));
    const r = await runMain(['report', path.join(dir, 'empty')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is neither a run directory \(no run\.json there\) nor a run hash/);
  });
});

describe('autombw compare', () => {
  it('prints the table and the pairwise tests, and writes the comparison report', async () => {
    const dir = writeTree({
      'exp.yaml': EXPERIMENT,
      'cmp.yaml': `name: '<b onmouseover="x()">mine</b>'\nexperiment: exp.yaml\nseeds: 3\nbudget: 8\ncheckpoints: [4]\noptimizers:\n  random: {kind: random}\n  sobol: {kind: sobol}\noutput: {progress: none}\n`,
    });
    const r = await runMain(['compare', path.join(dir, 'cmp.yaml'), '--output-dir', path.join(dir, 'cmp')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^optimizer +runs +best @8 +median \[IQR\] +@4 +mean rank +AUC$/m);
    expect(r.stdout).toMatch(/^random +3 +-?[\d.]+ \[-?[\d.]+, -?[\d.]+\]/m);
    expect(r.stdout).toMatch(/beats (random|sobol) in \d+% of run pairs \(ties half\); p = [\d.]+ \(Holm [\d.]+, exact\)/);
    // 3 seeds each: the exact test cannot go below 2 of the 20 orderings.
    expect(r.stdout).toMatch(/^ {2}Too few seeds for any pair to reach p < 0\.05: .* is 0\.1; 4 seeds per optimizer would allow it\.$/m);
    const html = readFileSync(path.join(dir, 'cmp', 'report.html'), 'utf8');
    const convergence = /<figure id="figure-convergence">([\s\S]*?)<\/figure>/.exec(html)![1];
    expect(convergence.match(/<polygon class="series"/g)).toHaveLength(2);
    expect(convergence).toContain('data-series="sobol"');
    expect(html).toContain('<section id="tests">');
    expect(html).toMatch(/<p class="note"><strong>Too few seeds for any pair to reach p &lt; 0\.05: .* 4 seeds per optimizer would allow it\.<\/strong><\/p>/);
    expect(html).toContain('<h1>&lt;b onmouseover=&quot;x()&quot;&gt;mine&lt;/b&gt;</h1>');
    expect(html).not.toContain('<b onmouseover');
    expect(existsSync(path.join(dir, 'cmp', 'figures', 'convergence.png'))).toBe(true);
  });
});
