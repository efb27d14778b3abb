import type { JsonObject } from '../util/json.js';
import { aggregate, type ImageResult, type Penalty } from './aggregate.js';
import { combineScores, type CombineMode } from './combine.js';
import type { TallyMode } from './tally.js';
import { applyTransform, type OutputTransform } from './transform.js';
import type { ScoredImage, Scorer } from './types.js';

export interface PanelMember {
  scorer: Scorer;
  weight: number;
  transform: OutputTransform;
}

export interface PanelOptions {
  combine: CombineMode;
  tally: TallyMode;
  penalty: Penalty;
  /** The panel's identity (canonical JSON of the section's fingerprint). */
  identity: string;
}

/** One payload's images, as the merge objective hands them over. */
export interface PayloadImages {
  name: string;
  /** The payload's share of the objective. */
  weight: number;
  /** Overrides the section's tally for this payload. */
  tally?: TallyMode;
  images: readonly ScoredImage[];
}

/**
 * The configured scorers as one judge: each image is scored by every member, each value transformed,
 * the values combined by weight; `judge` then tallies payloads and aggregates them into the objective
 * value, keeping every intermediate number for the journal.
 */
export class ScorerPanel implements Scorer {
  readonly name = 'combined';

  constructor(
    readonly members: readonly PanelMember[],
    private readonly options: PanelOptions,
  ) {}

  /** Per image: each member's raw and transformed value, and their combination. */
  async scoreImages(images: readonly ScoredImage[], signal?: AbortSignal): Promise<ImageResult[]> {
    const raw: number[][] = [];
    for (const m of this.members) {
      signal?.throwIfAborted();
      const values = await m.scorer.score(images, signal);
      if (values.length !== images.length) throw new Error(`scorer ${m.scorer.name} returned ${values.length} values for ${images.length} images`);
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new Error(`scorer ${m.scorer.name} returned ${values[bad]} for ${images[bad].payload}#${images[bad].index}`);
      raw.push(values);
    }
    return images.map((image, i) => {
      const scores: Record<string, number> = {};
      const untransformed: Record<string, number> = {};
      this.members.forEach((m, k) => {
        scores[m.scorer.name] = applyTransform(raw[k][i], m.transform);
        if (m.transform.kind !== 'raw') untransformed[m.scorer.name] = raw[k][i];
      });
      const score = combineScores(
        this.members.map((m) => scores[m.scorer.name]),
        this.members.map((m) => m.weight),
        this.options.combine,
      );
      if (!Number.isFinite(score)) throw new Error(`the combined score of ${image.payload}#${image.index} is ${score}`);
      return {
        index: image.index,
        ...(image.path !== undefined ? { path: image.path } : {}),
        score,
        scores,
        ...(Object.keys(untransformed).length > 0 ? { raw: untransformed } : {}),
      };
    });
  }

  async score(images: readonly ScoredImage[], signal?: AbortSignal): Promise<number[]> {
    return (await this.scoreImages(images, signal)).map((r) => r.score);
  }

  /**
   * The objective value of one recipe from its payloads' images, with details for the journal. Any
   * scorer failure throws, which fails the trial; nothing partial reaches the optimizer.
   */
  async judge(payloads: readonly PayloadImages[], signal?: AbortSignal): Promise<{ value: number; details: JsonObject }> {
    const all = payloads.flatMap((p) => p.images);
    const results = await this.scoreImages(all, signal);
    let offset = 0;
    const perPayload = payloads.map((p) => {
      const images = results.slice(offset, offset + p.images.length);
      offset += p.images.length;
      return { name: p.name, weight: p.weight, ...(p.tally ? { tally: p.tally } : {}), images };
    });
    const { value, details } = aggregate(perPayload, { tally: this.options.tally, penalty: this.options.penalty });
    return {
      value,
      details: {
        combine: this.options.combine,
        scorers: this.members.map((m) => ({ name: m.scorer.name, weight: m.weight, transform: { ...m.transform } })),
        ...details,
      },
    };
  }

  async fingerprint(): Promise<string> {
    return this.options.identity;
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.members.map((m) => m.scorer.close?.()));
  }
}
