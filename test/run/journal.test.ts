import { describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { JournalCorruptError, JournalWriter, readJournal, type JournalEvent } from '../../src/run/journal.js';
import { tempDir } from '../support/tmp.js';

const trial = (id: number, value: number): JournalEvent => ({
  type: 'trial', time: '2026-01-01T00:00:00.000Z', id, status: 'ok', value, weights: { IN00: value }, duration: 0.1, started: '2026-01-01T00:00:00.000Z',
});

describe('journal', () => {
  it('reads back what was appended, in order', () => {
    const file = path.join(tempDir(), 'journal.jsonl');
    const w = new JournalWriter(file);
    w.append(trial(0, 1));
    w.append(trial(1, 2));
    w.close();
    expect(readJournal(file)).toEqual({ events: [trial(0, 1), trial(1, 2)], lines: [1, 2], truncatedTail: false });
  });

  it('reads a missing journal as empty', () => {
    expect(readJournal(path.join(tempDir(), 'none.jsonl')).events).toEqual([]);
  });

  it('ignores a last line cut short by a crash', () => {
    const file = path.join(tempDir(), 'journal.jsonl');
    writeFileSync(file, `${JSON.stringify(trial(0, 1))}\n${JSON.stringify(trial(1, 2)).slice(0, 25)}`);
    const r = readJournal(file);
    expect(r.events).toEqual([trial(0, 1)]);
    expect(r.truncatedTail).toBe(true);
  });

  it('cuts the torn line off before appending, so the next line is whole', () => {
    const file = path.join(tempDir(), 'journal.jsonl');
    writeFileSync(file, `${JSON.stringify(trial(0, 1))}\n{"type":"tri`);
    const w = new JournalWriter(file);
    w.append(trial(1, 2));
    w.close();
    expect(readJournal(file).events).toEqual([trial(0, 1), trial(1, 2)]);
    expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
  });

  it('refuses a damaged line in the middle, naming file and line', () => {
    const file = path.join(tempDir(), 'journal.jsonl');
    writeFileSync(file, `${JSON.stringify(trial(0, 1))}\n{oops}\n${JSON.stringify(trial(1, 2))}\n`);
    expect(() => readJournal(file)).toThrow(JournalCorruptError);
    expect(() => readJournal(file)).toThrow(/journal\.jsonl:2:/);
  });

  it('refuses a line that is JSON but not an event', () => {
    const file = path.join(tempDir(), 'journal.jsonl');
    appendFileSync(file, '{"type":"something"}\n');
    expect(() => readJournal(file)).toThrow(/not a journal event/);
  });
});
