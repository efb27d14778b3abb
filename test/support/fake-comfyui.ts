import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { encodePng } from '../../src/runtime/png.js';
import { readBody } from './http.js';

/**
 * A ComfyUI server for tests, faithful to the parts of the protocol autombw uses (server.py,
 * execution.py, main.py): POST /prompt validates like validate_prompt (unknown classes,
 * missing inputs, link types, min/max, combo lists → 400 with node_errors), one worker runs
 * the queue in order and reports on /ws to the prompt's client id (execution_start,
 * execution_cached, executing, progress, binary PNG frames of SaveImageWebsocket, executed,
 * execution_success or execution_error, executing null), and /history, /view, /queue,
 * /interrupt, /object_info, /system_stats answer as ComfyUI does.
 *
 * Images are rendered from the graph's meaning: each checkpoint has a value per merge input,
 * merge nodes combine them exactly as ComfyUI's patches do (ratio·model1 + (1−ratio)·model2),
 * and the image's pixel columns show the final values. With checkpoint A = 0 and B = 1 a
 * weighted sum shows each block's weight w, so a test sees the weights arrive — and the ratio
 * inversion done right.
 */

type InputType = string | string[];
interface InputSpec {
  type: InputType;
  min?: number;
  max?: number;
}
interface NodeClass {
  required: Record<string, InputSpec>;
  output: string[];
  outputNode?: boolean;
}

const FLOAT01: InputSpec = { type: 'FLOAT', min: 0, max: 1 };
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
export const SD1_MERGE_INPUTS = ['time_embed.', 'label_emb.', ...range(12).map((i) => `input_blocks.${i}.`), ...range(3).map((i) => `middle_block.${i}.`), ...range(12).map((i) => `output_blocks.${i}.`), 'out.'];
export const SDXL_MERGE_INPUTS = ['time_embed.', 'label_emb.', ...range(9).map((i) => `input_blocks.${i}`), ...range(3).map((i) => `middle_block.${i}`), ...range(9).map((i) => `output_blocks.${i}`), 'out.'];
export const SAMPLERS = ['euler', 'euler_ancestral', 'heun', 'dpm_2', 'lms', 'dpmpp_2m', 'dpmpp_sde', 'dpmpp_2m_sde', 'ddim', 'uni_pc'];
export const SCHEDULERS = ['normal', 'karras', 'exponential', 'sgm_uniform', 'simple', 'ddim_uniform', 'beta'];

function nodeClasses(checkpoints: string[]): Record<string, NodeClass> {
  const model = { type: 'MODEL' };
  const clip = { type: 'CLIP' };
  return {
    CheckpointLoaderSimple: { required: { ckpt_name: { type: checkpoints } }, output: ['MODEL', 'CLIP', 'VAE'] },
    ModelMergeSD1: { required: { model1: model, model2: model, ...Object.fromEntries(SD1_MERGE_INPUTS.map((k) => [k, FLOAT01])) }, output: ['MODEL'] },
    ModelMergeSDXL: { required: { model1: model, model2: model, ...Object.fromEntries(SDXL_MERGE_INPUTS.map((k) => [k, FLOAT01])) }, output: ['MODEL'] },
    ModelMergeSimple: { required: { model1: model, model2: model, ratio: FLOAT01 }, output: ['MODEL'] },
    ModelMergeSubtract: { required: { model1: model, model2: model, multiplier: { type: 'FLOAT', min: -10, max: 10 } }, output: ['MODEL'] },
    ModelMergeAdd: { required: { model1: model, model2: model }, output: ['MODEL'] },
    CLIPMergeSimple: { required: { clip1: clip, clip2: clip, ratio: FLOAT01 }, output: ['CLIP'] },
    CLIPMergeSubtract: { required: { clip1: clip, clip2: clip, multiplier: { type: 'FLOAT', min: -10, max: 10 } }, output: ['CLIP'] },
    CLIPMergeAdd: { required: { clip1: clip, clip2: clip }, output: ['CLIP'] },
    CLIPTextEncode: { required: { text: { type: 'STRING' }, clip }, output: ['CONDITIONING'] },
    EmptyLatentImage: { required: { width: { type: 'INT', min: 16, max: 16384 }, height: { type: 'INT', min: 16, max: 16384 }, batch_size: { type: 'INT', min: 1, max: 4096 } }, output: ['LATENT'] },
    KSampler: {
      required: {
        model,
        seed: { type: 'INT', min: 0, max: 0xffffffffffffffff },
        steps: { type: 'INT', min: 1, max: 10000 },
        cfg: { type: 'FLOAT', min: 0, max: 100 },
        sampler_name: { type: SAMPLERS },
        scheduler: { type: SCHEDULERS },
        positive: { type: 'CONDITIONING' },
        negative: { type: 'CONDITIONING' },
        latent_image: { type: 'LATENT' },
        denoise: { type: 'FLOAT', min: 0, max: 1 },
      },
      output: ['LATENT'],
    },
    VAEDecode: { required: { samples: { type: 'LATENT' }, vae: { type: 'VAE' } }, output: ['IMAGE'] },
    SaveImageWebsocket: { required: { images: { type: 'IMAGE' } }, output: [], outputNode: true },
    PreviewImage: { required: { images: { type: 'IMAGE' } }, output: [], outputNode: true },
    SaveImage: { required: { images: { type: 'IMAGE' }, filename_prefix: { type: 'STRING' } }, output: [], outputNode: true },
  };
}

type ApiWorkflow = Record<string, { class_type: string; inputs: Record<string, unknown> }>;

/** Faults: each counter makes the next N occurrences misbehave, then counts down. */
export interface Faults {
  /** POST /prompt answers 500. */
  prompt500: number;
  /** POST /prompt answers 200 with a body that is not JSON. */
  promptMalformed: number;
  /** POST /prompt: the connection is destroyed without an answer. */
  promptDropConnection: number;
  /** The client's WebSocket is closed while a prompt runs, before its images are sent. */
  dropSocketDuringRun: number;
  /** Execution fails with torch.cuda.OutOfMemoryError at KSampler. */
  oom: number;
  /** An image is cut short. */
  truncatedImage: number;
  /** An image is not a PNG at all. */
  nonPngImage: number;
}

export interface FakeComfyOptions {
  checkpoints?: string[];
  /** Value of every merge input for each checkpoint; others get a value derived from their name. */
  checkpointValues?: Record<string, number>;
  /** Node classes this server lacks (a build without them). */
  without?: string[];
  /** Milliseconds the worker spends per image of a batch. */
  imageMs?: number;
  /** Milliseconds per prompt on top of the images. */
  promptMs?: number;
  /** `["COMBO", {options}]` combo inputs in /object_info, as newer builds send. */
  comboStyle?: 'list' | 'combo';
  /** Require this Authorization header. */
  authorization?: string;
  /** Answer WebSocket upgrades with 400, as a proxy that does not pass them would. */
  refuseWebSocket?: boolean;
  port?: number;
}

interface QueueItem {
  number: number;
  promptId: string;
  prompt: ApiWorkflow;
  clientId: string | undefined;
  outputs: string[];
}

interface HistoryEntry {
  prompt: unknown[];
  outputs: Record<string, { images: Array<{ filename: string; subfolder: string; type: string }> }>;
  status: { status_str: 'success' | 'error'; completed: boolean; messages: unknown[] };
  meta: Record<string, unknown>;
}

/** A modelled model: one value per representative UNet key, plus the text encoder's. */
interface ModelValue {
  unet: Record<string, number>;
  clip: number;
  /** Merge inputs of the architecture the last block merge node was for (rendering order). */
  inputs: string[];
}

/** One UNet key per block, named as real checkpoint keys are (without `diffusion_model.`). */
const keyOf = (input: string) => `${input}${input.endsWith('.') ? '' : '.'}0.weight`;
const UNET_KEYS = [...new Set([...SD1_MERGE_INPUTS, ...SDXL_MERGE_INPUTS].map(keyOf))];

export class FakeComfyUI {
  readonly faults: Faults = { prompt500: 0, promptMalformed: 0, promptDropConnection: 0, dropSocketDuringRun: 0, oom: 0, truncatedImage: 0, nonPngImage: 0 };
  /** Every workflow accepted, in order. */
  readonly received: ApiWorkflow[] = [];
  readonly history = new Map<string, HistoryEntry>();
  readonly files = new Map<string, Buffer>();
  /** Prompts executed (not counting rejected or deleted ones). */
  executed = 0;
  /** Milliseconds the worker spent executing prompts: the server's busy time, for utilization. */
  busyMs = 0;
  imageMs: number;
  promptMs: number;
  private readonly classes: Record<string, NodeClass>;
  private readonly sockets = new Map<string, WebSocket>();
  private readonly queue: QueueItem[] = [];
  private running: (QueueItem & { interrupted: boolean }) | undefined;
  private counter = 0;
  private server: Server | undefined;
  private wss: WebSocketServer | undefined;
  private workerBusy = false;
  port = 0;

  constructor(private readonly options: FakeComfyOptions = {}) {
    const checkpoints = options.checkpoints ?? ['a.safetensors', 'b.safetensors', 'c.safetensors'];
    this.classes = nodeClasses(checkpoints);
    for (const c of options.without ?? []) delete this.classes[c];
    this.imageMs = options.imageMs ?? 0;
    this.promptMs = options.promptMs ?? 0;
    this.port = options.port ?? 0;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.statusCode = 500;
        res.end(String(e));
      });
    });
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (this.options.refuseWebSocket) {
        socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
        return;
      }
      if (url.pathname !== '/ws' || !this.authorized(req)) {
        socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => {
        const sid = url.searchParams.get('clientId') ?? `sid-${++this.counter}`;
        this.sockets.set(sid, ws);
        ws.on('close', () => {
          if (this.sockets.get(sid) === ws) this.sockets.delete(sid);
        });
        ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queue.length } }, sid } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    this.wss = wss;
    return this;
  }

  /** Stops listening and drops every connection (a crashed server); start() brings it back on the same port. */
  async stop(): Promise<void> {
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    this.queue.length = 0;
    if (this.running) this.running.interrupted = true;
    this.wss?.close();
    const server = this.server;
    this.server = undefined;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Closes every client WebSocket, as a restarting proxy would. */
  dropSockets(): void {
    for (const ws of this.sockets.values()) ws.terminate();
  }

  private authorized(req: IncomingMessage): boolean {
    return this.options.authorization === undefined || req.headers.authorization === this.options.authorization;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const route = url.pathname.replace(/^\/api\//, '/');
    const body = req.method === 'POST' ? await readBody(req) : '';
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (!this.authorized(req)) return json(401, { error: 'unauthorized' });

    if (route === '/system_stats') {
      return json(200, {
        system: { os: 'posix', ram_total: 1, ram_free: 1, comfyui_version: '0.3.99-fake', python_version: '3.12', pytorch_version: '2.5', embedded_python: false, argv: ['main.py'] },
        devices: [{ name: 'cuda:0 Fake GPU', type: 'cuda', index: 0, vram_total: 1, vram_free: 1, torch_vram_total: 1, torch_vram_free: 1 }],
      });
    }
    if (route === '/object_info') return json(200, this.objectInfo());
    if (route === '/prompt' && req.method === 'POST') return this.postPrompt(body, req, res, json);
    if (route === '/prompt') return json(200, { exec_info: { queue_remaining: this.queue.length + (this.running ? 1 : 0) } });
    if (route.startsWith('/history/')) {
      const id = decodeURIComponent(route.slice('/history/'.length));
      const entry = this.history.get(id);
      return json(200, entry ? { [id]: entry } : {});
    }
    if (route === '/history' && req.method === 'POST') {
      const b = JSON.parse(body || '{}');
      if (b.clear) this.history.clear();
      for (const id of b.delete ?? []) this.history.delete(id);
      return json(200, {});
    }
    if (route === '/history') return json(200, Object.fromEntries(this.history));
    if (route === '/queue' && req.method === 'POST') {
      const b = JSON.parse(body || '{}');
      if (b.clear) this.queue.length = 0;
      for (const id of b.delete ?? []) {
        const i = this.queue.findIndex((q) => q.promptId === id);
        if (i >= 0) this.queue.splice(i, 1);
      }
      return json(200, {});
    }
    if (route === '/queue') {
      const row = (q: QueueItem) => [q.number, q.promptId, q.prompt, { client_id: q.clientId }, q.outputs];
      return json(200, { queue_running: this.running ? [row(this.running)] : [], queue_pending: this.queue.map(row) });
    }
    if (route === '/interrupt' && req.method === 'POST') {
      const b = body ? JSON.parse(body) : {};
      if (this.running && (b.prompt_id === undefined || b.prompt_id === this.running.promptId)) this.running.interrupted = true;
      return json(200, {});
    }
    if (route === '/view') {
      const filename = url.searchParams.get('filename') ?? '';
      if (filename.includes('..') || filename.startsWith('/')) return json(400, { error: 'invalid filename' });
      const key = `${url.searchParams.get('type') ?? 'output'}/${url.searchParams.get('subfolder') ?? ''}/${filename}`;
      const file = this.files.get(key);
      if (!file) {
        res.statusCode = 404;
        return void res.end();
      }
      res.writeHead(200, { 'content-type': 'image/png' });
      return void res.end(file);
    }
    res.statusCode = 404;
    res.end('404: Not Found');
  }

  private objectInfo(): Record<string, unknown> {
    const info: Record<string, unknown> = {};
    for (const [name, c] of Object.entries(this.classes)) {
      const required: Record<string, unknown> = {};
      for (const [input, spec] of Object.entries(c.required)) {
        if (Array.isArray(spec.type)) required[input] = this.options.comboStyle === 'combo' ? ['COMBO', { options: spec.type }] : [spec.type];
        else required[input] = spec.min === undefined ? [spec.type] : [spec.type, { default: 0, min: spec.min, max: spec.max, step: 0.01 }];
      }
      info[name] = {
        input: { required }, input_order: { required: Object.keys(required) }, output: c.output, output_is_list: c.output.map(() => false),
        output_name: c.output, name, display_name: name, description: '', python_module: 'nodes', category: 'fake', output_node: Boolean(c.outputNode),
      };
    }
    return info;
  }

  private postPrompt(body: string, req: IncomingMessage, res: ServerResponse, json: (s: number, v: unknown) => void): void {
    if (this.faults.promptDropConnection > 0) {
      this.faults.promptDropConnection--;
      req.socket.destroy();
      return;
    }
    if (this.faults.prompt500 > 0) {
      this.faults.prompt500--;
      res.statusCode = 500;
      return void res.end('500 Internal Server Error');
    }
    let parsed: { prompt?: ApiWorkflow; client_id?: string };
    try {
      parsed = JSON.parse(body);
    } catch {
      return json(400, { error: { type: 'invalid_prompt', message: 'Invalid JSON', details: '', extra_info: {} }, node_errors: {} });
    }
    if (!parsed.prompt) return json(400, { error: { type: 'no_prompt', message: 'No prompt provided', details: 'No prompt provided', extra_info: {} }, node_errors: {} });
    const result = this.validate(parsed.prompt);
    if (!result.ok) return json(400, { error: result.error, node_errors: result.nodeErrors });
    if (this.faults.promptMalformed > 0) {
      this.faults.promptMalformed--;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"prompt_id": "');
    }
    const promptId = createHash('sha256').update(`prompt-${++this.counter}-${this.port}`).digest('hex').slice(0, 32);
    const number = this.counter;
    this.received.push(parsed.prompt);
    this.queue.push({ number, promptId, prompt: parsed.prompt, clientId: parsed.client_id, outputs: result.outputs });
    this.broadcastStatus();
    json(200, { prompt_id: promptId, number, node_errors: {} });
    this.pump();
  }

  /** validate_prompt: class existence, outputs, then validate_inputs from every output. */
  private validate(prompt: ApiWorkflow): { ok: true; outputs: string[] } | { ok: false; error: unknown; nodeErrors: Record<string, unknown> } {
    const outputs: string[] = [];
    for (const [id, node] of Object.entries(prompt)) {
      if (!node || typeof node.class_type !== 'string') {
        return { ok: false, error: { type: 'invalid_prompt', message: 'Cannot execute because a node is missing the class_type property.', details: `Node ID '#${id}'`, extra_info: {} }, nodeErrors: {} };
      }
      const cls = this.classes[node.class_type];
      if (!cls) return { ok: false, error: { type: 'invalid_prompt', message: `Cannot execute because node ${node.class_type} does not exist.`, details: `Node ID '#${id}'`, extra_info: {} }, nodeErrors: {} };
      if (cls.outputNode) outputs.push(id);
    }
    if (outputs.length === 0) return { ok: false, error: { type: 'prompt_no_outputs', message: 'Prompt has no outputs', details: '', extra_info: {} }, nodeErrors: {} };
    const validated = new Map<string, unknown[]>();
    const visit = (id: string): boolean => {
      if (validated.has(id)) return validated.get(id)!.length === 0;
      const node = prompt[id];
      const cls = this.classes[node.class_type];
      const errors: unknown[] = [];
      let upstreamOk = true;
      for (const [name, spec] of Object.entries(cls.required)) {
        const extra = { input_name: name, input_config: [spec.type, { min: spec.min, max: spec.max }] };
        if (!(name in node.inputs)) {
          errors.push({ type: 'required_input_missing', message: 'Required input is missing', details: name, extra_info: { input_name: name } });
          continue;
        }
        const val = node.inputs[name];
        if (Array.isArray(val)) {
          const [src, slot] = val as [string, number];
          if (val.length !== 2 || !prompt[src]) {
            errors.push({ type: 'bad_linked_input', message: 'Bad linked input, must be a length-2 list of [node_id, slot_index]', details: name, extra_info: { ...extra, received_value: val } });
            continue;
          }
          const received = this.classes[prompt[src].class_type].output[slot];
          if (received !== spec.type) {
            errors.push({ type: 'return_type_mismatch', message: 'Return type mismatch between linked nodes', details: `${name}, ${received} != ${String(spec.type)}`, extra_info: { ...extra, received_type: received, linked_node: val } });
            continue;
          }
          if (!visit(src)) upstreamOk = false;
          continue;
        }
        if (Array.isArray(spec.type)) {
          if (!spec.type.includes(val as string)) {
            const list = spec.type.length > 20 ? `(list of length ${spec.type.length})` : JSON.stringify(spec.type);
            errors.push({ type: 'value_not_in_list', message: 'Value not in list', details: `${name}: '${String(val)}' not in ${list}`, extra_info: { ...extra, received_value: val } });
          }
          continue;
        }
        if (spec.type === 'INT' || spec.type === 'FLOAT') {
          const n = Number(val);
          if (typeof val === 'boolean' || !Number.isFinite(n) || (spec.type === 'INT' && !Number.isInteger(n))) {
            errors.push({ type: 'invalid_input_type', message: `Failed to convert an input value to a ${spec.type} value`, details: `${name}, ${String(val)}`, extra_info: { ...extra, received_value: val } });
            continue;
          }
          if (spec.min !== undefined && n < spec.min) {
            errors.push({ type: 'value_smaller_than_min', message: `Value ${n} smaller than min of ${spec.min}`, details: name, extra_info: { ...extra, received_value: val } });
          } else if (spec.max !== undefined && n > spec.max) {
            errors.push({ type: 'value_bigger_than_max', message: `Value ${n} bigger than max of ${spec.max}`, details: name, extra_info: { ...extra, received_value: val } });
          }
        }
      }
      validated.set(id, errors);
      return errors.length === 0 && upstreamOk;
    };
    const failed = outputs.filter((o) => !visit(o));
    const nodeErrors: Record<string, unknown> = {};
    for (const [id, errors] of validated) {
      if (errors.length > 0) nodeErrors[id] = { errors, dependent_outputs: failed, class_type: prompt[id].class_type };
    }
    if (failed.length === outputs.length) {
      const details = [...validated.values()].flat().map((e) => `${(e as { message: string }).message}: ${(e as { details: string }).details}`).join('\n');
      return { ok: false, error: { type: 'prompt_outputs_failed_validation', message: 'Prompt outputs failed validation', details, extra_info: {} }, nodeErrors };
    }
    return { ok: true, outputs: outputs.filter((o) => !failed.includes(o)) };
  }

  private send(clientId: string | undefined, type: string, data: Record<string, unknown>): void {
    const ws = clientId === undefined ? undefined : this.sockets.get(clientId);
    if (ws?.readyState === 1) ws.send(JSON.stringify({ type, data }));
  }

  private broadcastStatus(): void {
    for (const ws of this.sockets.values()) {
      if (ws.readyState === 1) ws.send(JSON.stringify({ type: 'status', data: { status: { exec_info: { queue_remaining: this.queue.length + (this.running ? 1 : 0) } } } }));
    }
  }

  private pump(): void {
    if (this.workerBusy) return;
    const item = this.queue.shift();
    if (!item) return;
    this.workerBusy = true;
    const started = performance.now();
    this.execute(item).finally(() => {
      this.busyMs += performance.now() - started;
      this.workerBusy = false;
      this.running = undefined;
      this.broadcastStatus();
      this.pump();
    });
  }

  private async execute(item: QueueItem): Promise<void> {
    const run = { ...item, interrupted: false };
    this.running = run;
    const { promptId, prompt, clientId } = item;
    const send = (type: string, data: Record<string, unknown>) => this.send(clientId, type, { ...data, prompt_id: promptId });
    const messages: unknown[] = [];
    const outputs: HistoryEntry['outputs'] = {};
    const finish = (status: 'success' | 'error') => {
      this.history.set(promptId, {
        prompt: [item.number, promptId, prompt, { client_id: clientId }, item.outputs],
        outputs,
        status: { status_str: status, completed: status === 'success', messages },
        meta: Object.fromEntries(Object.keys(outputs).map((n) => [n, { node_id: n, display_node: n, parent_node: null, real_node_id: n }])),
      });
      send('executing', { node: null });
    };
    send('execution_start', { timestamp: Date.now() });
    messages.push(['execution_start', { prompt_id: promptId }]);
    send('execution_cached', { nodes: [] });
    const values = new Map<string, unknown>();
    const order = topologicalOrder(prompt, item.outputs);
    for (const id of order) {
      if (run.interrupted) {
        send('execution_interrupted', { node_id: id, node_type: prompt[id].class_type, executed: [] });
        return finish('error');
      }
      const node = prompt[id];
      send('executing', { node: id, display_node: id });
      const input = (name: string) => {
        const v = node.inputs[name];
        return Array.isArray(v) ? (values.get(v[0] as string) as unknown[])[v[1] as number] : v;
      };
      switch (node.class_type) {
        case 'CheckpointLoaderSimple': {
          const v = this.checkpointValue(String(node.inputs.ckpt_name));
          values.set(id, [{ unet: Object.fromEntries(UNET_KEYS.map((k) => [k, v])), clip: v, inputs: SD1_MERGE_INPUTS }, { clip: v }, {}]);
          break;
        }
        case 'ModelMergeSD1':
        case 'ModelMergeSDXL':
        case 'ModelMergeSimple': {
          const m1 = input('model1') as ModelValue;
          const m2 = input('model2') as ModelValue;
          const names = Object.keys(this.classes[node.class_type].required).filter((n) => !n.startsWith('model'));
          const unet: Record<string, number> = {};
          for (const k of Object.keys(m1.unet)) {
            // ModelMergeBlocks: the longest input name prefixing the key, else the first input's ratio.
            const ratio = Number(node.inputs[longestPrefix(k, names) ?? names[0]]);
            unet[k] = ratio * m1.unet[k] + (1 - ratio) * m2.unet[k];
          }
          const inputs = node.class_type === 'ModelMergeSDXL' ? SDXL_MERGE_INPUTS : node.class_type === 'ModelMergeSD1' ? SD1_MERGE_INPUTS : m1.inputs;
          values.set(id, [{ unet, clip: m1.clip, inputs }]);
          break;
        }
        case 'ModelMergeSubtract':
        case 'ModelMergeAdd': {
          const m1 = input('model1') as ModelValue;
          const m2 = input('model2') as ModelValue;
          const mult = node.class_type === 'ModelMergeAdd' ? 1 : Number(node.inputs.multiplier);
          const sign = node.class_type === 'ModelMergeAdd' ? 1 : -1;
          const strengthModel = node.class_type === 'ModelMergeAdd' ? 1 : mult;
          values.set(id, [{ unet: Object.fromEntries(Object.keys(m1.unet).map((k) => [k, strengthModel * m1.unet[k] + sign * mult * m2.unet[k]])), clip: m1.clip, inputs: m1.inputs }]);
          break;
        }
        case 'CLIPMergeSimple': {
          const c1 = input('clip1') as { clip: number };
          const c2 = input('clip2') as { clip: number };
          const ratio = Number(node.inputs.ratio);
          values.set(id, [{ clip: ratio * c1.clip + (1 - ratio) * c2.clip }]);
          break;
        }
        case 'CLIPMergeSubtract':
        case 'CLIPMergeAdd': {
          const c1 = input('clip1') as { clip: number };
          const c2 = input('clip2') as { clip: number };
          const add = node.class_type === 'CLIPMergeAdd';
          const mult = add ? 1 : Number(node.inputs.multiplier);
          values.set(id, [{ clip: (add ? 1 : mult) * c1.clip + (add ? 1 : -mult) * c2.clip }]);
          break;
        }
        case 'CLIPTextEncode':
          values.set(id, [{ text: String(node.inputs.text), clip: (input('clip') as { clip: number }).clip }]);
          break;
        case 'EmptyLatentImage':
          values.set(id, [{ width: Number(node.inputs.width), height: Number(node.inputs.height), batch: Number(node.inputs.batch_size) }]);
          break;
        case 'KSampler': {
          const latent = input('latent_image') as { width: number; height: number; batch: number };
          if (this.faults.oom > 0) {
            this.faults.oom--;
            const error = { node_id: id, node_type: 'KSampler', executed: [], exception_message: 'CUDA out of memory. Tried to allocate 2.00 GiB', exception_type: 'torch.OutOfMemoryError', traceback: ['  File "execution.py"'], current_inputs: {}, current_outputs: [] };
            send('execution_error', error);
            messages.push(['execution_error', { ...error, prompt_id: promptId }]);
            return finish('error');
          }
          const steps = Math.min(3, Number(node.inputs.steps));
          for (let s = 1; s <= steps; s++) send('progress', { value: s, max: steps, node: id });
          await sleep(this.promptMs + this.imageMs * latent.batch);
          values.set(id, [{ ...latent, model: input('model'), positive: input('positive'), seed: Number(node.inputs.seed) }]);
          break;
        }
        case 'VAEDecode':
          values.set(id, [this.render(input('samples') as RenderInput)]);
          break;
        case 'SaveImageWebsocket': {
          const images = input('images') as Buffer[];
          if (this.faults.dropSocketDuringRun > 0) {
            this.faults.dropSocketDuringRun--;
            this.sockets.get(clientId ?? '')?.terminate();
          }
          images.forEach((png, i) => {
            send('progress', { value: i, max: images.length, node: id });
            const ws = this.sockets.get(clientId ?? '');
            if (ws?.readyState === 1) ws.send(Buffer.concat([u32(1), u32(2), this.corrupt(png)]));
          });
          break;
        }
        case 'PreviewImage':
        case 'SaveImage': {
          const images = input('images') as Buffer[];
          const type = node.class_type === 'PreviewImage' ? 'temp' : 'output';
          const refs = images.map((png, i) => {
            const filename = `ComfyUI_${type}_${promptId.slice(0, 8)}_${String(i + 1).padStart(5, '0')}_.png`;
            this.files.set(`${type}//${filename}`, this.corrupt(png));
            return { filename, subfolder: '', type };
          });
          outputs[id] = { images: refs };
          send('executed', { node: id, display_node: id, output: { images: refs } });
          break;
        }
      }
    }
    this.executed++;
    send('execution_success', {});
    messages.push(['execution_success', { prompt_id: promptId }]);
    finish('success');
  }

  private checkpointValue(name: string): number {
    const given = this.options.checkpointValues?.[name];
    if (given !== undefined) return given;
    return createHash('sha256').update(name).digest()[0] / 255;
  }

  private corrupt(png: Buffer): Buffer {
    if (this.faults.truncatedImage > 0) {
      this.faults.truncatedImage--;
      return png.subarray(0, Math.floor(png.length / 2));
    }
    if (this.faults.nonPngImage > 0) {
      this.faults.nonPngImage--;
      return Buffer.from('<html>502 Bad Gateway</html>');
    }
    return png;
  }

  /**
   * One PNG per batch item: column band i shows merge input i's value (red, 0..1 → 0..255), in
   * the order of the architecture's merge inputs; green carries the text encoder's value, blue
   * the seed and batch index. The values also ride in a `fake:unet` text chunk for exact checks.
   */
  private render(r: RenderInput): Buffer[] {
    const inputs = r.model.inputs;
    const shown = Object.fromEntries(inputs.map((n) => [n, r.model.unet[keyOf(n)]]));
    return Array.from({ length: r.batch }, (_, b) => {
      const rgb = new Uint8Array(r.width * r.height * 3);
      for (let y = 0; y < r.height; y++) {
        for (let x = 0; x < r.width; x++) {
          const band = Math.min(inputs.length - 1, Math.floor((x * inputs.length) / r.width));
          const o = (y * r.width + x) * 3;
          rgb[o] = clampByte(shown[inputs[band]] * 255);
          rgb[o + 1] = clampByte(r.positive.clip * 255);
          rgb[o + 2] = (r.seed + b) % 256;
        }
      }
      return encodePng(r.width, r.height, rgb, { 'fake:unet': JSON.stringify(shown), 'fake:clip': String(r.positive.clip), 'fake:text': r.positive.text });
    });
  }
}

interface RenderInput {
  width: number;
  height: number;
  batch: number;
  seed: number;
  model: ModelValue;
  positive: { text: string; clip: number };
}

/** ModelMergeBlocks: the longest input name that prefixes the key wins. */
function longestPrefix(key: string, names: string[]): string | undefined {
  let best: string | undefined;
  for (const n of names) if (key.startsWith(n) && n.length > (best?.length ?? 0)) best = n;
  return best;
}

function topologicalOrder(prompt: ApiWorkflow, outputs: string[]): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string) => {
    if (seen.has(id)) return;
    seen.add(id);
    for (const v of Object.values(prompt[id].inputs)) if (Array.isArray(v) && typeof v[0] === 'string') visit(v[0]);
    order.push(id);
  };
  outputs.forEach(visit);
  return order;
}

function clampByte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n, 0);
  return b;
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

