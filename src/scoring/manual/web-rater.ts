import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { imageType } from '../image-files.js';
import { RATING_PAGE } from './page.js';
import { checkRating, untilAborted, type Rater, type RatingRequest, type RatingScale } from './rater.js';

interface Waiter {
  onRating: (id: string, rating: number) => Promise<void>;
  done: () => void;
}

/** An image on the page; concurrent evaluations that produced the same image wait on one rating. */
interface Pending {
  request: RatingRequest;
  waiters: Waiter[];
}

const MAX_BODY = 4096;

/**
 * The rating page on http://127.0.0.1:<port>/. The server starts at the first request for ratings
 * and prints its address. It answers only requests addressed to the loopback host (no DNS
 * rebinding) and takes ratings only as JSON posts (a page on another site cannot submit a form).
 */
export class WebRater implements Rater {
  private server: Server | undefined;
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly scale: RatingScale,
    private readonly port: number,
    private readonly log: (line: string) => void,
  ) {}

  /** The page's address once the server runs. */
  get url(): string | undefined {
    const a = this.server?.address() as AddressInfo | null | undefined;
    return a ? `http://127.0.0.1:${a.port}/` : undefined;
  }

  async rate(requests: readonly RatingRequest[], onRating: (id: string, rating: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
    await this.start();
    signal?.throwIfAborted();
    this.log(`manual scorer: ${requests.length} image(s) to rate at ${this.url}`);
    const mine: Waiter[] = [];
    const waits = requests.map(
      (request) =>
        new Promise<void>((done) => {
          const waiter = { onRating, done };
          mine.push(waiter);
          const p = this.pending.get(request.id);
          if (p) p.waiters.push(waiter);
          else this.pending.set(request.id, { request, waiters: [waiter] });
        }),
    );
    try {
      await untilAborted(Promise.all(waits), signal);
    } finally {
      for (const r of requests) {
        const p = this.pending.get(r.id);
        if (!p) continue;
        p.waiters = p.waiters.filter((w) => !mine.includes(w));
        if (p.waiters.length === 0) this.pending.delete(r.id);
      }
    }
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async start(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', String((e as Error).message)));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((e: NodeJS.ErrnoException) => {
      throw new Error(`manual scorer: cannot listen on 127.0.0.1:${this.port}: ${e.code ?? e.message}`);
    });
    server.keepAliveTimeout = 2000;
    this.server = server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const port = (this.server?.address() as AddressInfo | null)?.port;
    if (req.headers.host !== `127.0.0.1:${port}` && req.headers.host !== `localhost:${port}`) return send(res, 421, 'text/plain', 'wrong host');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/') return send(res, 200, 'text/html; charset=utf-8', RATING_PAGE);
    if (req.method === 'GET' && url.pathname === '/api/state') {
      const pending = [...this.pending.values()].map(({ request: { id, image } }) => ({ id, payload: image.payload, prompt: image.prompt, index: image.index }));
      return send(res, 200, 'application/json', JSON.stringify({ scale: this.scale, pending }));
    }
    if (req.method === 'GET' && url.pathname.startsWith('/image/')) {
      const p = this.pending.get(url.pathname.slice('/image/'.length));
      if (!p) return send(res, 404, 'text/plain', 'no such image (already rated?)');
      return send(res, 200, imageType(p.request.image.data).mime, p.request.image.data);
    }
    if (req.method === 'POST' && url.pathname === '/api/rate') {
      if (!String(req.headers['content-type']).startsWith('application/json')) return send(res, 415, 'text/plain', 'send JSON');
      const body = await readBody(req);
      if (body === undefined) return send(res, 413, 'text/plain', 'body too large');
      let parsed: { id?: unknown; rating?: unknown };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        return send(res, 400, 'text/plain', 'not JSON');
      }
      const p = typeof parsed.id === 'string' ? this.pending.get(parsed.id) : undefined;
      if (!p) return send(res, 404, 'text/plain', 'no such image (already rated?)');
      const rating = checkRating(parsed.rating, this.scale);
      if (typeof rating === 'string') return send(res, 400, 'text/plain', rating);
      this.pending.delete(p.request.id);
      for (const w of p.waiters) await w.onRating(p.request.id, rating);
      for (const w of p.waiters) w.done();
      return send(res, 204, 'text/plain', '');
    }
    return send(res, 404, 'text/plain', 'not found');
  }
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

/** The request body, or undefined when it exceeds MAX_BODY. */
async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
