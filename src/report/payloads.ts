import type { JsonValue } from '../util/json.js';
import { isPlainObject } from '../util/json.js';

export interface PayloadScore {
  name: string;
  weight: number;
  score: number;
  images: Array<{ index: number; score: number; path?: string }>;
}

/**
 * Per-payload scores from a trial's journal details (the merge objective's aggregate details:
 * `{payloads: [{name, weight, score, images: [{index, score, path?}]}]}`). Anything else, or a
 * malformed entry, gives nothing rather than a broken report.
 */
export function payloadScores(details: JsonValue | undefined): PayloadScore[] {
  if (!isPlainObject(details) || !Array.isArray(details.payloads)) return [];
  const out: PayloadScore[] = [];
  for (const p of details.payloads) {
    if (!isPlainObject(p) || typeof p.score !== 'number') continue;
    const images: PayloadScore['images'] = [];
    for (const img of Array.isArray(p.images) ? p.images : []) {
      if (!isPlainObject(img) || typeof img.score !== 'number') continue;
      images.push({ index: typeof img.index === 'number' ? img.index : images.length, score: img.score, ...(typeof img.path === 'string' ? { path: img.path } : {}) });
    }
    out.push({ name: typeof p.name === 'string' ? p.name : `payload ${out.length + 1}`, weight: typeof p.weight === 'number' ? p.weight : 1, score: p.score, images });
  }
  return out;
}
