import WebSocket from 'ws';
import { BackendError, snippet } from '../errors.js';
import { authHint, httpRequest, jsonReply } from '../http.js';
import { isPlainObject, type JsonValue } from '../../util/json.js';
import type { ApiWorkflow } from './workflow.js';

/** Binary WebSocket frame types (ComfyUI protocol.py BinaryEventTypes). */
const PREVIEW_IMAGE = 1;

/** Output nodes whose images are written on the server and fetched through /history and /view. */
const SAVED_IMAGE_CLASSES = ['PreviewImage', 'SaveImage'];

/** Prompt ids we gave up on, remembered so their late events are dropped, not stored. */
const ABANDONED_MEMORY = 1000;

export interface ComfyClientOptions {
  headers: Readonly<Record<string, string>>;
  /** Bound on each HTTP request. */
  requestTimeoutMs: number;
}

interface ImageRef {
  filename: string;
  subfolder: string;
  type: string;
}

interface PromptState {
  /** Images streamed over the socket (SaveImageWebsocket), per node id, in arrival order. */
  streamed: Map<string, Buffer[]>;
  outcome?: { ok: true } | { ok: false; error: BackendError };
  /** Wakes the waiter: the prompt finished or the socket was lost. */
  wake?: () => void;
}

let clientCounter = 0;

/**
 * A thin ComfyUI client over fetch and one WebSocket per server. Events for a prompt go only to
 * the client id that queued it, so every prompt of this client is followed on the one socket;
 * binary image frames carry no prompt id and are attributed to the node of the latest
 * `executing`/`progress` event, which is exact because a server runs one prompt at a time.
 */
export class ComfyClient {
  readonly clientId = `autombw-${process.pid}-${++clientCounter}`;
  private socket: WebSocket | undefined;
  private connecting: Promise<WebSocket> | undefined;
  private readonly prompts = new Map<string, PromptState>();
  private readonly abandoned = new Set<string>();
  private current: { promptId?: string; node?: string } = {};
  private closed = false;

  constructor(
    readonly url: string,
    private readonly options: ComfyClientOptions,
  ) {}

  async getJson(route: string, signal: AbortSignal): Promise<unknown> {
    const url = `${this.url}${route}`;
    return jsonReply(url, await httpRequest(url, { headers: this.options.headers, signal, timeoutMs: this.options.requestTimeoutMs }));
  }

  private async postJson(route: string, body: unknown, signal: AbortSignal, timeoutMs = this.options.requestTimeoutMs) {
    const url = `${this.url}${route}`;
    return { url, reply: await httpRequest(url, { json: body, headers: this.options.headers, signal, timeoutMs }) };
  }

  /**
   * Queues `workflow`, follows it to the end and returns the images of every output node:
   * streamed ones from the socket, saved ones (PreviewImage, SaveImage) through /history and
   * /view. The history entry is removed afterwards, so a long run leaves no trail in the
   * server's memory. Aborting `signal` takes the prompt off the queue or interrupts it.
   */
  async run(workflow: ApiWorkflow, signal: AbortSignal): Promise<Map<string, Buffer[]>> {
    await this.connect(signal);
    const promptId = await this.queue(workflow, signal);
    try {
      await this.follow(promptId, signal);
      const images = new Map(this.prompts.get(promptId)?.streamed ?? []);
      const saved = Object.entries(workflow).filter(([, n]) => SAVED_IMAGE_CLASSES.includes(n.class_type));
      if (saved.length > 0) {
        const outputs = await this.historyOutputs(promptId, signal);
        for (const [id] of saved) images.set(id, await this.fetchImages(outputs[id] ?? [], signal));
      }
      return images;
    } catch (e) {
      if (signal.aborted) await this.cancel(promptId);
      throw e;
    } finally {
      this.forget(promptId);
      this.postJson('/history', { delete: [promptId] }, new AbortController().signal, 5000).catch(() => {});
    }
  }

  private async queue(workflow: ApiWorkflow, signal: AbortSignal): Promise<string> {
    const { url, reply } = await this.postJson('/prompt', { prompt: workflow, client_id: this.clientId }, signal);
    const text = reply.body.toString('utf8');
    if (reply.status === 400) throw new BackendError(`ComfyUI rejected the workflow: ${describeRejection(text)}`, 'rejected');
    const body = jsonReply(url, reply);
    if (!isPlainObject(body) || typeof body.prompt_id !== 'string') throw new BackendError(`${url}: no prompt_id in the reply: ${snippet(text)}`, 'transient');
    if (isPlainObject(body.node_errors) && Object.keys(body.node_errors).length > 0) {
      await this.cancel(body.prompt_id);
      throw new BackendError(`ComfyUI rejected part of the workflow: ${formatNodeErrors(body.node_errors)}`, 'rejected');
    }
    return body.prompt_id;
  }

  /** Waits for the prompt's end; a lost socket is reconnected and the history consulted. */
  private async follow(promptId: string, signal: AbortSignal): Promise<void> {
    const state = this.state(promptId);
    for (;;) {
      if (state.outcome) {
        if (!state.outcome.ok) throw state.outcome.error;
        return;
      }
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        if (signal.aborted) return onAbort();
        signal.addEventListener('abort', onAbort, { once: true });
        state.wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        if (state.outcome || !this.socket) state.wake();
      });
      state.wake = undefined;
      if (state.outcome) continue;
      // The socket dropped: whatever it would have carried for this prompt may be lost.
      await this.connect(signal);
      const entry = await this.historyEntry(promptId, signal);
      if (entry !== undefined) {
        const status = isPlainObject(entry.status) ? entry.status : {};
        if (status.status_str === 'error') state.outcome = { ok: false, error: new BackendError(`prompt ${promptId} failed on ${this.url} (see the server log)`, 'transient') };
        else state.outcome = { ok: true };
      }
    }
  }

  private state(promptId: string): PromptState {
    let s = this.prompts.get(promptId);
    if (!s) {
      s = { streamed: new Map() };
      this.prompts.set(promptId, s);
    }
    return s;
  }

  private forget(promptId: string) {
    this.prompts.delete(promptId);
    this.abandoned.add(promptId);
    if (this.abandoned.size > ABANDONED_MEMORY) this.abandoned.delete(this.abandoned.values().next().value!);
  }

  private finish(promptId: string, outcome: NonNullable<PromptState['outcome']>) {
    if (this.abandoned.has(promptId)) return;
    const s = this.state(promptId);
    if (s.outcome) return;
    s.outcome = outcome;
    s.wake?.();
  }

  private onMessage(data: WebSocket.RawData, isBinary: boolean) {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    if (isBinary) {
      if (buf.length < 8 || buf.readUInt32BE(0) !== PREVIEW_IMAGE) return;
      const { promptId, node } = this.current;
      if (promptId === undefined || node === undefined || this.abandoned.has(promptId)) return;
      const images = this.state(promptId).streamed;
      images.set(node, [...(images.get(node) ?? []), buf.subarray(8)]);
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(buf.toString('utf8'));
    } catch {
      return; // a garbled event; the end of the prompt is still learned from the next ones or the history
    }
    if (!isPlainObject(msg) || !isPlainObject(msg.data)) return;
    const d = msg.data;
    const promptId = typeof d.prompt_id === 'string' ? d.prompt_id : undefined;
    switch (msg.type) {
      case 'executing':
        if (promptId === undefined) return;
        if (d.node === null) this.finish(promptId, { ok: true });
        else this.current = { promptId, node: String(d.node) };
        return;
      case 'progress':
        if (promptId !== undefined && d.node != null) this.current = { promptId, node: String(d.node) };
        return;
      case 'execution_success':
        if (promptId !== undefined) this.finish(promptId, { ok: true });
        return;
      case 'execution_error':
        if (promptId !== undefined) this.finish(promptId, { ok: false, error: executionError(d, this.url) });
        return;
      case 'execution_interrupted':
        if (promptId !== undefined) this.finish(promptId, { ok: false, error: new BackendError(`prompt interrupted on ${this.url} at node ${String(d.node_id)} (${String(d.node_type)})`, 'transient') });
        return;
    }
  }

  /** Opens the socket once; concurrent callers share the attempt. */
  connect(signal: AbortSignal): Promise<WebSocket> {
    if (this.closed) return Promise.reject(new BackendError(`${this.url}: client closed`, 'transient'));
    if (this.socket?.readyState === WebSocket.OPEN) return Promise.resolve(this.socket);
    this.connecting ??= new Promise<WebSocket>((resolve, reject) => {
      const wsUrl = `${this.url.replace(/^http/, 'ws')}/ws?clientId=${encodeURIComponent(this.clientId)}`;
      const ws = new WebSocket(wsUrl, { headers: this.options.headers, handshakeTimeout: this.options.requestTimeoutMs });
      ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
      ws.once('open', () => {
        this.socket = ws;
        this.connecting = undefined;
        resolve(ws);
      });
      ws.on('unexpected-response', (_req, res) => {
        this.connecting = undefined;
        reject(new BackendError(`${wsUrl}: WebSocket refused with HTTP ${res.statusCode}${authHint(res.statusCode ?? 0)}`, (res.statusCode ?? 500) >= 500 ? 'transient' : 'rejected'));
        ws.terminate();
      });
      ws.on('error', (err) => {
        if (this.socket !== ws) {
          this.connecting = undefined;
          reject(new BackendError(`${wsUrl}: ${err.message}`, 'transient'));
        }
      });
      ws.on('close', () => {
        if (this.socket !== ws) return;
        this.socket = undefined;
        this.current = {};
        for (const s of this.prompts.values()) s.wake?.();
      });
    });
    const pending = this.connecting;
    return new Promise<WebSocket>((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  private async historyEntry(promptId: string, signal: AbortSignal): Promise<Record<string, JsonValue> | undefined> {
    const body = await this.getJson(`/history/${encodeURIComponent(promptId)}`, signal);
    const entry = isPlainObject(body) ? body[promptId] : undefined;
    return isPlainObject(entry) ? (entry as Record<string, JsonValue>) : undefined;
  }

  private async historyOutputs(promptId: string, signal: AbortSignal): Promise<Record<string, ImageRef[]>> {
    const entry = await this.historyEntry(promptId, signal);
    if (!entry || !isPlainObject(entry.outputs)) throw new BackendError(`${this.url}: prompt ${promptId} finished but has no history entry`, 'transient');
    const out: Record<string, ImageRef[]> = {};
    for (const [node, output] of Object.entries(entry.outputs)) {
      const images: unknown[] = isPlainObject(output) && Array.isArray(output.images) ? output.images : [];
      out[node] = images.filter(isPlainObject).map((i) => ({ filename: String(i.filename), subfolder: String(i.subfolder ?? ''), type: String(i.type ?? 'output') }));
    }
    return out;
  }

  private async fetchImages(refs: readonly ImageRef[], signal: AbortSignal): Promise<Buffer[]> {
    const images: Buffer[] = [];
    for (const ref of refs) {
      const query = new URLSearchParams({ filename: ref.filename, subfolder: ref.subfolder, type: ref.type });
      const url = `${this.url}/view?${query}`;
      const reply = await httpRequest(url, { headers: this.options.headers, signal, timeoutMs: this.options.requestTimeoutMs });
      if (reply.status !== 200) throw new BackendError(`${url}: HTTP ${reply.status}`, reply.status >= 500 || reply.status === 404 ? 'transient' : 'rejected');
      images.push(reply.body);
    }
    return images;
  }

  /**
   * Takes a prompt off the queue, or interrupts it when it is the one running. Checking the
   * queue first matters: an old server ignores the prompt id and interrupts whatever runs,
   * which may be another evaluation's prompt. Best effort: a server that does not answer is
   * judged by the next request.
   */
  async cancel(promptId: string): Promise<void> {
    const signal = AbortSignal.timeout(5000);
    try {
      await this.postJson('/queue', { delete: [promptId] }, signal, 5000);
      const queue = await this.getJson('/queue', signal);
      const running = isPlainObject(queue) && Array.isArray(queue.queue_running) ? queue.queue_running : [];
      if (running.some((item) => Array.isArray(item) && item[1] === promptId)) {
        await this.postJson('/interrupt', { prompt_id: promptId }, signal, 5000);
      }
    } catch {
      // see above
    }
  }

  close(): void {
    this.closed = true;
    this.socket?.close();
    this.socket = undefined;
  }
}

function executionError(d: Record<string, unknown>, url: string): BackendError {
  const type = String(d.exception_type ?? '');
  const message = String(d.exception_message ?? '').trim();
  const where = `node ${String(d.node_id)} (${String(d.node_type)})`;
  if (/OutOfMemory|out of memory|\bOOM\b/i.test(`${type} ${message}`)) {
    return new BackendError(`${url} ran out of GPU memory at ${where}: ${snippet(message, 200)}`, 'oom');
  }
  return new BackendError(`ComfyUI failed at ${where}: ${type ? `${type}: ` : ''}${snippet(message, 300)}`, 'rejected');
}

/** A 400 reply of POST /prompt: `error` is an object (or a string on old builds), plus node_errors. */
function describeRejection(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return snippet(text);
  }
  if (!isPlainObject(body)) return snippet(text);
  const nodeErrors = isPlainObject(body.node_errors) && Object.keys(body.node_errors).length > 0 ? formatNodeErrors(body.node_errors) : '';
  const error = body.error;
  const head = isPlainObject(error) ? `${String(error.message ?? error.type)}${error.details && !nodeErrors ? `: ${snippet(String(error.details), 200)}` : ''}` : String(error ?? 'invalid prompt');
  return nodeErrors ? `${head}; ${nodeErrors}` : head;
}

/** `node 10 (ModelMergeSD1): input_blocks.0.: Value 1.2 bigger than max of 1.0`, one per error. */
export function formatNodeErrors(nodeErrors: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [id, entry] of Object.entries(nodeErrors)) {
    if (!isPlainObject(entry)) continue;
    const errors = Array.isArray(entry.errors) ? entry.errors.filter(isPlainObject) : [];
    for (const e of errors) {
      const input = isPlainObject(e.extra_info) && typeof e.extra_info.input_name === 'string' ? `${e.extra_info.input_name}: ` : '';
      // value_not_in_list details embed the whole choice list; keep the message readable.
      parts.push(`node ${id} (${String(entry.class_type)}): ${input}${String(e.message)}${e.details ? ` (${snippet(String(e.details), 120)})` : ''}`);
    }
  }
  return parts.join('; ');
}
