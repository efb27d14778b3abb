import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';

/** Debian's chromium, when installed (apt-get install chromium). */
export const CHROMIUM = ['chromium', 'chromium-browser'].find((b) => spawnSync('sh', ['-c', `command -v ${b}`]).status === 0);

/** Every launch: a fresh profile and nothing that talks to the network on its own. */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--hide-scrollbars', '--remote-debugging-port=0'];

/**
 * Headless chromium driven over the Chrome DevTools Protocol (its JSON-RPC over a WebSocket):
 * enough to open a page, run script in it, and take a screenshot.
 */
export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: any) => void; reject: (e: Error) => void }>();

  private constructor(private readonly child: ChildProcess, private readonly socket: WebSocket, private readonly profile: string) {
    socket.on('message', (raw) => {
      const msg = JSON.parse(String(raw));
      const waiter = msg.id !== undefined ? this.pending.get(msg.id) : undefined;
      if (!waiter) return;
      this.pending.delete(msg.id);
      if (msg.error) waiter.reject(new Error(`${msg.error.message} (${msg.error.code})`));
      else waiter.resolve(msg.result);
    });
  }

  static async launch(size: { width: number; height: number } = { width: 1280, height: 900 }): Promise<Chromium> {
    if (!CHROMIUM) throw new Error('chromium is not installed');
    const profile = mkdtempSync(path.join(tmpdir(), 'autombw-chromium-'));
    // Its own process group, so close() can end its helper processes too (they outlive a killed parent).
    const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, `--window-size=${size.width},${size.height}`, 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
    const endpoint = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (chunk: string) => {
        text += chunk;
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`chromium exited (${code}) before listening: ${text.slice(-500)}`)));
    });
    const socket = new WebSocket(endpoint, { perMessageDeflate: false });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return new Chromium(child, socket, profile);
  }

  send(method: string, params: object = {}, sessionId?: string): Promise<any> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** Opens `url` in a new tab; returns the session that drives it. */
  async open(url: string): Promise<string> {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    await this.send('Page.enable', {}, sessionId);
    await this.send('Page.navigate', { url }, sessionId);
    return sessionId;
  }

  /** Runs `expression` in the page (awaiting a promise it returns) and gives back its value. */
  async evaluate<T = unknown>(sessionId: string, expression: string): Promise<T> {
    const r = await this.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }, sessionId);
    if (r.exceptionDetails) throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  }

  /**
   * Waits in the page until `condition` (an expression) is truthy, checking on every animation
   * frame; rejects after `timeoutMs`, which is only a safety net.
   */
  waitFor(sessionId: string, condition: string, timeoutMs = 30_000): Promise<unknown> {
    return this.evaluate(
      sessionId,
      `new Promise((resolve, reject) => { const until = Date.now() + ${timeoutMs}; const check = () => { let v; try { v = (${condition}); } catch (e) { v = undefined; } if (v) resolve(v); else if (Date.now() > until) reject(new Error('timed out waiting for: ' + ${JSON.stringify(condition)})); else requestAnimationFrame(check); }; check(); })`,
    );
  }

  async screenshot(sessionId: string, clip?: { x: number; y: number; width: number; height: number }): Promise<Buffer> {
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', ...(clip ? { clip: { ...clip, scale: 1 } } : { captureBeyondViewport: false }) }, sessionId);
    return Buffer.from(data, 'base64');
  }

  async close(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    // Browser.close lets chromium shut its helper processes down before it exits; a signal is the fallback.
    await Promise.race([this.send('Browser.close'), exited]).catch(() => undefined);
    this.socket.close();
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await exited;
    try {
      process.kill(-this.child.pid!, 'SIGKILL'); // helpers still writing the profile
    } catch {
      // the group is already gone
    }
    rmSync(this.profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  }
}
