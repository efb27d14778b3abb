import { closeSync, existsSync, fsyncSync, ftruncateSync, openSync, readFileSync, writeSync } from 'node:fs';
import { UserInputError } from '../config/issues.js';
import { displayPath } from '../config/source.js';
import type { JsonValue } from '../util/json.js';
import type { Trial } from '../optimizers/types.js';

/**
 * The run journal: one JSON object per line, appended and fsynced, never rewritten. It is the
 * run's only source of truth: resume, reports and reproduction all read it.
 */
export type JournalEvent = SessionStartEvent | AskEvent | TrialEvent | SessionStopEvent;

export interface SessionStartEvent {
  type: 'start';
  time: string;
  hash: string;
  session: number;
  version: string;
  /**
   * Evaluations this session kept in flight. It shapes the batches the optimizer is asked for but
   * is not part of the run hash (it is the number of GPUs): a run may resume with another.
   * Absent in sessions that evaluated nothing, and in journals of earlier versions.
   */
  concurrency?: number;
}

/** Trials the optimizer proposed, journaled before any of them is evaluated. */
export interface AskEvent {
  type: 'ask';
  time: string;
  trials: Trial[];
}

export interface TrialEvent {
  type: 'trial';
  time: string;
  id: number;
  status: 'ok' | 'failed';
  value?: number;
  error?: string;
  weights: Record<string, number>;
  details?: JsonValue;
  /** Seconds the evaluation took. */
  duration: number;
  started: string;
}

export interface SessionStopEvent {
  type: 'stop';
  time: string;
  reason: StopReason;
}

export type StopReason = 'budget' | 'time-limit' | 'patience' | 'target' | 'interrupted' | 'error';

export interface JournalContents {
  events: JournalEvent[];
  /** The line of the file each event is on (1-based), for messages about it. */
  lines: number[];
  /** A last line cut short by a crash was found and ignored. */
  truncatedTail: boolean;
}

/** A journal damaged or edited by hand: bad input, named by file and line. */
export class JournalCorruptError extends UserInputError {
  constructor(file: string, line: number, why: string) {
    super(`${displayPath(file)}:${line}: journal line is not valid (${why}); the run cannot be resumed safely. Move the file aside to start over.`);
    this.name = 'JournalCorruptError';
  }
}

/**
 * Reads a journal. A last line without its newline is what `kill -9` during an append leaves:
 * it is ignored. A bad line anywhere else means the file was damaged otherwise, and is refused.
 */
export function readJournal(file: string): JournalContents {
  if (!existsSync(file)) return { events: [], lines: [], truncatedTail: false };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const complete = lines.slice(0, -1); // the last element is '' or a torn line
  const tail = lines[lines.length - 1];
  const events: JournalEvent[] = [];
  const numbers: number[] = [];
  complete.forEach((line, i) => {
    if (line.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (e) {
      throw new JournalCorruptError(file, i + 1, (e as Error).message);
    }
    if (!isEvent(parsed)) throw new JournalCorruptError(file, i + 1, 'not a journal event');
    events.push(parsed);
    numbers.push(i + 1);
  });
  return { events, lines: numbers, truncatedTail: tail.length > 0 };
}

function isEvent(v: unknown): v is JournalEvent {
  const t = (v as { type?: unknown } | null)?.type;
  return t === 'start' || t === 'ask' || t === 'trial' || t === 'stop';
}

/** Appends events durably. Opening it cuts off a torn last line so new lines start clean. */
export class JournalWriter {
  private fd: number;

  constructor(readonly file: string) {
    this.fd = openSync(file, 'a+');
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text.length > 0 && !text.endsWith('\n')) {
      const keep = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1), 'utf8');
      ftruncateSync(this.fd, keep);
      fsyncSync(this.fd);
    }
  }

  /**
   * Writes one line and waits for it to reach the disk; a trial is not done until this returns.
   * A failed write (a full disk) may leave part of the line, which the next writer cuts off.
   */
  append(event: JournalEvent): void {
    const line = `${JSON.stringify(event)}\n`;
    const bytes = Buffer.from(line, 'utf8');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(this.fd, bytes, written, bytes.length - written);
      fsyncSync(this.fd);
    } catch (e) {
      throw new Error(`${this.file}: cannot append to the journal (${(e as Error).message}); the trials journaled before are kept, and running the experiment again resumes it`, { cause: e });
    }
  }

  close(): void {
    closeSync(this.fd);
  }
}
