import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { readManifest } from '../compare/manifest.js';
import { UserInputError } from '../config/issues.js';
import { APP_CSS, APP_JS } from './assets.js';
import { findDirectories } from './catalog.js';
import { liveComparison } from './comparison.js';
import { ImportanceService } from './importance-service.js';
import type { LiveRun } from './live-run.js';
import { RunStore } from './run-store.js';
import { comparisonStatus, shownStatus } from './status.js';
import { comparisonPage, comparisonPanels, indexPage, runFigurePanels, runPage, runStatusPanels, trialDetail, type ImportanceState, type IndexEntry, type Links } from './views.js';
import { importanceFigure } from '../report/run-figures.js';

export interface DashboardOptions {
  /** Directory searched for runs and comparisons. */
  root: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Required for any address other than loopback; every request must then carry it. */
  token?: string;
  /** The clock the server-activity states are computed against. */
  now?: () => number;
}

export interface Dashboard {
  url: string;
  port: number;
  store: RunStore;
  /** Open event streams. */
  readonly streams: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** A comment line on every event stream this often, so proxies and browsers keep it open. */
const HEARTBEAT_MS = 15_000;
/** Importance is refitted once the successful trials grew by this share (and by 5) since the last fit. */
const IMPORTANCE_GROWTH = 0.1;
/** Open pages get a run's figures rebuilt at most this often (rows and facts go out at once). */
const FIGURE_INTERVAL_MS = 1000;
/** How often the servers' busy/idle states are recomputed while nothing else changes. */
const ACTIVITY_TICK_MS = 10_000;
const IMAGE_TYPES: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.webp': 'image/webp' };

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * The live dashboard: runs and comparisons under `root`, each page updated over Server-Sent
 * Events as other processes append to the journals. Bound to loopback it needs no token; on any
 * other address it refuses to start without one.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopback(host) && !options.token) throw new UserInputError(`autombw serve: binding to ${host} exposes your runs to the network; give --token as well`);
  const root = path.resolve(options.root);
  const now = options.now ?? Date.now;
  const store = new RunStore();
  const importanceService = new ImportanceService();
  const importance = new Map<string, { fitted?: { ok: number; state: ImportanceState }; inFlight: boolean; listeners: Set<() => void> }>();
  const figureCache = new Map<string, { stamp: string; panels: Record<string, string>; at: number }>();
  const figureTimers = new Map<string, NodeJS.Timeout>();
  // Keyed by the LiveRun object: an entry goes when the store drops the run.
  const statusCache = new WeakMap<LiveRun, { stamp: string; panels: Record<string, string> }>();
  const trialsCache = new WeakMap<LiveRun, { version: number; json: string }>();
  const comparisonCache = new Map<string, { stamp: string; html: string; panels: Record<string, string> }>();
  const figureListeners = new Map<string, Set<() => void>>();
  const streams = new Set<ServerResponse>();
  let port = 0;

  const key = (dir: string) => path.relative(root, dir).split(path.sep).join('/') || '.';
  const inside = (dir: string) => {
    const rel = path.relative(root, dir);
    return !rel.startsWith('..') && !path.isAbsolute(rel);
  };
  const links: Links = {
    run: (dir) => (inside(dir) ? `/run?d=${encodeURIComponent(key(dir))}` : undefined),
    compare: (dir) => (inside(dir) ? `/compare?d=${encodeURIComponent(key(dir))}` : undefined),
    file: (runDir, file) => (safeRelative(file) ? `/file?d=${encodeURIComponent(key(runDir))}&f=${encodeURIComponent(file)}` : undefined),
  };

  function importanceOf(live: LiveRun): ImportanceState {
    const dir = live.data.dir;
    let entry = importance.get(dir);
    if (!entry) importance.set(dir, (entry = { inFlight: false, listeners: new Set() }));
    const ok = live.data.trials.filter((t) => t.status === 'ok').length;
    const stale = !entry.fitted || (ok - entry.fitted.ok >= 5 && ok >= entry.fitted.ok * (1 + IMPORTANCE_GROWTH)) || (entry.fitted.ok !== ok && live.data.status !== 'running');
    if (stale && !entry.inFlight && ok > 0) {
      entry.inFlight = true;
      const e = entry;
      const trials = live.data.trials.filter((t) => t.status === 'ok').map((t) => ({ status: t.status, value: t.value, weights: t.weights }));
      importanceService
        .fit({ info: { hash: live.data.info.hash }, config: { space: live.data.config.space }, trials })
        .then(
          (fit) => ({ ok, state: fit ? ({ kind: 'ready', svg: importanceFigure(fit), trials: fit.trials } as const) : ({ kind: 'none' } as const) }),
          () => ({ ok, state: { kind: 'none' } as const }),
        )
        .then((fitted) => {
          e.fitted = fitted;
          e.inFlight = false;
          for (const l of [...e.listeners]) l();
        });
    }
    return entry.fitted?.state ?? (ok > 0 ? { kind: 'pending' } : { kind: 'none' });
  }

  /** The facts and activity: rebuilt when the run changed, and every ACTIVITY_TICK_MS for the busy/idle states. */
  function statusOf(live: LiveRun): Record<string, string> {
    const stamp = `${live.version}/${Math.floor(now() / ACTIVITY_TICK_MS)}`;
    const cached = statusCache.get(live);
    if (cached?.stamp === stamp) return cached.panels;
    const panels = runStatusPanels(live, now());
    statusCache.set(live, { stamp, panels });
    return panels;
  }

  /** The trial table as JSON, serialized once per version of the run. */
  function trialsJson(live: LiveRun): string {
    const cached = trialsCache.get(live);
    if (cached?.version === live.version) return cached.json;
    const json = JSON.stringify({ columns: live.columns, rows: live.rows, status: live.data.status });
    trialsCache.set(live, { version: live.version, json });
    return json;
  }

  function figureStamp(live: LiveRun): string {
    return `${live.version}/${importance.get(live.data.dir)?.fitted?.ok ?? -1}`;
  }

  /** The figure panels, rebuilt when the run or its importance changed (a page needs them now). */
  function figuresOf(live: LiveRun): Record<string, string> {
    const state = importanceOf(live);
    const stamp = figureStamp(live);
    const cached = figureCache.get(live.data.dir);
    if (cached?.stamp === stamp) return cached.panels;
    const panels = runFigurePanels(live, state);
    figureCache.set(live.data.dir, { stamp, panels, at: performance.now() });
    if (figureCache.size > 64) figureCache.delete(figureCache.keys().next().value!);
    return panels;
  }

  /**
   * For open pages: the figures rebuilt at most once per FIGURE_INTERVAL_MS per run, after the
   * new rows went out, so a burst of trials costs one rebuild and rows never wait for figures.
   */
  function scheduleFigures(live: LiveRun): void {
    const dir = live.data.dir;
    if (figureTimers.has(dir)) return;
    const last = figureCache.get(dir)?.at ?? -Infinity;
    const delay = Math.max(0, last + FIGURE_INTERVAL_MS - performance.now());
    figureTimers.set(
      dir,
      setTimeout(() => {
        figureTimers.delete(dir);
        figuresOf(live);
        for (const l of [...(figureListeners.get(dir) ?? [])]) l();
      }, delay),
    );
  }

  function runFrom(url: URL): LiveRun | undefined {
    const dir = path.resolve(root, url.searchParams.get('d') ?? '');
    return inside(dir) ? store.get(dir) : undefined;
  }

  function comparisonDir(url: URL): string | undefined {
    const dir = path.resolve(root, url.searchParams.get('d') ?? '');
    return inside(dir) && existsSync(path.join(dir, 'compare.json')) ? dir : undefined;
  }

  function indexEntries(): IndexEntry[] {
    const { runs, comparisons } = findDirectories(root);
    const entries: IndexEntry[] = [];
    for (const dir of comparisons) {
      try {
        const manifest = readManifest(dir);
        const members = manifest.runs.map((r) => store.get(path.resolve(dir, r.dir)));
        const statuses = members.map((m) => (m ? shownStatus(m.data.status) : 'not started' as const));
        const best = Math.max(...members.flatMap((m) => (m?.data.best?.value !== undefined ? [m.data.best.value] : [])));
        entries.push({
          kind: 'comparison',
          dir,
          name: manifest.name,
          detail: `${manifest.variants.length} × ${manifest.seeds.length}`,
          status: comparisonStatus(statuses),
          trials: `${members.reduce((n, m) => n + (m?.data.trials.length ?? 0), 0)} of ${manifest.budget * manifest.runs.length}`,
          best: Number.isFinite(best) ? best : undefined,
          updated: undefined,
        });
      } catch {
        // a manifest being rewritten or damaged: listed again on the next visit
      }
    }
    for (const dir of runs) {
      const live = store.get(dir);
      if (!live) continue;
      const journal = path.join(dir, 'journal.jsonl');
      entries.push({
        kind: 'run',
        dir,
        name: live.name,
        detail: live.data.config.optimizer.kind,
        status: shownStatus(live.data.status),
        trials: `${live.data.trials.length} of ${live.data.config.stop.budget}`,
        best: live.data.best?.value,
        updated: existsSync(journal) ? statSync(journal).mtime : undefined,
      });
    }
    return entries.sort((a, b) => (b.updated?.getTime() ?? Infinity) - (a.updated?.getTime() ?? Infinity));
  }

  /** Opens an event stream; `update` writes what changed since the last write, `watch` subscribes. */
  function eventStream(req: IncomingMessage, res: ServerResponse, update: () => void, watch: () => Array<() => void>): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 2000\n\n');
    streams.add(res);
    update();
    const stops = watch();
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    const close = () => {
      clearInterval(heartbeat);
      for (const stop of stops) stop();
      streams.delete(res);
    };
    req.on('close', close);
    res.on('error', close);
  }

  function runEvents(req: IncomingMessage, res: ServerResponse, live: LiveRun, url: URL): void {
    const since = Number(req.headers['last-event-id'] ?? url.searchParams.get('since') ?? 0);
    let sent = Number.isInteger(since) && since >= 0 && since <= live.rows.length ? since : 0;
    let reset = sent !== since;
    const shown: Record<string, string> = {};
    const write = (panels: Record<string, string>) => {
      if (live.rows.length < sent) {
        sent = 0;
        reset = true;
      }
      const changed = Object.fromEntries(Object.entries(panels).filter(([id, html]) => shown[id] !== html));
      Object.assign(shown, changed);
      const rows = live.rows.slice(sent);
      if (rows.length === 0 && Object.keys(changed).length === 0 && !reset) return;
      sent = live.rows.length;
      res.write(`id: ${sent}\nevent: update\ndata: ${JSON.stringify({ reset, rows, panels: changed, status: live.data.status, version: live.version })}\n\n`);
      reset = false;
    };
    // New rows and facts go out at once; the figures follow when rebuilt.
    const update = () => {
      const cached = figureCache.get(live.data.dir);
      const fresh = cached?.stamp === figureStamp(live);
      write({ ...statusOf(live), ...(fresh ? cached.panels : {}) });
      if (!fresh) scheduleFigures(live);
    };
    const figuresReady = () => write(figuresOf(live));
    eventStream(req, res, () => write({ ...statusOf(live), ...figuresOf(live) }), () => {
      const dir = live.data.dir;
      const entry = importance.get(dir)!;
      entry.listeners.add(update);
      let listeners = figureListeners.get(dir);
      if (!listeners) figureListeners.set(dir, (listeners = new Set()));
      listeners.add(figuresReady);
      return [
        store.subscribe(dir, update),
        () => entry.listeners.delete(update),
        () => {
          listeners.delete(figuresReady);
          if (listeners.size === 0) {
            figureListeners.delete(dir);
            clearTimeout(figureTimers.get(dir));
            figureTimers.delete(dir);
          }
        },
      ];
    });
  }

  /**
   * A comparison's page and panels, rebuilt only when one of its member runs changed (the
   * statistics over 100 runs are the expensive part).
   */
  function comparisonOf(dir: string): { html: string; panels: Record<string, string> } {
    const manifest = readManifest(dir);
    const members = manifest.runs.map((r) => store.get(path.resolve(dir, r.dir)));
    const stamp = JSON.stringify([manifest, members.map((m) => m?.version ?? -1), members.map((m) => m?.data.status)]);
    const cached = comparisonCache.get(dir);
    if (cached?.stamp === stamp) return cached;
    const c = liveComparison(dir, (d) => store.get(d));
    const panels = comparisonPanels(c, links);
    const entry = { stamp, panels, html: comparisonPage(c, panels, key(dir)) };
    comparisonCache.set(dir, entry);
    if (comparisonCache.size > 16) comparisonCache.delete(comparisonCache.keys().next().value!);
    return entry;
  }

  function comparisonEvents(req: IncomingMessage, res: ServerResponse, dir: string): void {
    let shown: Record<string, string> = {};
    let stops: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    const rewatch = () => {
      for (const stop of stops) stop();
      // Member runs that exist, and the folders new ones will appear in.
      const members = readManifest(dir).runs.map((r) => path.resolve(dir, r.dir));
      const dirs = new Set([...members.filter((m) => store.get(m)), ...members.map((m) => path.dirname(m)).filter((d) => existsSync(d))]);
      stops = [...dirs].map((d) => store.subscribe(d, changed));
    };
    const send = () => {
      const { panels } = comparisonOf(dir);
      const changedPanels = Object.fromEntries(Object.entries(panels).filter(([id, html]) => shown[id] !== html));
      shown = { ...shown, ...changedPanels };
      res.write(`event: update\ndata: ${JSON.stringify({ panels: changedPanels })}\n\n`);
    };
    // Many member runs change at once: one update per burst.
    function changed() {
      if (timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        rewatch();
        send();
      }, 100);
    }
    eventStream(req, res, () => send(), () => {
      rewatch();
      return [() => stops.forEach((stop) => stop()), () => clearTimeout(timer)];
    });
  }

  function serveFile(res: ServerResponse, live: LiveRun, file: string): void {
    const type = IMAGE_TYPES[path.extname(file).toLowerCase()];
    const absolute = path.resolve(live.data.dir, file);
    if (!type || !safeRelative(file) || !existsSync(absolute)) return notFound(res);
    const real = realpathSync(absolute);
    const base = realpathSync(live.data.dir);
    if (!real.startsWith(base + path.sep)) return notFound(res);
    res.writeHead(200, { 'Content-Type': type, 'Content-Length': statSync(real).size, 'Cache-Control': 'private, max-age=3600' });
    createReadStream(real).pipe(res);
  }

  const tokenDigest = options.token ? createHash('sha256').update(options.token).digest() : undefined;
  function authorized(req: IncomingMessage, url: URL, res: ServerResponse): boolean {
    if (!tokenDigest) {
      // Bound to loopback without a token: refuse pages fetched under another host name, so a
      // web page elsewhere cannot reach this server by rebinding its DNS name to 127.0.0.1.
      const hostHeader = req.headers.host ?? '';
      return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(hostHeader);
    }
    const candidates = [
      /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1],
      /(?:^|;\s*)autombw_token=([^;]+)/.exec(req.headers.cookie ?? '')?.[1],
      url.searchParams.get('token') ?? undefined,
    ];
    const ok = candidates.some((c) => c !== undefined && timingSafeEqual(createHash('sha256').update(decodeURIComponent(c)).digest(), tokenDigest));
    if (ok && url.searchParams.has('token')) res.setHeader('Set-Cookie', `autombw_token=${encodeURIComponent(options.token!)}; HttpOnly; SameSite=Strict; Path=/`);
    return ok;
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    res.setHeader('Content-Security-Policy', CSP);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    const url = new URL(req.url ?? '/', 'http://dashboard');
    if (!authorized(req, url, res)) return send(res, 403, 'text/plain', 'forbidden: wrong host or missing token\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    switch (url.pathname) {
      case '/':
        return send(res, 200, 'text/html', indexPage(root, indexEntries(), links));
      case '/app.js':
        return send(res, 200, 'text/javascript', APP_JS);
      case '/app.css':
        return send(res, 200, 'text/css', APP_CSS);
      case '/api/runs':
        return send(res, 200, 'application/json', JSON.stringify(indexEntries().map((e) => ({ ...e, dir: key(e.dir) }))));
      case '/run': {
        const live = runFrom(url);
        return live ? send(res, 200, 'text/html', runPage(live, { ...statusOf(live), ...figuresOf(live) }, key(live.data.dir))) : notFound(res);
      }
      case '/api/run/trials': {
        const live = runFrom(url);
        return live ? send(res, 200, 'application/json', trialsJson(live)) : notFound(res);
      }
      case '/api/run/trial': {
        const live = runFrom(url);
        const id = Number(url.searchParams.get('id'));
        const trial = live?.data.trials.find((t) => t.id === id);
        return live && trial ? send(res, 200, 'text/html', trialDetail(live, trial, links)) : notFound(res);
      }
      case '/api/run/events': {
        const live = runFrom(url);
        return live ? runEvents(req, res, live, url) : notFound(res);
      }
      case '/file': {
        const live = runFrom(url);
        return live ? serveFile(res, live, url.searchParams.get('f') ?? '') : notFound(res);
      }
      case '/compare': {
        const dir = comparisonDir(url);
        if (!dir) return notFound(res);
        return send(res, 200, 'text/html', comparisonOf(dir).html);
      }
      case '/api/compare/events': {
        const dir = comparisonDir(url);
        return dir ? comparisonEvents(req, res, dir) : notFound(res);
      }
      default:
        return notFound(res);
    }
  }

  const server: Server = createServer((req, res) => {
    try {
      handle(req, res);
    } catch (e) {
      if (!res.headersSent) send(res, 500, 'text/plain', `error: ${(e as Error).message}\n`);
      else res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new UserInputError(`autombw serve: port ${options.port} is in use; pick another with --port`) : e));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost === 'localhost' ? '127.0.0.1' : shownHost}:${port}/`,
    port,
    store,
    get streams() {
      return streams.size;
    },
    async close() {
      for (const timer of figureTimers.values()) clearTimeout(timer);
      for (const res of streams) res.end();
      store.close();
      await importanceService.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A run-relative path that stays inside the run directory. */
function safeRelative(file: string): boolean {
  const normal = path.posix.normalize(file.split(path.sep).join('/'));
  return file.length > 0 && !normal.startsWith('../') && normal !== '..' && !path.posix.isAbsolute(normal) && !normal.includes('\0');
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' });
  res.end(body);
}

function notFound(res: ServerResponse): void {
  send(res, 404, 'text/plain', 'not found\n');
}
