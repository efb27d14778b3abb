import { describe, expect, it } from 'vitest';
import { statSync } from 'node:fs';
import path from 'node:path';
import { makeDirectory } from '../../src/util/make-dir.js';
import { tempDir } from '../support/tmp.js';

describe('makeDirectory', () => {
  it('creates every missing level, and accepts a directory that exists', () => {
    const dir = path.join(tempDir(), 'a', 'b', 'c');
    makeDirectory(dir);
    makeDirectory(dir);
    expect(statSync(dir).isDirectory()).toBe(true);
  });

  // Node's recursive mkdir loops forever here, deaf to SIGTERM.
  it.runIf(process.platform === 'linux')('fails inside /proc with the kernel\'s error instead of spinning', () => {
    expect(() => makeDirectory('/proc/self/autombw-runs/abc')).toThrow(/ENOENT/);
  });
});
