import { describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { runExperiment } from '../../src/run/runner.js';
import { createProgress } from '../../src/run/progress.js';
import { schemasDir } from '../../src/config/schema.js';
import { writeTree } from '../support/tmp.js';
import { Writable } from 'node:stream';

const schema = JSON.parse(readFileSync(path.join(schemasDir(), 'experiment.schema.json'), 'utf8'));
const kinds: string[] = schema.$defs.optimizer.properties.kind.enum;
const silent = createProgress('none', new Writable({ write: (_c, _e, cb) => cb() }));

describe('optimizer registry and schema agree', () => {
  it('the schema offers exactly the registered kinds', () => {
    expect([...kinds].sort()).toEqual(Object.keys(OPTIMIZERS).sort());
  });

  for (const kind of kinds) {
    it(`${kind}: has an options schema whose every option has a default and a description`, () => {
      const file = path.join(schemasDir(), 'optimizers', `${kind}.schema.json`);
      expect(existsSync(file)).toBe(true);
      const options = JSON.parse(readFileSync(file, 'utf8'));
      expect(options.additionalProperties).toBe(false);
      for (const [name, prop] of Object.entries<Record<string, unknown>>(options.properties ?? {})) {
        expect(prop.description, `${kind}.${name}`).toBeTypeOf('string');
        expect('default' in prop || 'oneOf' in prop || 'anyOf' in prop, `${kind}.${name} has a default`).toBe(true);
      }
    });
  }
});

describe('every optimizer runs from a minimal experiment with its documented defaults', () => {
  for (const kind of kinds) {
    it(kind, async () => {
      const dir = writeTree({
        'exp.yaml': `seed: 5\nspace: {preset: sd1-27, step: 0.05}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: ${kind}}\nstop: {budget: 24}\noutput: {dir: ${JSON.stringify(path.join('RUNS'))}}\n`,
      });
      const cwd = process.cwd();
      process.chdir(dir);
      try {
        const exp = await loadAndHashExperiment('exp.yaml');
        const r = await runExperiment(exp, { progress: silent });
        expect(r.finished).toBe(24);
        expect(r.failed).toBe(0);
        expect(r.best?.value).toBeLessThan(0);
      } finally {
        process.chdir(cwd);
      }
    });
  }
});
