import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import path from 'node:path';
import { runFixture } from '../report/support.js';

/** A finished 6-trial run of a cheap function objective, as a fixture to serve. */
export function functionRun(extra = ''): Promise<string> {
  return runFixture({ 'exp.yaml': `seed: 4\n${extra}space: {preset: sd1-27, step: 0.01}\nobjective: {kind: function, function: sphere}\noptimizer: {kind: random}\nstop: {budget: 6}\n` });
}

/** A GET against the dashboard: status, headers and body. */
export function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      })
      .on('error', reject);
  });
}

export interface SseEvent {
  event: string;
  id?: string;
  data: any;
}

/** An open event stream: `next(match)` resolves with the first event (received or to come) that matches. */
export class EventStream {
  private readonly events: SseEvent[] = [];
  private readonly waiters: Array<{ match: (e: SseEvent) => boolean; resolve: (e: SseEvent) => void }> = [];
  private request: http.ClientRequest | undefined;
  private consumed = 0;

  static async open(url: string): Promise<EventStream> {
    const stream = new EventStream();
    await new Promise<void>((resolve, reject) => {
      stream.request = http.get(url, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`event stream: HTTP ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            stream.receive(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        });
        resolve();
      });
      stream.request.on('error', reject);
    });
    return stream;
  }

  /** The next event after those already returned that satisfies `match`. */
  next(match: (e: SseEvent) => boolean = () => true): Promise<SseEvent> {
    for (let i = this.consumed; i < this.events.length; i++) {
      if (match(this.events[i])) {
        this.consumed = i + 1;
        return Promise.resolve(this.events[i]);
      }
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  close(): void {
    this.request?.destroy();
  }

  private receive(block: string): void {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      if (line.startsWith(':') || !line.includes(':')) continue;
      const at = line.indexOf(':');
      fields[line.slice(0, at)] = line.slice(at + 1).trimStart();
    }
    if (fields.data === undefined) return;
    const event: SseEvent = { event: fields.event ?? 'message', ...(fields.id !== undefined ? { id: fields.id } : {}), data: JSON.parse(fields.data) };
    this.events.push(event);
    const i = this.waiters.findIndex((w) => w.match(event));
    if (i >= 0) {
      this.consumed = this.events.length;
      this.waiters.splice(i, 1)[0].resolve(event);
    }
  }
}

/**
 * Another process appending to a run's journal: each line written to its stdin is appended as
 * is (a line without its newline is a torn write), and it answers "ok" once the bytes are on disk.
 */
export class JournalWriterProcess {
  private constructor(private readonly child: ChildProcessWithoutNullStreams) {}

  static start(runDir: string): JournalWriterProcess {
    const script = `
const fs = require('node:fs');
const file = ${JSON.stringify(path.join(runDir, 'journal.jsonl'))};
let buffer = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffer += chunk;
  let end;
  while ((end = buffer.indexOf('\\n')) >= 0) {
    const { text } = JSON.parse(buffer.slice(0, end));
    buffer = buffer.slice(end + 1);
    fs.appendFileSync(file, text);
    process.stdout.write('ok\\n');
  }
});`;
    return new JournalWriterProcess(spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Appends `text` from the other process and waits until it is written. */
  async append(text: string): Promise<void> {
    const written = once(this.child.stdout, 'data');
    this.child.stdin.write(`${JSON.stringify({ text })}\n`);
    await written;
  }

  async stop(): Promise<void> {
    const exited = once(this.child, 'exit');
    this.child.stdin.end();
    await exited;
  }
}

/** A journal line for a finished trial. */
export function trialLine(id: number, value: number): string {
  const weights = { IN00: 0.25, M00: 0.5 };
  return `${JSON.stringify({ type: 'trial', time: new Date(Date.UTC(2026, 0, 1, 0, 0, id)).toISOString(), id, status: 'ok', value, weights, duration: 0.5, started: new Date(Date.UTC(2026, 0, 1)).toISOString() })}\n`;
}
