import { sha256Hex } from '../../util/sha256.js';
import type { ScoredImage, Scorer } from '../types.js';
import type { Rater, RatingScale } from './rater.js';
import type { RatingsStore } from './ratings-store.js';

/**
 * A person as the scorer. Images are identified by content: one already in the ratings file (from
 * this run before a pause, or from another run) is not asked again, and an image that appears twice
 * in one call is asked once.
 */
export class ManualScorer implements Scorer {
  constructor(
    readonly name: string,
    private readonly scale: RatingScale,
    private readonly store: RatingsStore,
    private readonly rater: Rater,
  ) {}

  async score(images: readonly ScoredImage[], signal?: AbortSignal): Promise<number[]> {
    const ids = images.map((img) => sha256Hex(img.data));
    const unrated = new Map<string, ScoredImage>();
    ids.forEach((id, i) => {
      if (this.store.get(id) === undefined && !unrated.has(id)) unrated.set(id, images[i]);
    });
    if (unrated.size > 0) {
      const requests = [...unrated].map(([id, image]) => ({ id, image }));
      await this.rater.rate(
        requests,
        (id, rating) => {
          const image = unrated.get(id)!;
          return this.store.put({ sha256: id, rating, payload: image.payload, index: image.index, prompt: image.prompt, at: new Date().toISOString() });
        },
        signal,
      );
    }
    return ids.map((id) => this.store.get(id)!);
  }

  async fingerprint(): Promise<string> {
    return `manual:${this.scale.min}:${this.scale.max}:${this.scale.step}`;
  }

  async close(): Promise<void> {
    await this.rater.close();
  }
}
