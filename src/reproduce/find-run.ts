import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import { displayPath } from '../config/source.js';

/** Where runs are looked for when none is given: the default output directory and comparisons. */
export const DEFAULT_RUN_ROOTS = ['runs', 'compare'];

export interface IndexedRun {
  hash: string;
  dir: string;
}

/**
 * The runs under `roots`: every `<root>/<dir>/run.json`, and one level deeper for comparison
 * directories (`<root>/<comparison>/runs/<dir>/run.json`). Nothing is stored: the index is the
 * directory tree, so moved or copied runs are found where they are now.
 */
export function indexRuns(roots: readonly string[]): IndexedRun[] {
  const found: IndexedRun[] = [];
  const visit = (dir: string, depth: number) => {
    if (!existsSync(dir)) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory()) continue;
      const sub = path.join(dir, e.name);
      const hash = readHash(sub);
      if (hash) found.push({ hash, dir: sub });
      else if (depth < 2) visit(sub, depth + 1);
    }
  };
  for (const root of roots) visit(path.resolve(root), 0);
  return found;
}

function readHash(dir: string): string | undefined {
  try {
    const info = JSON.parse(readFileSync(path.join(dir, 'run.json'), 'utf8')) as { hash?: unknown };
    return typeof info.hash === 'string' && /^[0-9a-f]{64}$/.test(info.hash) ? info.hash : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A run directory from what a user typed: a run directory itself, or a full hash or a prefix of
 * at least 4 hex digits found in the index. Ambiguity is an error that lists the candidates.
 */
export function findRun(reference: string, roots: readonly string[] = DEFAULT_RUN_ROOTS): IndexedRun {
  if (existsSync(path.join(reference, 'run.json'))) {
    const hash = readHash(reference);
    if (!hash) throw new UserInputError(`${reference}/run.json has no valid run hash`);
    return { hash, dir: path.resolve(reference) };
  }
  const prefix = reference.toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(prefix)) {
    throw new UserInputError(`"${reference}" is neither a run directory (no run.json there) nor a run hash (4 to 64 hex digits)`);
  }
  const matches = indexRuns(roots).filter((r) => r.hash.startsWith(prefix));
  if (matches.length === 0) {
    throw new UserInputError(`no run with hash ${prefix} under ${roots.map((r) => displayPath(path.resolve(r))).join(', ')}; give the run directory or --runs-dir`);
  }
  const hashes = new Set(matches.map((m) => m.hash));
  if (matches.length > 1) {
    const list = matches.map((m) => `  ${m.hash.slice(0, 16)}  ${displayPath(m.dir)}`);
    const why = hashes.size > 1 ? `${hashes.size} runs match ${prefix}` : `run ${prefix} is in ${matches.length} directories`;
    throw new UserInputError(`${why}; give a longer prefix or the directory`, [`${why}; give a longer prefix or the directory:`, ...list]);
  }
  return matches[0];
}
