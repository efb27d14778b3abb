import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Rng } from '../../util/rng.js';
import { closest } from '../../util/suggest.js';

/** Wildcard name → its options. Names of files in subdirectories use `/` (`__colors/warm__`). */
export type WildcardTable = ReadonlyMap<string, readonly string[]>;

const WILDCARD = /__([A-Za-z0-9_\-./]+?)__/g;
const MAX_DEPTH = 8;

/** Options of one wildcard file: one per line; blank lines and `#` comments are skipped. */
export function parseWildcardFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** Every `*.txt` under `dir`, keyed by its path relative to `dir` without the extension. */
export function loadWildcardDir(dir: string): Map<string, string[]> {
  const table = new Map<string, string[]>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = sub === '' ? entry.name : `${sub}/${entry.name}`;
      if (entry.isDirectory()) walk(rel);
      else if (entry.name.endsWith('.txt')) table.set(rel.slice(0, -4), parseWildcardFile(readFileSync(path.join(dir, rel), 'utf8')));
    }
  };
  walk('');
  return table;
}

export function hasWildcards(text: string): boolean {
  return new RegExp(WILDCARD.source).test(text);
}

export class WildcardError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WildcardError';
  }
}

/**
 * Replaces every `__name__` by one of its options, drawn from `rng` left to right; options may
 * hold wildcards themselves. Each occurrence is an independent draw, so the same text expands
 * the same way for the same generator and differently for another.
 */
export function expandWildcards(text: string, table: WildcardTable, rng: Rng, depth = 0): string {
  if (depth > MAX_DEPTH) throw new WildcardError(`wildcards nest deeper than ${MAX_DEPTH} levels (a wildcard file that refers to itself?)`);
  return text.replace(WILDCARD, (_, name: string) => {
    const options = table.get(name);
    if (options === undefined) {
      const hint = closest(name, table.keys());
      const known = table.size > 0 ? `; known: ${[...table.keys()].slice(0, 20).join(', ')}` : '; no wildcards are defined (set payloads.wildcards)';
      throw new WildcardError(`unknown wildcard __${name}__${hint ? ` (did you mean __${hint}__?)` : ''}${known}`);
    }
    if (options.length === 0) throw new WildcardError(`wildcard __${name}__ has no options`);
    return expandWildcards(options[rng.int(options.length)], table, rng, depth + 1);
  });
}
