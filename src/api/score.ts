import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import { createScorer, resolveScoring } from '../scoring/create-scorer.js';

export interface ImageScores {
  /** The panel's aggregate over all images (its `tally`), as an objective would report it. */
  value: number;
  /** Per image, in input order: the combined score and each scorer's own. */
  images: Array<{ file: string; score: number; scores: Record<string, number> }>;
}

/**
 * Scores image files with a scorer section (an experiment's `objective.scorer`, e.g.
 * `{ scorers: [{ kind: 'onnx', encoder: 'clip.onnx', head: 'laion-v2.onnx' }] }`); relative
 * model paths are resolved against `baseDir` (default: the working directory).
 */
export async function scoreImages(files: readonly string[], scoring: Record<string, unknown>, options: { baseDir?: string; prompt?: string } = {}): Promise<ImageScores> {
  const baseDir = path.resolve(options.baseDir ?? '.');
  const { section, issues } = await resolveScoring(scoring, baseDir, []);
  if (issues.length > 0) {
    const lines = issues.map((i) => `${i.path.join('.') || '(scoring)'}: ${i.message}`);
    throw new UserInputError(lines.join('; '), lines);
  }
  const images = await Promise.all(
    files.map(async (file, index) => ({ data: await readFile(path.resolve(file)), prompt: options.prompt ?? '', payload: 'images', index, path: path.resolve(file) })),
  );
  const panel = await createScorer(section, baseDir);
  try {
    const { value, details } = await panel.judge([{ name: 'images', weight: 1, images }]);
    const results = (details.payloads as Array<{ images: Array<{ score: number; scores: Record<string, number> }> }>)[0].images;
    return { value, images: results.map((r, i) => ({ file: files[i], score: r.score, scores: r.scores })) };
  } finally {
    await panel.close();
  }
}
