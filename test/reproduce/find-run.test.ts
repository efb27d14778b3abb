import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { findRun, indexRuns } from '../../src/reproduce/find-run.js';
import { writeTree } from '../support/tmp.js';

const H1 = 'ab12'.repeat(16);
const H2 = `ab12ffff${'0'.repeat(56)}`;
const H3 = 'cd00'.repeat(16);

/** A tree of run directories: runs/, and a comparison's runs under compare/<name>/runs/. */
function tree(): string {
  const root = writeTree({ 'runs/.keep': '' });
  const add = (dir: string, hash: string) => {
    mkdirSync(path.join(root, dir), { recursive: true });
    writeFileSync(path.join(root, dir, 'run.json'), JSON.stringify({ hash }));
  };
  add('runs/ab12ab12ab12', H1);
  add('runs/ab12ffff0000', H2);
  add('compare/mine/runs/cd00cd00cd00', H3);
  mkdirSync(path.join(root, 'runs', 'cache', '3f'), { recursive: true });
  return root;
}

const issues = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof UserInputError) return e.issues.join('\n');
    throw e;
  }
  return 'no error';
};

describe('runs index', () => {
  it('finds runs in the runs directory and inside comparisons, skipping everything else', () => {
    const root = tree();
    const found = indexRuns([path.join(root, 'runs'), path.join(root, 'compare')]).map((r) => r.hash).sort();
    expect(found).toEqual([H1, H2, H3].sort());
  });

  it('resolves a unique prefix, a full hash, and a run directory given directly', () => {
    const root = tree();
    const roots = [path.join(root, 'runs'), path.join(root, 'compare')];
    expect(findRun('cd00', roots).dir).toBe(path.join(root, 'compare/mine/runs/cd00cd00cd00'));
    expect(findRun(H2, roots).hash).toBe(H2);
    expect(findRun(path.join(root, 'runs/ab12ab12ab12'), []).hash).toBe(H1);
  });

  it('lists the candidates of an ambiguous prefix, and of a run present in two directories', () => {
    const root = tree();
    const runs = path.join(root, 'runs');
    expect(issues(() => findRun('ab12', [runs]))).toMatch(/^2 runs match ab12; give a longer prefix or the directory:\n  ab12ab12ab12ab12  .*ab12ab12ab12\n  ab12ffff00000000  .*ab12ffff0000$/);
    expect(findRun('ab12a', [runs]).hash).toBe(H1);
    expect(issues(() => findRun('ab12a', [runs, runs]))).toMatch(/^run ab12a is in 2 directories; give a longer prefix or the directory:/);
  });

  it('refuses what is neither a run directory nor a hash', () => {
    expect(issues(() => findRun('ab1', []))).toMatch(/"ab1" is neither a run directory \(no run\.json there\) nor a run hash \(4 to 64 hex digits\)/);
  });

  it('says where it looked when nothing matches', () => {
    const root = tree();
    expect(issues(() => findRun('ffff', [path.join(root, 'runs')]))).toMatch(/no run with hash ffff under .*runs; give the run directory or --runs-dir/);
  });
});
