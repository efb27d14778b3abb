import type { ScoredImage } from '../types.js';

/** The rating scale a person is offered. */
export interface RatingScale {
  min: number;
  max: number;
  step: number;
}

export interface RatingRequest {
  /** SHA-256 of the image bytes. */
  id: string;
  image: ScoredImage;
}

/** Asks a person to rate images; reports each rating as soon as it is given. */
export interface Rater {
  rate(requests: readonly RatingRequest[], onRating: (id: string, rating: number) => Promise<void>, signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A rating on the scale, or why not. */
export function checkRating(value: unknown, scale: RatingScale): number | string {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) return `not a number: ${String(value)}`;
  if (n < scale.min || n > scale.max) return `${n} is outside ${scale.min}–${scale.max}`;
  return n;
}

/** `work`, or a rejection with the signal's reason as soon as it is aborted. */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason ?? new Error('interrupted'));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
