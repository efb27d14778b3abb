import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface RatingRecord {
  /** SHA-256 of the image bytes: the same image is never asked twice. */
  sha256: string;
  rating: number;
  payload: string;
  index: number;
  prompt: string;
  /** ISO time of the rating. */
  at: string;
}

/**
 * Ratings keyed by image content, appended to a JSON-lines file with an fsync per rating, so a
 * stopped run loses at most the rating being typed. A damaged line (e.g. cut by a crash) is skipped;
 * the later of two ratings of one image wins.
 */
export class RatingsStore {
  private constructor(
    private readonly file: string | undefined,
    private readonly ratings: Map<string, number>,
  ) {}

  /** Opens (or starts) the file; without a file the ratings live in memory only. */
  static async open(file?: string): Promise<RatingsStore> {
    const ratings = new Map<string, number>();
    if (file) {
      let text = '';
      try {
        text = await readFile(file, 'utf8');
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      for (const line of text.split('\n')) {
        const record = parseLine(line);
        if (record) ratings.set(record.sha256, record.rating);
      }
    }
    return new RatingsStore(file, ratings);
  }

  get(sha256: string): number | undefined {
    return this.ratings.get(sha256);
  }

  get size(): number {
    return this.ratings.size;
  }

  async put(record: RatingRecord): Promise<void> {
    if (this.file) {
      await mkdir(path.dirname(this.file), { recursive: true });
      // A line cut by a crash has no newline; start on a fresh line so the new record stays readable.
      const handle = await open(this.file, 'a+');
      try {
        const { size } = await handle.stat();
        const lastByte = Buffer.alloc(1);
        if (size > 0) await handle.read(lastByte, 0, 1, size - 1);
        const prefix = size > 0 && lastByte[0] !== 0x0a ? '\n' : '';
        await appendFile(handle, `${prefix}${JSON.stringify(record)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    this.ratings.set(record.sha256, record.rating);
  }
}

function parseLine(line: string): RatingRecord | undefined {
  if (line.trim() === '') return undefined;
  try {
    const r = JSON.parse(line) as Partial<RatingRecord>;
    return typeof r.sha256 === 'string' && typeof r.rating === 'number' && Number.isFinite(r.rating) ? (r as RatingRecord) : undefined;
  } catch {
    return undefined;
  }
}
