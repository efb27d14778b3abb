import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { runCli } from '../support/cli.js';
import { writeTree } from '../support/tmp.js';

const GOOD = `name: cli
seed: 1
space: {preset: sd1-27}
objective: {kind: function, function: sphere}
optimizer: {kind: random}
stop: {budget: 5}
`;

describe('autombw CLI', () => {
  it('lists every command in --help and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(c.name);
  });

  for (const c of COMMANDS) {
    it(`${c.name} --help prints its usage and exits 0`, async () => {
      expect((await c.load()).name).toBe(c.name);
      const r = runCli([c.name, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`Usage: autombw ${c.name}`));
    });
  }

  it('exits 2 with a hint for an unknown command', () => {
    const r = runCli(['rnu']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown command "rnu" \(did you mean "run"\?\)/);
  });

  it('exits 2 for an unknown option, naming the command and its options', () => {
    const r = runCli(['hash', 'x.yaml', '--fast']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('autombw hash: unknown option --fast; options: --canonical, --help (see autombw hash --help)');
  });

  it('suggests the option a typo was meant to be, without parseArgs\' advice to programmers', () => {
    const r = runCli(['run', '--hlep']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^autombw run: unknown option --hlep \(did you mean --help\?\); options: /);
    expect(r.stderr).not.toMatch(/positional argument/);
  });

  it('prints the version for "version" and "--version"', () => {
    const version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
    for (const arg of ['version', '--version']) {
      const r = runCli([arg]);
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it('validate: exits 0 and summarizes a valid file', () => {
    const dir = writeTree({ 'ok.yaml': GOOD });
    const r = runCli(['validate', 'ok.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ok\.yaml: ok \(random, 27 variables, budget 5\)/);
  });

  it('validate: exits 2 with file:line:col and no stack trace', () => {
    const dir = writeTree({ 'bad.yaml': GOOD.replace('budget: 5', 'budget: -1') });
    const r = runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('bad.yaml:6:16: stop.budget: expected a number >= 1, got -1');
  });

  it('validate: imports a module objective and says, at file:line:col, when it lacks the export', () => {
    const dir = writeTree({
      'exp.yaml': GOOD.replace('{kind: function, function: sphere}', '{kind: module, module: obj.mjs, export: score}'),
      'obj.mjs': 'export const evaluate = () => 1;\n',
    });
    const r = runCli(['validate', 'exp.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('exp.yaml:4:52: objective.export: obj.mjs does not export a function "score" (exports: evaluate)');
  });

  it('validate: checks a comparison file as a comparison, with its experiment under each optimizer', () => {
    const compare = 'experiment: exp.yaml\nseeds: 2\nbudget: 8\noptimizers:\n  random: {kind: random}\n  sobol: {kind: sobol}\n';
    const dir = writeTree({ 'exp.yaml': GOOD, 'cmp.yaml': compare, 'bad.yaml': compare.replace('{kind: sobol}', '{kind: hill-climbing, options: {stepp: 1}}') });
    const ok = runCli(['validate', 'cmp.yaml'], { cwd: dir });
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout.trim()).toBe('cmp.yaml: ok (comparison: 2 optimizers × 2 seeds on exp.yaml, budget 8)');
    const bad = runCli(['validate', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^bad\.yaml:6:42: optimizers\.sobol\.options\.stepp: unknown key "stepp"/)]);
  });

  it('validate: a problem of a comparison\'s experiment is said once, not once per optimizer', () => {
    const compare = 'experiment: exp.yaml\noptimizers:\n  random: {kind: random}\n  sobol: {kind: sobol}\n';
    const dir = writeTree({ 'exp.yaml': GOOD.replace('budget: 5', 'budget: -1'), 'cmp.yaml': compare });
    const r = runCli(['validate', 'cmp.yaml'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('exp.yaml:6:16: stop.budget: expected a number >= 1, got -1');
  });

  it('validate: a missing file is a user error', () => {
    const r = runCli(['validate', '/nonexistent/exp.yaml']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/experiment file not found/);
  });

  it('hash: prints the 64-hex hash, the same from any working directory', () => {
    const dir = writeTree({ 'sub/exp.yaml': GOOD });
    const a = runCli(['hash', 'sub/exp.yaml'], { cwd: dir });
    const b = runCli(['hash', 'exp.yaml'], { cwd: path.join(dir, 'sub') });
    expect(a.code).toBe(0);
    expect(a.stdout.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(b.stdout).toBe(a.stdout);
  });

  it('run: writes runs/<hash12>/ with the resolved config, journal and best.json', () => {
    const dir = writeTree({ 'exp.yaml': GOOD });
    const hash = runCli(['hash', 'exp.yaml'], { cwd: dir }).stdout.trim();
    const r = runCli(['run', 'exp.yaml', '--progress', 'plain'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/trial 4 +\[5\/5\]/);
    expect(readdirSync(path.join(dir, 'runs'))).toEqual([hash.slice(0, 12)]);
    expect(readdirSync(path.join(dir, 'runs', hash.slice(0, 12)))).toEqual(expect.arrayContaining(['best.json', 'config.resolved.yaml', 'journal.jsonl', 'run.json', 'report.html']));
  });

  it('run: exits 1 when every trial failed', () => {
    const dir = writeTree({
      'exp.yaml': GOOD.replace('{kind: function, function: sphere}', `{kind: command, command: [${JSON.stringify(process.execPath)}, fail.mjs]}`),
      'fail.mjs': 'process.exit(4);',
    });
    const r = runCli(['run', 'exp.yaml', '--progress', 'plain'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/failed: command exited with 4/);
  });

  it('runs: lists runs with their progress and best value', () => {
    const dir = writeTree({ 'exp.yaml': GOOD });
    runCli(['run', 'exp.yaml', '--progress', 'none'], { cwd: dir });
    const r = runCli(['runs'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/cli +random +5\/5 +0 +-?\d.* budget/);
  });
});
