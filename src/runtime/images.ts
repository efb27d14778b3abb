import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { JsonValue } from '../util/json.js';
import type { Payload } from './payloads/types.js';
import { withPngText } from './png.js';

export type SaveImages = 'none' | 'best' | 'all';

/** What an image was made from; written into its PNG text chunks. */
export interface ImageOrigin {
  trial: number;
  recipe: JsonValue;
  payload: Payload;
  index: number;
}

export interface RenderedImage {
  origin: ImageOrigin;
  png: Uint8Array;
}

const BEST = 'best';

/**
 * Images in the run directory: `images/trial-NNNNNN/<payload>-<i>.png` for every trial (`all`),
 * or `images/best/` holding the best recipe's images so far (`best`). Each PNG carries the
 * recipe and the payload in text chunks (`autombw:recipe`, `autombw:payload`) plus an A1111-style
 * `parameters` chunk that image viewers understand. File names come from payload names reduced
 * to safe characters and are checked to stay inside the run directory.
 */
export class ImageStore {
  readonly root: string;
  private bestValue = -Infinity;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    runDir: string,
    readonly mode: SaveImages,
  ) {
    this.root = path.join(runDir, 'images');
    const marker = path.join(this.root, BEST, 'best.json');
    if (mode === 'best' && existsSync(marker)) {
      try {
        const value = (JSON.parse(readFileSync(marker, 'utf8')) as { value?: unknown }).value;
        if (typeof value === 'number') this.bestValue = value;
      } catch {
        // unreadable marker: the next evaluation's images replace the folder
      }
    }
  }

  /** In `all` mode, writes the image now and returns its path relative to the run directory. */
  async save(image: RenderedImage): Promise<string | undefined> {
    if (this.mode !== 'all') return undefined;
    const dir = path.join(this.root, `trial-${String(image.origin.trial).padStart(6, '0')}`);
    const file = this.inside(dir, fileName(image.origin));
    await mkdir(dir, { recursive: true });
    await writeFile(file, annotate(image));
    return path.relative(path.dirname(this.root), file).split(path.sep).join('/');
  }

  /**
   * In `best` mode, keeps `images` if `value` beats every value offered so far (in this run, across
   * sessions). The folder is replaced whole, so it never mixes two recipes.
   */
  offerBest(trial: number, value: number, images: readonly RenderedImage[]): Promise<boolean> {
    if (this.mode !== 'best' || images.length === 0) return Promise.resolve(false);
    const next = this.chain.then(async () => {
      if (!(value > this.bestValue)) return false;
      this.bestValue = value;
      const staging = path.join(this.root, `.best-${trial}-${process.pid}`);
      await rm(staging, { recursive: true, force: true });
      await mkdir(staging, { recursive: true });
      for (const image of images) await writeFile(this.inside(staging, fileName(image.origin)), annotate(image));
      await writeFile(path.join(staging, 'best.json'), `${JSON.stringify({ trial, value }, null, 1)}\n`);
      const target = path.join(this.root, BEST);
      const old = path.join(this.root, `.old-${trial}-${process.pid}`);
      if (existsSync(target)) await rename(target, old);
      await rename(staging, target);
      await rm(old, { recursive: true, force: true });
      return true;
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  private inside(dir: string, name: string): string {
    const file = path.resolve(dir, name);
    if (path.dirname(file) !== path.resolve(dir)) throw new Error(`image name ${JSON.stringify(name)} would leave ${dir}`);
    return file;
  }
}

/** `<payload>-<i>.png`, the payload name reduced to letters, digits, `_`, `-` and inner dots. */
export function fileName(origin: ImageOrigin): string {
  const base = origin.payload.name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_') || 'payload';
  return `${base}-${origin.index}.png`;
}

function annotate(image: RenderedImage): Buffer {
  const { origin } = image;
  const p = origin.payload;
  return withPngText(image.png, {
    'autombw:recipe': JSON.stringify(origin.recipe),
    'autombw:payload': JSON.stringify({ ...p, index: origin.index }),
    parameters: `${p.prompt}\nNegative prompt: ${p.negative}\nSteps: ${p.steps}, Sampler: ${p.sampler}, Schedule type: ${p.scheduler}, CFG scale: ${p.cfg}, Seed: ${p.seed}, Size: ${p.width}x${p.height}, Batch pos: ${origin.index}, autombw trial: ${origin.trial}`,
  });
}
