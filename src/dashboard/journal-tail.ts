import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { JournalEvent } from '../run/journal.js';

const EVENT_TYPES = new Set(['start', 'ask', 'trial', 'stop']);

/**
 * Reads a journal as another process appends to it: each call returns the complete lines added
 * since the last one. A last line still being written (no newline yet) is left for the next call,
 * so a torn line is never parsed. A journal that shrank was replaced: `reset` says to start over.
 */
export class JournalTail {
  private offset = 0;

  constructor(readonly file: string) {}

  read(): { events: JournalEvent[]; reset: boolean } {
    if (!existsSync(this.file)) return { events: [], reset: this.offset > 0 ? ((this.offset = 0), true) : false };
    const fd = openSync(this.file, 'r');
    try {
      const size = fstatSync(fd).size;
      let reset = false;
      if (size < this.offset) {
        this.offset = 0;
        reset = true;
      }
      if (size === this.offset) return { events: [], reset };
      const bytes = Buffer.alloc(size - this.offset);
      let got = 0;
      while (got < bytes.length) {
        const n = readSync(fd, bytes, got, bytes.length - got, this.offset + got);
        if (n === 0) break;
        got += n;
      }
      const end = bytes.lastIndexOf(0x0a, got - 1);
      if (end < 0) return { events: [], reset };
      this.offset += end + 1;
      const events: JournalEvent[] = [];
      for (const line of bytes.subarray(0, end).toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        try {
          const parsed = JSON.parse(line) as JournalEvent;
          if (EVENT_TYPES.has(parsed?.type)) events.push(parsed);
        } catch {
          // A damaged line: `run` refuses to resume such a journal; watching it, the rest still shows.
        }
      }
      return { events, reset };
    } finally {
      closeSync(fd);
    }
  }
}
