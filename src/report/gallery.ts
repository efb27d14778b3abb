import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { TrialEvent } from '../run/journal.js';
import { payloadScores } from './payloads.js';

export interface GalleryImage {
  /** Path relative to the run directory. */
  file: string;
  trial?: number;
  payload?: string;
  score?: number;
  /** A small JPEG as a data: URI, so the report stays one file. */
  thumbnail: string;
}

const THUMBNAIL_PX = 224;

/** A saved image before its thumbnail is made; `rank` orders them, best first. */
interface SavedImage extends Omit<GalleryImage, 'thumbnail'> {
  rank: number;
}

/**
 * Images the run saved: those named in the trials' details, then any other PNG under images/
 * (images/best/ holds the best recipe's when only the best are kept). The best trial's come
 * first, then by trial value.
 */
function savedImages(runDir: string, trials: readonly TrialEvent[], best: TrialEvent | undefined): SavedImage[] {
  const entries = new Map<string, SavedImage>();
  const valueOf = new Map(trials.map((t) => [t.id, t.value ?? -Infinity]));
  for (const t of trials) {
    for (const p of payloadScores(t.details)) {
      for (const img of p.images) {
        if (img.path === undefined) continue;
        const file = normalize(img.path);
        if (file === undefined) continue;
        entries.set(file, { file, trial: t.id, payload: p.name, score: img.score, rank: t.id === best?.id ? Infinity : (t.value ?? -Infinity) });
      }
    }
  }
  for (const file of listPngs(path.join(runDir, 'images'))) {
    const rel = path.relative(runDir, file).split(path.sep).join('/');
    if (entries.has(rel)) continue;
    const dir = path.basename(path.dirname(file));
    const trial = /^trial-(\d+)$/.exec(dir)?.[1];
    const id = trial !== undefined ? Number(trial) : dir === 'best' ? best?.id : undefined;
    entries.set(rel, { file: rel, ...(id !== undefined ? { trial: id } : {}), rank: dir === 'best' || id === best?.id ? Infinity : (valueOf.get(id ?? -1) ?? -Infinity) });
  }
  return [...entries.values()].sort((a, b) => b.rank - a.rank || a.file.localeCompare(b.file));
}

async function withThumbnails(runDir: string, chosen: readonly SavedImage[], size: number): Promise<GalleryImage[]> {
  const out: GalleryImage[] = [];
  for (const { rank: _rank, ...entry } of chosen) {
    const absolute = path.join(runDir, ...entry.file.split('/'));
    if (!existsSync(absolute)) continue;
    try {
      const jpeg = await sharp(absolute).resize(size, size, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 82 }).toBuffer();
      out.push({ ...entry, thumbnail: `data:image/jpeg;base64,${jpeg.toString('base64')}` });
    } catch {
      // not an image sharp can read: left out
    }
  }
  return out;
}

/** The gallery of a report: at most `limit` saved images, best first; unreadable files are skipped. */
export async function collectGallery(runDir: string, trials: readonly TrialEvent[], best: TrialEvent | undefined, limit = 24): Promise<GalleryImage[]> {
  return withThumbnails(runDir, savedImages(runDir, trials, best).slice(0, limit), THUMBNAIL_PX);
}

const ROW_THUMBNAIL_PX = 56;

/**
 * Small thumbnails for the trial table: per trial, its first image of each payload (at most
 * `perTrial`), for the `maxTrials` best trials that saved images, so a long run with every image
 * saved still gives a report of reasonable size.
 */
export async function collectTrialThumbnails(runDir: string, trials: readonly TrialEvent[], best: TrialEvent | undefined, maxTrials = 200, perTrial = 4): Promise<Map<number, GalleryImage[]>> {
  const chosen: SavedImage[] = [];
  const taken = new Map<number, Set<string>>();
  for (const image of savedImages(runDir, trials, best)) {
    if (image.trial === undefined) continue;
    let payloads = taken.get(image.trial);
    if (!payloads) {
      if (taken.size >= maxTrials) continue;
      taken.set(image.trial, (payloads = new Set()));
    }
    const key = image.payload ?? image.file;
    if (payloads.has(key) || payloads.size >= perTrial) continue;
    payloads.add(key);
    chosen.push(image);
  }
  const out = new Map<number, GalleryImage[]>();
  for (const image of await withThumbnails(runDir, chosen, ROW_THUMBNAIL_PX)) out.set(image.trial!, [...(out.get(image.trial!) ?? []), image]);
  return out;
}

/** A detail path as a run-relative POSIX path; paths leaving the run directory are ignored. */
function normalize(p: string): string | undefined {
  const rel = path.posix.normalize(p.split(path.sep).join('/'));
  return rel.startsWith('../') || path.posix.isAbsolute(rel) ? undefined : rel;
}

function listPngs(dir: string, depth = 0): string[] {
  if (depth > 3 || !existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listPngs(full, depth + 1));
    else if (entry.isFile() && entry.name.toLowerCase().endsWith('.png')) out.push(full);
  }
  return out.sort();
}
