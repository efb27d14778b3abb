import type { JsonObject } from '../util/json.js';
import { tally, type TallyMode } from './tally.js';

/** One image's scores: per scorer (after its transform), the untransformed outputs, and their combination. */
export interface ImageResult {
  index: number;
  path?: string;
  /** The combined value of all scorers. */
  score: number;
  /** Per scorer name, the transformed value that was combined. */
  scores: Record<string, number>;
  /** Per scorer name, the raw output, for scorers whose transform is not `raw`. */
  raw?: Record<string, number>;
}

export interface PayloadResult {
  name: string;
  /** The payload's share of the objective (BM's `score_weight`); ≥ 0, and not all zero. */
  weight: number;
  /** Overrides the section's tally for this payload. */
  tally?: TallyMode;
  images: readonly ImageResult[];
}

/** mean − k·σ: σ of the payload scores (`payloads`) or of each payload's image scores (`images`). */
export interface Penalty {
  k: number;
  over: 'payloads' | 'images';
}

export interface AggregateOptions {
  tally: TallyMode;
  penalty: Penalty;
}

/**
 * Payloads → the objective value: each payload's images are tallied, the payload scores averaged by
 * weight, and an optional variance penalty subtracted. The details hold every intermediate number so
 * the journal shows which payload (and which image) pulled a recipe down.
 */
export function aggregate(payloads: readonly PayloadResult[], options: AggregateOptions): { value: number; details: JsonObject } {
  if (payloads.length === 0) throw new Error('no payloads to aggregate');
  const { k, over } = options.penalty;
  const perPayload = payloads.map((p) => {
    const mode = p.tally ?? options.tally;
    const values = p.images.map((img) => img.score);
    const tallied = tally(values, mode);
    const spread = k > 0 && over === 'images' ? weightedStd(values, values.map(() => 1), tallied) : undefined;
    const score = spread === undefined ? tallied : tallied - k * spread;
    const details: JsonObject = { name: p.name, weight: p.weight, tally: mode, score };
    if (spread !== undefined) Object.assign(details, { tallied, std: spread });
    details.images = p.images.map(imageDetails);
    return { weight: p.weight, score, details };
  });

  const weights = perPayload.map((p) => p.weight);
  const bad = weights.find((w) => !(w >= 0) || !Number.isFinite(w));
  if (bad !== undefined) throw new Error(`payload weights must be finite and ≥ 0, got ${bad}`);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total <= 0) throw new Error('payload weights sum to 0; at least one payload needs a positive weight');

  const scores = perPayload.map((p) => p.score);
  const mean = scores.reduce((s, x, i) => s + weights[i] * x, 0) / total;
  const details: JsonObject = { tally: options.tally };
  let value = mean;
  if (k > 0) {
    details.penalty = { k, over };
    if (over === 'payloads') {
      const std = weightedStd(scores, weights, mean);
      value = mean - k * std;
      Object.assign(details, { mean, std });
    }
  }
  if (!Number.isFinite(value)) throw new Error(`the aggregate score is ${value}`);
  details.value = value;
  details.payloads = perPayload.map((p) => p.details);
  return { value, details };
}

/** Population standard deviation with weights (Σw(x − μ)² / Σw). */
function weightedStd(values: readonly number[], weights: readonly number[], mean: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  return Math.sqrt(values.reduce((s, x, i) => s + weights[i] * (x - mean) ** 2, 0) / total);
}

function imageDetails(img: ImageResult): JsonObject {
  const d: JsonObject = { index: img.index, score: img.score, scores: { ...img.scores } };
  if (img.path !== undefined) d.path = img.path;
  if (img.raw && Object.keys(img.raw).length > 0) d.raw = { ...img.raw };
  return d;
}
