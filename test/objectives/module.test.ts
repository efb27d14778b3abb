import { describe, expect, it } from 'vitest';
import { moduleObjectiveKind } from '../../src/objectives/module.js';
import { SearchSpace } from '../../src/space/space.js';
import { Rng } from '../../src/util/rng.js';
import { UserInputError } from '../../src/config/issues.js';
import { writeTree } from '../support/tmp.js';

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
