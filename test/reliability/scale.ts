import { appendFileSync } from 'node:fs';
import type { JsonValue } from '../../src/util/json.js';

/**
 * The reliability suite runs at two sizes: quick (part of `npm test`, sized for CI) and full
 * (`npm run test:reliability`, AUTOMBW_RELIABILITY=full), which produces RELIABILITY.md's figures.
 */
export const FULL = process.env.AUTOMBW_RELIABILITY === 'full';

/** The quick or the full size of something. */
export function scaled<T>(quick: T, full: T): T {
  return FULL ? full : quick;
}

/**
 * Adds figures to the file bench/reliability.ts renders (AUTOMBW_RELIABILITY_FIGURES); without
 * it, as in `npm test`, figures go nowhere. Each test file runs in its own process, so every
 * call appends one whole line.
 */
export function recordFigures(section: string, figures: Record<string, JsonValue>): void {
  const file = process.env.AUTOMBW_RELIABILITY_FIGURES;
  if (file) appendFileSync(file, `${JSON.stringify({ section, mode: FULL ? 'full' : 'quick', figures })}\n`);
}
