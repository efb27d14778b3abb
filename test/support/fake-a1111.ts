import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import sharp from 'sharp';
import { decodeFloats, isFloatDtype } from '../../src/merge/dtype.js';
import { SafetensorsReader } from '../../src/merge/safetensors/reader.js';
import { encodePng } from '../../src/runtime/png.js';
import { SD1_MERGE_INPUTS } from './fake-comfyui.js';
import { readBody } from './http.js';

/**
 * An AUTOMATIC1111 web UI for tests, faithful to the `--api` routes autombw uses: it lists the
 * checkpoints of its models directory after POST /sdapi/v1/refresh-checkpoints (titles
 * "name.safetensors [hash10]"), validates txt2img bodies (422 with FastAPI-style `detail`,
 * 404 "Sampler not found"), loads the checkpoint named in override_settings and renders from its
 * tensors: each image shows the mean value of every SD1 block of the merged file, so a test sees
 * the merge engine's output arrive. `override_settings` change the server's settings for the
 * request, and are put back after the generation unless `override_settings_restore_afterwards`
 * is false; the images are then encoded in the `samples_format` setting in force (PNG, JPEG or
 * WebP), as base64, with `info` as a JSON string.
 */

export interface A1111Faults {
  /** txt2img answers 500. */
  txt2img500: number;
  /** txt2img fails with a CUDA out-of-memory error (500). */
  oom: number;
  /** txt2img answers 200 with a body that is not JSON. */
  malformed: number;
  /** txt2img returns a truncated PNG. */
  truncatedImage: number;
}

export interface FakeA1111Options {
  modelsDir: string;
  samplers?: string[];
  schedulers?: string[];
  /** A build before 1.9.1, which has no GET /sdapi/v1/schedulers (404). */
  withoutSchedulersRoute?: boolean;
  /** Return a grid image first, as old builds do for batches. */
  grid?: boolean;
  authorization?: string;
  imageMs?: number;
  /** The web UI's `samples_format` setting: png (A1111's default), jpg, jpeg or webp. */
  samplesFormat?: string;
  /** Settings an override cannot change (opts.set refuses restricted ones and goes on silently). */
  refusedOverrides?: string[];
}

interface Listed {
  title: string;
  model_name: string;
  hash: string;
  sha256: string;
  filename: string;
  config: null;
}

export class FakeA1111 {
  readonly faults: A1111Faults = { txt2img500: 0, oom: 0, malformed: 0, truncatedImage: 0 };
  /** Every txt2img body received. */
  readonly requests: Array<Record<string, unknown>> = [];
  /** Checkpoint files loaded, in order (a reload happens whenever the model changes). */
  readonly loads: string[] = [];
  /** The server's settings (opts), as overrides leave them. */
  settings: Record<string, unknown>;
  /** Every image sent, decoded from base64. */
  readonly sent: Buffer[] = [];
  private listed: Listed[] = [];
  private loaded: { title: string; values: Record<string, number> } | undefined;
  private server: Server | undefined;
  private busy: Promise<unknown> = Promise.resolve();
  port = 0;

  constructor(private readonly options: FakeA1111Options) {
    this.settings = { samples_format: options.samplesFormat ?? 'png' };
    this.scan();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'Exception', detail: String(e), body: '', errors: '' }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  /** Stops listening and drops every connection (a crashed server); start() brings it back on the same port. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private scan(): void {
    this.listed = readdirSync(this.options.modelsDir)
      .filter((f) => f.endsWith('.safetensors'))
      .map((f) => {
        const filename = path.join(this.options.modelsDir, f);
        const sha256 = createHash('sha256').update(readFileSync(filename)).digest('hex');
        return { title: `${f} [${sha256.slice(0, 10)}]`, model_name: f.replace(/\.safetensors$/, ''), hash: sha256.slice(0, 8), sha256, filename, config: null };
      });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const body = req.method === 'POST' ? await readBody(req) : '';
    const json = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (this.options.authorization !== undefined && req.headers.authorization !== this.options.authorization) return json(401, { detail: 'Incorrect username or password' });
    switch (url.pathname) {
      case '/sdapi/v1/progress':
        return json(200, { progress: 0, eta_relative: 0, state: { job_count: 0 }, current_image: null, textinfo: null });
      case '/sdapi/v1/samplers':
        return json(200, (this.options.samplers ?? ['Euler a', 'Euler', 'DPM++ 2M', 'DDIM']).map((name) => ({ name, aliases: [], options: {} })));
      case '/sdapi/v1/schedulers':
        if (this.options.withoutSchedulersRoute) return json(404, { detail: 'Not Found' });
        return json(200, (this.options.schedulers ?? ['automatic', 'karras', 'normal', 'simple']).map((name) => ({ name, label: name[0].toUpperCase() + name.slice(1), aliases: null })));
      case '/sdapi/v1/refresh-checkpoints':
        this.scan();
        return json(200, null);
      case '/sdapi/v1/sd-models':
        return json(200, this.listed);
      case '/sdapi/v1/txt2img': {
        const run = this.busy.then(() => this.txt2img(JSON.parse(body), res, json));
        this.busy = run.catch(() => undefined);
        return run;
      }
      default:
        return json(404, { detail: 'Not Found' });
    }
  }

  private async txt2img(b: Record<string, unknown>, res: ServerResponse, json: (s: number, v: unknown) => void): Promise<void> {
    this.requests.push(b);
    const invalid = (['steps', 'width', 'height', 'batch_size', 'seed'] as const).find((k) => b[k] !== undefined && !Number.isInteger(b[k]));
    if (invalid) return json(422, { detail: [{ loc: ['body', invalid], msg: 'value is not a valid integer', type: 'type_error.integer' }] });
    const samplers = this.options.samplers ?? ['Euler a', 'Euler', 'DPM++ 2M', 'DDIM'];
    if (!samplers.includes(String(b.sampler_name))) return json(404, { detail: 'Sampler not found' });
    if (this.faults.txt2img500 > 0) {
      this.faults.txt2img500--;
      return json(500, { error: 'RuntimeError', detail: 'something broke', body: '', errors: '' });
    }
    if (this.faults.oom > 0) {
      this.faults.oom--;
      return json(500, { error: 'OutOfMemoryError', detail: 'CUDA out of memory. Tried to allocate 1.00 GiB', body: '', errors: '' });
    }
    const overrides = (b.override_settings ?? {}) as Record<string, unknown>;
    const wanted = String(overrides.sd_model_checkpoint ?? '');
    const entry = this.listed.find((m) => m.title === wanted || m.model_name === wanted);
    if (!entry) return json(500, { error: 'RuntimeError', detail: `checkpoint ${wanted} not found`, body: '', errors: '' });
    if (this.loaded?.title !== entry.title) {
      this.loaded = { title: entry.title, values: await blockMeans(entry.filename) };
      this.loads.push(path.basename(entry.filename));
    }
    if (this.options.imageMs) await new Promise((r) => setTimeout(r, this.options.imageMs! * Number(b.batch_size ?? 1)));
    if (this.faults.malformed > 0) {
      this.faults.malformed--;
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end('{"images": ["iVBOR');
    }
    const batch = Number(b.batch_size ?? 1);
    const seed = Number(b.seed ?? 0);
    const stored = { ...this.settings };
    for (const [k, v] of Object.entries(overrides)) if (!this.options.refusedOverrides?.includes(k)) this.settings[k] = v;
    const pictures = Array.from({ length: batch }, (_, i) => render(this.loaded!.values, seed + i, Number(b.width ?? 64), Number(b.height ?? 64)));
    if (this.options.grid && batch > 1) pictures.unshift(render({}, 0, 8, 8));
    // process_images puts the settings back before the API encodes the images.
    if (b.override_settings_restore_afterwards !== false) this.settings = stored;
    const format = String(this.settings.samples_format).toLowerCase();
    if (!['png', 'jpg', 'jpeg', 'webp'].includes(format)) return json(500, { error: 'HTTPException', detail: 'Invalid image format', body: '', errors: '' });
    const images: string[] = [];
    for (const picture of pictures) {
      let bytes = await encode(picture, format);
      if (this.faults.truncatedImage > 0) {
        this.faults.truncatedImage--;
        bytes = bytes.subarray(0, bytes.length >> 1);
      }
      this.sent.push(bytes);
      images.push(bytes.toString('base64'));
    }
    json(200, {
      images,
      parameters: b,
      info: JSON.stringify({ prompt: b.prompt, all_prompts: images.map(() => b.prompt), seed, all_seeds: Array.from({ length: batch }, (_, i) => seed + i), sd_model_name: entry.model_name }),
    });
  }
}

/** Mean of every SD1 merge input's tensors in a checkpoint file. */
async function blockMeans(file: string): Promise<Record<string, number>> {
  const reader = await SafetensorsReader.open(file);
  try {
    const sums: Record<string, { total: number; count: number }> = {};
    for (const entry of reader.tensors) {
      if (!isFloatDtype(entry.dtype) || !entry.name.startsWith('model.diffusion_model.')) continue;
      const rest = entry.name.slice('model.diffusion_model.'.length);
      const input = SD1_MERGE_INPUTS.filter((n) => rest.startsWith(n)).sort((x, y) => y.length - x.length)[0];
      if (input === undefined) continue;
      const values = new Float32Array(entry.shape.reduce((n, d) => n * d, 1));
      decodeFloats(await reader.read(entry), entry.dtype, values);
      const s = (sums[input] ??= { total: 0, count: 0 });
      for (const v of values) s.total += v;
      s.count += values.length;
    }
    return Object.fromEntries(Object.entries(sums).map(([k, s]) => [k, s.total / s.count]));
  } finally {
    await reader.close();
  }
}

interface Picture {
  width: number;
  height: number;
  rgb: Uint8Array;
  values: Record<string, number>;
}

function render(values: Record<string, number>, seed: number, width: number, height: number): Picture {
  const rgb = new Uint8Array(width * height * 3);
  for (let x = 0; x < width; x++) {
    const input = SD1_MERGE_INPUTS[Math.min(SD1_MERGE_INPUTS.length - 1, Math.floor((x * SD1_MERGE_INPUTS.length) / width))];
    const v = Math.max(0, Math.min(255, Math.round((values[input] ?? 0) * 255)));
    for (let y = 0; y < height; y++) rgb.set([v, seed % 256, 128], (y * width + x) * 3);
  }
  return { width, height, rgb, values };
}

/** As encode_pil_to_base64 saves it: PNG with text chunks; JPEG and WebP without them (A1111 puts the infotext in EXIF). */
function encode(p: Picture, format: string): Promise<Buffer> {
  if (format === 'png') return Promise.resolve(encodePng(p.width, p.height, p.rgb, { 'fake:unet': JSON.stringify(p.values) }));
  const image = sharp(Buffer.from(p.rgb), { raw: { width: p.width, height: p.height, channels: 3 } });
  return (format === 'webp' ? image.webp({ quality: 80 }) : image.jpeg({ quality: 80 })).toBuffer();
}

