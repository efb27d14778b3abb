import { readFileSync, statSync } from 'node:fs';

/** Complete lines of a journal being written by another process, re-read only when it grows. */
export class JournalWatch {
  private size = -1;
  private counts = { asks: 0, trials: 0 };

  constructor(readonly file: string) {}

  /** Asks and trial results journaled so far (whole lines only). */
  read(): { asks: number; trials: number } {
    let size: number;
    try {
      size = statSync(this.file).size;
    } catch {
      return this.counts; // not created yet
    }
    if (size !== this.size) {
      this.size = size;
      const text = readFileSync(this.file, 'utf8');
      const complete = text.slice(0, text.lastIndexOf('\n') + 1);
      this.counts = { asks: count(complete, '{"type":"ask"'), trials: count(complete, '{"type":"trial"') };
    }
    return this.counts;
  }
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) n++;
  return n;
}
