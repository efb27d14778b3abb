import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { isComparisonDir } from '../compare/manifest.js';

/** How deep under the served directory runs and comparisons are looked for. */
const MAX_DEPTH = 4;
const SKIP = new Set(['node_modules', 'images', 'figures']);

/**
 * The run and comparison directories under `root` (itself included): a directory with run.json is
 * a run, one with compare.json a comparison. A run's own folders are not searched; hidden folders
 * and node_modules are skipped.
 */
export function findDirectories(root: string): { runs: string[]; comparisons: string[] } {
  const runs: string[] = [];
  const comparisons: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (existsSync(path.join(dir, 'run.json'))) return void runs.push(dir);
    if (isComparisonDir(dir)) comparisons.push(dir);
    if (depth >= MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // unreadable: not ours to list
    }
    for (const e of entries) if (e.isDirectory() && !e.name.startsWith('.') && !SKIP.has(e.name)) visit(path.join(dir, e.name), depth + 1);
  };
  if (existsSync(root) && statSync(root).isDirectory()) visit(path.resolve(root), 0);
  return { runs, comparisons };
}
