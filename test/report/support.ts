import path from 'node:path';
import sharp from 'sharp';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment } from '../../src/run/runner.js';
import { writeTree } from '../support/tmp.js';

/** Runs `exp.yaml` of a fresh tree of files to its budget; returns the run directory. */
export async function runFixture(files: Record<string, string>): Promise<string> {
  const root = writeTree(files);
  const experiment = await loadAndHashExperiment(path.join(root, 'exp.yaml'));
  experiment.config.output.dir = path.join(root, 'runs');
  const result = await runExperiment(experiment, { progress: createProgress('none', process.stdout) });
  return result.runDir;
}

/** A small PNG of one colour, as a saved generation would be. */
export async function solidPng(width: number, height: number, rgb: [number, number, number]): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png().toBuffer();
}

export const HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>';

/**
 * A module objective shaped like the merge objective: per-payload details with image paths, PNGs
 * saved in the run directory, a hostile payload name, and one trial that fails with a hostile error.
 */
export const PAYLOAD_MODULE = `import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
export function evaluate(weights, context) {
  if (context.trial === 3) throw new Error(${JSON.stringify(HOSTILE)});
  const value = -Object.values(weights).reduce((s, w) => s + (w - 0.3) ** 2, 0);
  const dir = path.join(context.runDir, 'images', 'trial-' + String(context.trial).padStart(6, '0'));
  mkdirSync(dir, { recursive: true });
  const payloads = [${JSON.stringify(HOSTILE)}, 'a quiet lake'].map((name, p) => {
    const rel = 'images/trial-' + String(context.trial).padStart(6, '0') + '/payload' + p + '-0.png';
    copyFileSync(context.options.png, path.join(context.runDir, rel));
    return { name, weight: 1, score: value + p, images: [{ index: 0, score: value + p, path: rel }] };
  });
  return { value, details: { payloads } };
}
`;
