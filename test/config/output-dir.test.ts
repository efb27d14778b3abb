import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { outputDirProblem } from '../../src/config/output-dir.js';
import { writeTree } from '../support/tmp.js';

describe('output.dir checked before anything is written', () => {
  it('accepts a directory that does not exist yet under one that does', () => {
    expect(outputDirProblem(path.join(writeTree({}), 'runs', 'deep'))).toBeUndefined();
  });

  it('refuses a path that goes through a file', () => {
    const dir = writeTree({ 'notes.txt': 'x' });
    expect(outputDirProblem(path.join(dir, 'notes.txt', 'runs'))).toBe(`${path.join(dir, 'notes.txt')} is a file, not a directory`);
  });

  it.runIf(process.platform === 'linux')('refuses /proc, which holds kernel state, not files', () => {
    expect(outputDirProblem('/proc/self')).toMatch(/^\/proc\/self is on proc, which holds kernel state, not files/);
  });
});
