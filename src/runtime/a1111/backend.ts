import { access, constants, rm } from 'node:fs/promises';
import path from 'node:path';
import { mergeCheckpoints } from '../../merge/merge.js';
import type { OutputDtype } from '../../merge/dtype.js';
import type { MethodOptions } from '../../merge/methods/types.js';
import type { BlockPreset } from '../../space/presets.js';
import { closest } from '../../util/suggest.js';
import type { JsonValue } from '../../util/json.js';
import type { Backend, Endpoint, RenderJob } from '../backend.js';
import { BackendError } from '../errors.js';
import type { Payload } from '../payloads/types.js';
import { A1111Client } from './client.js';
import { a1111Sampler, a1111Scheduler } from './samplers.js';

/** Version of how recipes become files here: bump when a change alters the images, to retire cached scores. */
const MERGE_VERSION = 1;

export interface A1111BackendConfig {
  preset: BlockPreset;
  method: 'weighted-sum' | 'add-difference' | 'ties' | 'dare';
  methodOptions: Partial<MethodOptions>;
  mergeSeed: number;
  /** Absolute checkpoint paths on this machine. */
  models: { a: string; b: string; c?: string };
  sha256: { a: string; b: string; c?: string };
  precision: OutputDtype;
  payloads: readonly Payload[];
  requestTimeoutMs: number;
  /** Bound on one txt2img call (the evaluation's own timeout also applies). */
  generationTimeoutMs: number;
  /** Where start-up warnings go (the run's progress output). */
  log: (line: string) => void;
}

let fileCounter = 0;

/**
 * AUTOMATIC1111 / Forge: the web UI has no merge route, so each recipe is merged here by the
 * merge engine into the server's checkpoint directory (`models_dir`, ideally a tmpfs), the UI
 * is told to rescan, every payload is generated with that checkpoint through
 * `override_settings`, and the file is deleted. Merging runs outside the endpoint's lock, so with
 * concurrency 2 the next recipe is merged while the GPU renders the current one, without two
 * recipes alternating on the GPU (each switch reloads a checkpoint).
 */
export class A1111Backend implements Backend {
  readonly kind = 'a1111';
  readonly identity: JsonValue;
  private readonly locks = new Map<Endpoint, Promise<unknown>>();

  constructor(private readonly config: A1111BackendConfig) {
    this.identity = { kind: 'a1111', merge: MERGE_VERSION, precision: config.precision };
  }

  private client(endpoint: Endpoint): A1111Client {
    return new A1111Client(endpoint, this.config.requestTimeoutMs);
  }

  async prepare(endpoint: Endpoint, signal: AbortSignal): Promise<string[]> {
    const client = this.client(endpoint);
    await client.progress(signal);
    const problems: string[] = [];
    const dir = endpoint.modelsDir;
    if (dir === undefined) problems.push(`${endpoint.url}: no models_dir (runtime.a1111.models_dir or the endpoint's models_dir)`);
    else {
      try {
        await access(dir, constants.W_OK);
      } catch {
        problems.push(`${endpoint.url}: models_dir ${dir} is not a writable directory on this machine`);
      }
    }
    const samplers = await client.samplers(signal);
    for (const s of new Set(this.config.payloads.map((p) => a1111Sampler(p.sampler)))) {
      if (samplers.length > 0 && !samplers.includes(s)) {
        const hint = closest(s, samplers);
        problems.push(`${endpoint.url} has no sampler "${s}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      }
    }
    const schedulers = await client.schedulers(signal);
    const wanted = [...new Set(this.config.payloads.map((p) => a1111Scheduler(p.scheduler)))];
    if (schedulers === undefined) {
      // Builds before 1.9.0 drop the unknown `scheduler` field without a word; 1.9.0 takes it but cannot list its choices.
      this.config.log(
        `warning: ${endpoint.url} has no /sdapi/v1/schedulers (A1111 before 1.9.1): if it is older than 1.9.0 it ignores the payloads' scheduler (${wanted.join(', ')}) and each sampler uses its own schedule; to choose one there, name it in the sampler label (sampler: "DPM++ 2M Karras")`,
      );
    } else {
      for (const s of wanted) if (!schedulers.includes(s)) problems.push(`${endpoint.url} has no scheduler "${s}"; it offers ${schedulers.join(', ')}`);
    }
    return problems;
  }

  health(endpoint: Endpoint, signal: AbortSignal): Promise<void> {
    return this.client(endpoint).progress(signal);
  }

  async render(endpoint: Endpoint, job: RenderJob, signal: AbortSignal, onImages: (index: number, images: Buffer[]) => void): Promise<void> {
    const dir = endpoint.modelsDir!;
    const file = path.join(dir, `autombw-${process.pid}-${++fileCounter}.safetensors`);
    try {
      await this.merge(job, file, signal);
      await this.exclusive(endpoint, async () => {
        const client = this.client(endpoint);
        await client.refreshCheckpoints(signal);
        const models = await client.sdModels(signal);
        const title = models.find((m) => path.basename(m.filename) === path.basename(file))?.title;
        if (title === undefined) {
          throw new BackendError(`${endpoint.url} does not list ${path.basename(file)} after a rescan; is ${dir} the web UI's checkpoint directory (or inside it)?`, 'rejected');
        }
        for (const { index, payload } of job.payloads) {
          const images = await client.txt2img(payload, title, signal, this.config.generationTimeoutMs);
          if (images.length !== payload.images) {
            throw new BackendError(`${endpoint.url}: payload ${payload.name} returned ${images.length} image(s), expected ${payload.images}`, 'transient');
          }
          onImages(index, images);
        }
      });
    } finally {
      await rm(file, { force: true });
    }
  }

  private async merge(job: RenderJob, output: string, signal: AbortSignal): Promise<void> {
    const c = this.config;
    try {
      await mergeCheckpoints({
        method: c.method,
        weights: job.weights,
        preset: c.preset.id,
        seed: c.mergeSeed,
        options: c.methodOptions,
        models: c.models,
        output,
        dtype: c.precision,
        overwrite: true,
        provenance: { sha256: c.sha256 },
        signal,
      });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new BackendError(`merging recipe ${job.trial} into ${output} failed: ${(e as Error).message}`, 'rejected');
    }
  }

  /** Runs `work` alone on the endpoint: one recipe's payloads at a time on its GPU. */
  private exclusive(endpoint: Endpoint, work: () => Promise<void>): Promise<void> {
    const previous = this.locks.get(endpoint) ?? Promise.resolve();
    const run = previous.then(work, work);
    this.locks.set(endpoint, run.catch(() => undefined));
    return run;
  }

  async close(): Promise<void> {}
}
