import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { supermergerNotice } from '../../src/export/supermerger-notice.js';
import { SearchSpace, type SpaceConfig } from '../../src/space/space.js';
import { runMain } from '../report/run-main.js';
import { writeTree } from '../support/tmp.js';

const space = (config: Partial<SpaceConfig> & { preset: string }) => SearchSpace.fromConfig({ bounds: [0, 1], ...config });

describe('the note for supermerger users', () => {
  it('names what sd1-27 searches that a supermerger string folds away, and the preset to use instead', () => {
    expect(supermergerNotice(space({ preset: 'sd1-27' }))).toBe(
      'preset sd1-27 gives TIME_EMBED and OUT weights of their own, which supermerger has no slot for (its supermerger export folds them into IN00 and OUT11); for a supermerger recipe, use preset sd1-26',
    );
  });

  it('says nothing for the presets a supermerger string holds exactly', () => {
    expect(supermergerNotice(space({ preset: 'sd1-26' }))).toBeUndefined();
    expect(supermergerNotice(space({ preset: 'sdxl-20' }))).toBeUndefined();
  });

  it('leaves out a block the space always sets to its fold target (grouped, or frozen alike)', () => {
    expect(supermergerNotice(space({ preset: 'sd1-27', groups: { early: ['IN00', 'TIME_EMBED'] } }))).toMatch(/gives OUT a weight of its own, .* folds it into OUT11\)/);
    expect(supermergerNotice(space({ preset: 'sd1-28', groups: { early: ['IN00', 'TIME_EMBED'] }, freeze: { OUT: 1, OUT11: 1 } }))).toBeUndefined();
  });

  it('a block frozen apart from its fold target still folds away', () => {
    expect(supermergerNotice(space({ preset: 'sd1-27', freeze: { TIME_EMBED: 0 } }))).toMatch(/gives TIME_EMBED and OUT weights of their own/);
  });
});

describe('supermerger users hear of it before the run', () => {
  const experiment = (preset: string) => writeTree({ 'exp.yaml': `seed: 1\nspace: {preset: ${preset}}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: random}\nstop: {budget: 2}\n` });

  it('autombw validate prints the note under the ok line', async () => {
    const r = await runMain(['validate', path.join(experiment('sd1-27'), 'exp.yaml')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/: ok \(random, 27 variables, budget 2\)\n {2}note: preset sd1-27 gives TIME_EMBED and OUT weights of their own, .*use preset sd1-26$/);
    const quiet = await runMain(['validate', path.join(experiment('sd1-26'), 'exp.yaml')]);
    expect(quiet.stdout).not.toMatch(/note:/);
  });

  it('autombw export --help points supermerger users to sd1-26', async () => {
    const r = await runMain(['export', '--help']);
    expect(r.stdout).toMatch(/supermerger has no TIME_EMBED or OUT weight[\s\S]*search with preset sd1-26 instead/);
  });
});
