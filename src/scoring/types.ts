/**
 * The scorer contract: the objective's judge. A scorer rates generated images; aggregation
 * (src/scoring/aggregate.ts) turns per-image scores into one value per recipe.
 */

/** One generated image handed to a scorer. */
export interface ScoredImage {
  /** Encoded image bytes (PNG/JPEG/WebP), as a backend returned them. */
  data: Uint8Array;
  /** The payload's prompt, for prompt-aware scorers. */
  prompt: string;
  /** The payload's name, for messages and manual scoring. */
  payload: string;
  /** Index of the image within its payload. */
  index: number;
  /** Where the image was saved in the run directory, when it was. */
  path?: string;
}

export interface Scorer {
  /** Name used in the journal's per-image details (`scores.<name>`). */
  readonly name: string;
  /** Scores a batch of images; one finite number per image, or throws. */
  score(images: readonly ScoredImage[], signal?: AbortSignal): Promise<number[]>;
  /** Identity of what judges (model file hashes, options): enters the run hash. */
  fingerprint(): Promise<string>;
  close?(): Promise<void>;
}
