import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ScoredImage } from './types.js';

const KINDS = [
  { ext: 'png', mime: 'image/png', magic: (b: Uint8Array) => b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 },
  { ext: 'jpg', mime: 'image/jpeg', magic: (b: Uint8Array) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { ext: 'webp', mime: 'image/webp', magic: (b: Uint8Array) => ascii(b, 0, 4) === 'RIFF' && ascii(b, 8, 12) === 'WEBP' },
] as const;

function ascii(b: Uint8Array, from: number, to: number): string {
  return String.fromCharCode(...b.subarray(from, to));
}

/** File extension and MIME type from the first bytes; unknown formats are served as bytes. */
export function imageType(data: Uint8Array): { ext: string; mime: string } {
  const k = KINDS.find((kind) => data.length >= 12 && kind.magic(data));
  return k ? { ext: k.ext, mime: k.mime } : { ext: 'bin', mime: 'application/octet-stream' };
}

/** A file name safe on every platform: `<payload>-<index>.<ext>`. */
function imageFileName(image: ScoredImage): string {
  const payload = image.payload.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 60) || 'image';
  return `${payload}-${image.index}.${imageType(image.data).ext}`;
}

/**
 * Absolute paths for images a program or a person must open: the saved file when the image has an
 * absolute path that exists, else a temporary copy. `cleanup` removes the copies.
 */
export async function imagesOnDisk(images: readonly ScoredImage[]): Promise<{ paths: string[]; cleanup: () => Promise<void> }> {
  let dir: string | undefined;
  const paths: string[] = [];
  for (const [i, image] of images.entries()) {
    if (image.path !== undefined && path.isAbsolute(image.path) && existsSync(image.path)) {
      paths.push(image.path);
      continue;
    }
    dir ??= await mkdtemp(path.join(tmpdir(), 'autombw-images-'));
    const file = path.join(dir, `${i}-${imageFileName(image)}`);
    await writeFile(file, image.data);
    paths.push(file);
  }
  return { paths, cleanup: async () => (dir ? rm(dir, { recursive: true, force: true }) : undefined) };
}
