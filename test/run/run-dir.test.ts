import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RunDir } from '../../src/run/run-dir.js';
import { tempDir } from '../support/tmp.js';

/** A run directory holding what a writer killed mid-write leaves, and the same names owned by a live process. */
function runDirWithLeftovers(): { runDir: RunDir; deadPid: number; livePid: number } {
  const runDir = new RunDir(tempDir(), 'abcdef0123456789');
  const deadPid = spawnSync(process.execPath, ['-e', '']).pid!;
  const livePid = process.ppid;
  mkdirSync(path.join(runDir.dir, 'figures'), { recursive: true });
  for (const pid of [deadPid, livePid]) {
    writeFileSync(path.join(runDir.dir, `best.json.tmp-${pid}`), '{"tri');
    writeFileSync(path.join(runDir.dir, 'figures', `progress.svg.tmp-${pid}`), '<svg');
    for (const kind of ['best', 'old']) {
      mkdirSync(path.join(runDir.dir, 'images', `.${kind}-7-${pid}`), { recursive: true });
      writeFileSync(path.join(runDir.dir, 'images', `.${kind}-7-${pid}`, 'p1-0.png'), 'png');
    }
  }
  mkdirSync(path.join(runDir.dir, 'images', 'best'), { recursive: true });
  writeFileSync(path.join(runDir.dir, 'figures', 'progress.svg'), '<svg/>');
  return { runDir, deadPid, livePid };
}

describe('run directory', () => {
  it("removes dead writers' temporary files and image staging folders, and nothing else", () => {
    const { runDir, deadPid, livePid } = runDirWithLeftovers();
    runDir.removeStaleTemporaries();
    const left = readdirSync(runDir.dir, { recursive: true, encoding: 'utf8' });
    expect(left.filter((f) => f.includes(String(deadPid)))).toEqual([]);
    expect(left.filter((f) => f.includes(String(livePid))).sort()).toEqual(
      [`best.json.tmp-${livePid}`, `figures/progress.svg.tmp-${livePid}`, `images/.best-7-${livePid}`, `images/.best-7-${livePid}/p1-0.png`, `images/.old-7-${livePid}`, `images/.old-7-${livePid}/p1-0.png`].sort(),
    );
    expect(existsSync(path.join(runDir.dir, 'images', 'best'))).toBe(true);
    expect(existsSync(path.join(runDir.dir, 'figures', 'progress.svg'))).toBe(true);
  });

  it('cleans a run directory that has no figures or images yet', () => {
    const runDir = new RunDir(tempDir(), 'abcdef0123456789');
    mkdirSync(runDir.dir, { recursive: true });
    expect(() => runDir.removeStaleTemporaries()).not.toThrow();
  });

  it('passes over a file where the figures folder should be', () => {
    const runDir = new RunDir(tempDir(), 'abcdef0123456789');
    mkdirSync(runDir.dir, { recursive: true });
    writeFileSync(path.join(runDir.dir, 'figures'), 'not a folder');
    expect(() => runDir.removeStaleTemporaries()).not.toThrow();
  });
});
