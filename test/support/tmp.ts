import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One root per test process, removed when the process exits, so test runs leave nothing in /tmp. */
let root: string | undefined;
function testRoot(): string {
  if (!root) {
    const dir = mkdtempSync(path.join(tmpdir(), 'autombw-test-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    root = dir;
  }
  return root;
}

/** A fresh temporary directory for one test. */
export function tempDir(prefix = 'autombw-'): string {
  return mkdtempSync(path.join(testRoot(), prefix));
}

/** Writes `files` (relative path → contents) under a new temporary directory; returns the directory. */
export function writeTree(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(dir, rel);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}
