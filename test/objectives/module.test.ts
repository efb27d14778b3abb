import { describe, expect, it } from 'vitest';
import { moduleObjectiveKind } from '../../src/objectives/module.js';
import { SearchSpace } from '../../src/space/space.js';
import { Rng } from '../../src/util/rng.js';
import { UserInputError } from '../../src/config/issues.js';
import { writeTree } from '../support/tmp.js';
import path from 'node:path';
import { importSpecifiers, MAX_MODULE_FILES, moduleClosure } from '../../src/objectives/module-imports.js';

const space = SearchSpace.fromConfig({ preset: 'sd1-27', bounds: [0, 1] });
const ctx = { trial: 0, signal: new AbortController().signal, runDir: '/tmp' };

async function create(files: Record<string, string>, section: Record<string, unknown>) {
  const baseDir = writeTree(files);
  const setting = { baseDir, rng: Rng.fromSeed(1) };
  const full = { kind: 'module', export: 'evaluate', concurrency: 1, options: {}, ...section };
  const { section: resolved, issues } = await moduleObjectiveKind.resolve(full as never, setting);
  if (issues.length) throw new Error(issues[0].message);
  return moduleObjectiveKind.create(resolved, { ...setting, runDir: baseDir, space, log: () => {} });
}

describe('module objective', () => {
  it('calls an async evaluate from a JavaScript module', async () => {
    const o = await create({ 'obj.mjs': 'export async function evaluate(w) { return w.IN00 * 2; }' }, { module: 'obj.mjs' });
    expect(await o.evaluate({ IN00: 0.25 }, ctx)).toEqual({ value: 0.5 });
  });

  it('loads a TypeScript module and passes options', async () => {
    const ts = 'export function evaluate(w: Record<string, number>, c: { options: { k: number } }): { value: number; details: object } {\n  return { value: w.M00 * c.options.k, details: { k: c.options.k } };\n}\n';
    const o = await create({ 'obj.ts': ts }, { module: 'obj.ts', options: { k: 3 } });
    expect(await o.evaluate({ M00: 2 }, ctx)).toEqual({ value: 6, details: { k: 3 } });
  });

  it('uses a named export', async () => {
    const o = await create({ 'obj.mjs': 'export const score = () => 4;' }, { module: 'obj.mjs', export: 'score' });
    expect((await o.evaluate({}, ctx)).value).toBe(4);
  });

  it('says which exports exist when the function is missing', async () => {
    await expect(create({ 'obj.mjs': 'export const other = 1;' }, { module: 'obj.mjs' })).rejects.toThrow(UserInputError);
    await expect(create({ 'obj.mjs': 'export const other = 1;' }, { module: 'obj.mjs' })).rejects.toThrow(/exports: other/);
  });

  it('reports a module that fails to load as a user error', async () => {
    await expect(create({ 'obj.mjs': 'export const = ;' }, { module: 'obj.mjs' })).rejects.toThrow(/cannot load obj\.mjs/);
  });

  it('fails the trial when evaluate returns something that is not a score', async () => {
    const o = await create({ 'obj.mjs': 'export const evaluate = () => "good";' }, { module: 'obj.mjs' });
    await expect(o.evaluate({}, ctx)).rejects.toThrow(/returned "good"; expected a number/);
  });
});

describe('module objective: the local files a module imports', () => {
  it('finds every form of import written with a string literal, and nothing inside comments, strings or templates', () => {
    const source = [
      "import a from './a.js';",
      "import type { B } from './b';",
      "import './side-effect.mjs';",
      "export * from './re-export.js';",
      "export { c } from \"./c.js\";",
      "const d = await import('./dynamic.mjs');",
      "const e = require('./required.cjs');",
      "import lodash from 'lodash';",
      "// import x from './commented.js';",
      "/* import('./block-commented.js') */",
      "const s = \"import './in-a-string.js'\";",
      "const t = `import('./in-a-template.js')`;",
      "const r = /import '.\\/in-a-regex.js'/;",
    ].join('\n');
    expect(importSpecifiers(source)).toEqual(
      expect.arrayContaining(['./a.js', './b', './side-effect.mjs', './re-export.js', './c.js', './dynamic.mjs', './required.cjs', 'lodash']),
    );
    expect(importSpecifiers(source)).toHaveLength(8);
  });

  it('resolves specifiers as TypeScript does: .js naming .ts, no extension, folders with an index', () => {
    const dir = writeTree({
      'mod.ts': "import { a } from './util.js';\nimport { b } from './lib';\nimport { c } from './plain';\nexport const evaluate = () => a + b + c;\n",
      'util.ts': 'export const a = 1;\n',
      'lib/index.ts': "export { b } from '../deep/b.mjs';\n",
      'deep/b.mts': 'export const b = 2;\n',
      'plain.mjs': 'export const c = 3;\n',
    });
    const closure = moduleClosure(path.join(dir, 'mod.ts'));
    expect(closure.files.map((f) => path.relative(dir, f).split(path.sep).join('/'))).toEqual(['mod.ts', 'util.ts', 'lib/index.ts', 'plain.mjs', 'deep/b.mts']);
    expect(closure.unresolved).toEqual([]);
  });

  it('reports a relative import that names no file, with the file that wrote it', async () => {
    const baseDir = writeTree({ 'mod.mjs': "import { w } from './helpers/weights.mjs';\nexport const evaluate = w;\n" });
    const { issues } = await moduleObjectiveKind.resolve({ kind: 'module', module: 'mod.mjs', export: 'evaluate', concurrency: 1, options: {} }, { baseDir, rng: Rng.fromSeed(1) });
    expect(issues).toEqual([{ path: ['objective', 'module'], message: expect.stringMatching(/^mod\.mjs imports "\.\/helpers\/weights\.mjs", which names no file/) }]);
  });

  it(`refuses a module whose local imports reach more than ${MAX_MODULE_FILES} files`, async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i <= MAX_MODULE_FILES; i++) files[`m${i}.mjs`] = `import './m${i + 1}.mjs';\n`;
    files[`m${MAX_MODULE_FILES + 1}.mjs`] = 'export const evaluate = () => 0;\n';
    const baseDir = writeTree(files);
    const { issues } = await moduleObjectiveKind.resolve({ kind: 'module', module: 'm0.mjs', export: 'evaluate', concurrency: 1, options: {} }, { baseDir, rng: Rng.fromSeed(1) });
    expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(new RegExp(`^m0\\.mjs imports more than ${MAX_MODULE_FILES} local files`))]);
  });
});
