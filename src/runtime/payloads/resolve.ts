import path from 'node:path';
import type { ConfigIssue } from '../../config/issues.js';
import type { Rng } from '../../util/rng.js';
import { PAYLOAD_DEFAULTS, PAYLOAD_FIELDS, type Payload, type PayloadSetInput } from './types.js';
import { expandWildcards, hasWildcards, loadWildcardDir, WildcardError, type WildcardTable } from './wildcards.js';

type JsonPath = ReadonlyArray<string | number>;

export interface PayloadResolution {
  payloads: Payload[];
  issues: ConfigIssue[];
}

export interface ResolveOptions {
  /** Directory relative wildcard paths are resolved against (the file that declares the set). */
  baseDir: string;
  /** Draws wildcard expansions; derived per item and variant, so adding an item changes no other. */
  rng: Rng;
  /** Reports an issue at a path inside the set. */
  report: (at: JsonPath, message: string) => void;
}

/**
 * Turns a payload set (already checked against its schema) into concrete payloads: defaults
 * applied, `variants` unrolled, wildcards expanded. Problems are reported, never thrown.
 */
export function resolvePayloadSet(set: PayloadSetInput, options: ResolveOptions): Payload[] {
  const table = loadTable(set, options);
  const defaults = { ...PAYLOAD_DEFAULTS, ...(set.defaults ?? {}) };
  const payloads: Payload[] = [];
  const seen = new Map<string, number>();

  set.items.forEach((input, index) => {
    const item: Partial<Payload> & { variants?: number } = typeof input === 'string' ? { prompt: input } : input;
    const at = ['items', index];
    const name = item.name ?? `p${index + 1}`;
    const prompt = item.prompt ?? defaults.prompt;
    if (prompt === undefined || prompt.trim() === '') {
      options.report(typeof input === 'string' ? at : [...at, 'prompt'], 'a payload needs a non-empty prompt (here or in payloads.defaults)');
      return;
    }
    const variants = item.variants ?? defaults.variants;
    for (let v = 0; v < variants; v++) {
      const variantName = variants > 1 ? `${name}#${v + 1}` : name;
      const previous = seen.get(variantName);
      if (previous !== undefined) {
        options.report(typeof input === 'string' ? at : [...at, 'name'], `payload name "${variantName}" is already used by items[${previous}]`);
        continue;
      }
      seen.set(variantName, index);
      const rng = options.rng.derive('payload', index, v);
      const expanded = expandText(prompt, table, rng, typeof input === 'string' ? at : [...at, 'prompt'], options);
      const negative = expandText(item.negative ?? defaults.negative, table, rng, [...at, 'negative'], options);
      if (expanded === undefined || negative === undefined) continue;
      const payload = { name: variantName, prompt: expanded, negative } as Payload;
      for (const field of PAYLOAD_FIELDS) {
        if (field === 'prompt' || field === 'negative') continue;
        (payload as unknown as Record<string, unknown>)[field] = item[field] ?? defaults[field];
      }
      payload.weight = payload.weight / variants;
      payloads.push(payload);
    }
  });
  if (set.items.length > 0 && payloads.length > 0 && payloads.every((p) => p.weight === 0)) {
    options.report(['items'], 'every payload has weight 0; at least one must count');
  }
  return payloads;
}

function loadTable(set: PayloadSetInput, options: ResolveOptions): WildcardTable {
  if (set.wildcards === undefined) return new Map();
  if (typeof set.wildcards !== 'string') return new Map(Object.entries(set.wildcards));
  const dir = path.resolve(options.baseDir, set.wildcards);
  try {
    return loadWildcardDir(dir);
  } catch (e) {
    options.report(['wildcards'], `cannot read the wildcard directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return new Map();
  }
}

function expandText(text: string, table: WildcardTable, rng: Rng, at: JsonPath, options: ResolveOptions): string | undefined {
  if (!hasWildcards(text)) return text;
  try {
    return expandWildcards(text, table, rng);
  } catch (e) {
    if (!(e instanceof WildcardError)) throw e;
    options.report(at, e.message);
    return undefined;
  }
}

/** The resolved set as it is written back into the canonical config: every field explicit. */
export function payloadSetSection(payloads: readonly Payload[]): { items: Payload[] } {
  return { items: payloads.map((p) => ({ ...p })) };
}
