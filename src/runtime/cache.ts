import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson } from '../config/canonical.js';
import { isPlainObject, type JsonValue } from '../util/json.js';
import { sha256Hex } from '../util/sha256.js';

/** Bump when the meaning of an entry changes; old entries are then simply never hit. */
const FORMAT = 'autombw-evaluation-cache/1';

/** Weights closer than this are the same recipe for the cache (floating-point dust from unit-cube mapping). */
const WEIGHT_QUANTUM = 1e-6;

let tmpCounter = 0;

/**
 * Scores of rendered payloads, content-addressed: the key hashes everything that decides the
 * images and their scores (model contents, merge method, quantized weights, the resolved
 * payload, backend settings, scorer identity), never where or when they were made. One JSON file
 * per entry under `<dir>/<2 hex>/<64 hex>.json`, written to a temporary name and renamed, so
 * runs sharing a cache never see half an entry; two runs writing the same key write the same
 * content.
 */
export class EvaluationCache {
  constructor(readonly dir: string) {}

  static key(parts: JsonValue): string {
    return sha256Hex(canonicalJson({ format: FORMAT, parts }));
  }

  private file(key: string): string {
    return path.join(this.dir, key.slice(0, 2), `${key}.json`);
  }

  async get(key: string): Promise<JsonValue | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry: unknown = JSON.parse(text);
      return isPlainObject(entry) && entry.key === key ? (entry.value as JsonValue) : undefined;
    } catch {
      return undefined; // a damaged entry is a miss; the next put replaces it
    }
  }

  async put(key: string, value: JsonValue): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.${++tmpCounter}.tmp`;
    await writeFile(tmp, JSON.stringify({ key, value }));
    await rename(tmp, file);
  }
}

/** Weights for the key: integers in units of WEIGHT_QUANTUM, in preset order. */
export function quantizeWeights(weights: Readonly<Record<string, number>>, blocks: readonly string[]): Record<string, number> {
  return Object.fromEntries(blocks.map((b) => [b, Math.round(weights[b] / WEIGHT_QUANTUM) + 0]));
}
