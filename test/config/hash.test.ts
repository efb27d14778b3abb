import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { writeTree } from '../support/tmp.js';

const BASE = `name: base
seed: 7
space:
  preset: sd1-27
  ranges:
    IN00: [0, 0.5]
  freeze: {OUT: 0}
  groups:
    low: [IN01, IN02]
objective:
  kind: function
  function: levy
optimizer:
  kind: random
stop:
  budget: 20
`;

async function hashOf(yaml: string, extra: Record<string, string> = {}, file = 'exp.yaml'): Promise<string> {
  const dir = writeTree({ [file]: yaml, ...extra });
  return (await loadAndHashExperiment(path.join(dir, file))).hash;
}

describe('run hash: same meaning gives the same hash', () => {
  it('is 64 lowercase hex digits', async () => {
    expect(await hashOf(BASE)).toMatch(/^[0-9a-f]{64}$/);
  });

  const same: Array<[string, string]> = [
    ['comments and blank lines', `# a comment\n\n${BASE.replace('seed: 7', 'seed: 7 # fixed')}`],
    ['reordered keys', BASE.replace('name: base\nseed: 7\n', '').replace('stop:\n  budget: 20\n', '') + 'stop:\n  budget: 20\nseed: 7\nname: base\n'],
    ['a different name and description', BASE.replace('name: base', 'name: other\ndescription: words')],
    ['output settings', `${BASE}output:\n  dir: elsewhere\n  progress: plain\n`],
    ['explicit defaults', BASE.replace('preset: sd1-27', 'preset: sd1-27\n  bounds: [0, 1]').replace('function: levy', 'function: levy\n  noise: 0\n  delay: 0').replace('kind: random', 'kind: random\n  options: {}\n  warm_start: []')],
    ['flow style instead of block style', BASE.replace('  ranges:\n    IN00: [0, 0.5]', '  ranges: {IN00: {min: 0, max: 0.5}}')],
    ['group members in another order', BASE.replace('[IN01, IN02]', '[IN02, IN01]')],
    ['numbers written differently', BASE.replace('[0, 0.5]', '[0.0, 5e-1]').replace('budget: 20', 'budget: 2e1')],
    ['a range equal to the default bounds', BASE.replace('    IN00: [0, 0.5]', '    IN00: [0, 0.5]\n    IN05: [0, 1]')],
    ['the budget given under optimizer', BASE.replace('stop:\n  budget: 20\n', '').replace('kind: random', 'kind: random\n  budget: 20')],
    ['a time limit (a property of the session)', BASE.replace('budget: 20', 'budget: 20\n  time_limit: 2h')],
  ];
  for (const [what, yaml] of same) {
    it(`ignores ${what}`, async () => {
      expect(await hashOf(yaml)).toBe(await hashOf(BASE));
    });
  }

  it('does not depend on the working directory', async () => {
    const dir = writeTree({ 'exp.yaml': BASE });
    const here = (await loadAndHashExperiment(path.join(dir, 'exp.yaml'))).hash;
    const cwd = process.cwd();
    try {
      process.chdir(dir);
      expect((await loadAndHashExperiment('exp.yaml')).hash).toBe(here);
    } finally {
      process.chdir(cwd);
    }
  });

  it('follows an included file by content, not by name', async () => {
    const inline = await hashOf(BASE);
    const included = await hashOf(BASE.replace(/space:\n(  .*\n)+?(?=objective)/, 'space: !include parts/space.yaml\n'), {
      'parts/space.yaml': 'preset: sd1-27\nranges:\n  IN00: [0, 0.5]\nfreeze: {OUT: 0}\ngroups:\n  low: [IN01, IN02]\n',
    });
    expect(included).toBe(inline);
  });

  it('hashes a module objective by the module\'s bytes, not its path', async () => {
    const mod = 'export const evaluate = (w) => w.IN00;\n';
    const yaml = (p: string) => BASE.replace('kind: function\n  function: levy', `kind: module\n  module: ${p}`);
    const a = await hashOf(yaml('./a.mjs'), { 'a.mjs': mod });
    const b = await hashOf(yaml('./lib/b.mjs'), { 'lib/b.mjs': mod });
    const c = await hashOf(yaml('./a.mjs'), { 'a.mjs': mod.replace('IN00', 'IN01') });
    expect(a).not.toBe(c);
    expect(a).toBe(b);
  });

  it('hashes the local files a module imports, so changing a helper changes the hash', async () => {
    const yaml = BASE.replace('kind: function\n  function: levy', 'kind: module\n  module: ./mod.mjs');
    const mod = "import { weight } from './helper.mjs';\nexport const evaluate = (w) => weight(w);\n";
    const before = await hashOf(yaml, { 'mod.mjs': mod, 'helper.mjs': 'export const weight = (w) => w.IN00;\n' });
    const after = await hashOf(yaml, { 'mod.mjs': mod, 'helper.mjs': 'export const weight = (w) => w.IN01;\n' });
    expect(after).not.toBe(before);
  });

  it('keys imported files by their path from the module, so moving the experiment folder keeps the hash', async () => {
    const files = (root: string) => ({
      [`${root}/exp.yaml`]: BASE.replace('kind: function\n  function: levy', 'kind: module\n  module: ./code/mod.ts'),
      [`${root}/code/mod.ts`]: "import { weight } from '../shared/helper.js';\nexport const evaluate = (w: Record<string, number>) => weight(w);\n",
      [`${root}/shared/helper.ts`]: 'export const weight = (w: Record<string, number>) => w.IN00;\n',
    });
    const dirA = writeTree(files('one'));
    const dirB = writeTree(files('deeper/two'));
    const hashA = (await loadAndHashExperiment(path.join(dirA, 'one/exp.yaml'))).hash;
    const hashB = (await loadAndHashExperiment(path.join(dirB, 'deeper/two/exp.yaml'))).hash;
    expect(hashB).toBe(hashA);
  });
});

describe('run hash: any change of meaning gives another hash', () => {
  const changes: Array<[string, string]> = [
    ['the seed', BASE.replace('seed: 7', 'seed: 8')],
    ['the preset', BASE.replace('preset: sd1-27', 'preset: sd1-28')],
    ['a range', BASE.replace('[0, 0.5]', '[0, 0.6]')],
    ['a frozen value', BASE.replace('{OUT: 0}', '{OUT: 0.1}')],
    ['a new frozen block', BASE.replace('{OUT: 0}', '{OUT: 0, M00: 1}')],
    ['group membership', BASE.replace('[IN01, IN02]', '[IN01, IN03]')],
    ['a quantization step', BASE.replace('preset: sd1-27', 'preset: sd1-27\n  step: 0.05')],
    ['the default bounds', BASE.replace('preset: sd1-27', 'preset: sd1-27\n  bounds: [-1, 2]')],
    ['the function', BASE.replace('function: levy', 'function: ackley')],
    ['the noise', BASE.replace('function: levy', 'function: levy\n  noise: 0.1')],
    ['the optimizer', BASE.replace('kind: random', 'kind: sobol')],
    ['the initial design', BASE.replace('kind: random', 'kind: random\n  initial: {design: lhs, n: 4}')],
    ['a warm start', BASE.replace('kind: random', 'kind: random\n  warm_start:\n    - {weights: {IN00: 0.1, IN01: 0.2, IN02: 0.2, IN03: 0, IN04: 0, IN05: 0, IN06: 0, IN07: 0, IN08: 0, IN09: 0, IN10: 0, IN11: 0, M00: 0, OUT00: 0, OUT01: 0, OUT02: 0, OUT03: 0, OUT04: 0, OUT05: 0, OUT06: 0, OUT07: 0, OUT08: 0, OUT09: 0, OUT10: 0, OUT11: 0, TIME_EMBED: 0, OUT: 0}}')],
    ['the budget', BASE.replace('budget: 20', 'budget: 21')],
    ['the patience', BASE.replace('budget: 20', 'budget: 20\n  patience: 5')],
  ];
  for (const [what, yaml] of changes) {
    it(`changes with ${what}`, async () => {
      expect(await hashOf(yaml)).not.toBe(await hashOf(BASE));
    });
  }
});

