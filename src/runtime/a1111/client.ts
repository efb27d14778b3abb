import type { Endpoint } from '../backend.js';
import { BackendError, snippet } from '../errors.js';
import { authHint, httpRequest, jsonReply, type HttpReply } from '../http.js';
import { isPlainObject } from '../../util/json.js';
import type { Payload } from '../payloads/types.js';
import { pngFromReply } from './png-reply.js';
import { a1111Sampler, a1111Scheduler } from './samplers.js';

/** An entry of GET /sdapi/v1/sd-models. */
export interface SdModel {
  title: string;
  model_name: string;
  filename: string;
}

/**
 * The few routes of the AUTOMATIC1111 / Forge API (`--api`) the backend uses. Errors come back
 * as 422 `{detail}` (validation) or 500 `{error, detail, ...}`; a CUDA out-of-memory is a 500
 * whose text names it.
 */
export class A1111Client {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly requestTimeoutMs: number,
  ) {}

  get url(): string {
    return this.endpoint.url;
  }

  private async call(route: string, signal: AbortSignal, body?: unknown, timeoutMs = this.requestTimeoutMs): Promise<unknown> {
    const url = `${this.endpoint.url}${route}`;
    return this.judge(url, await httpRequest(url, { json: body, method: body === undefined ? 'GET' : 'POST', headers: this.endpoint.headers, signal, timeoutMs }));
  }

  private judge(url: string, reply: HttpReply): unknown {
    const text = reply.body.toString('utf8');
    if (reply.status >= 500 && /OutOfMemory|out of memory/i.test(text)) throw new BackendError(`${url} ran out of GPU memory: ${snippet(text, 200)}`, 'oom');
    if (reply.status === 404) throw new BackendError(`${url}: not found (start the web UI with --api)`, 'rejected');
    if (reply.status === 422) throw new BackendError(`${url} refused the request: ${snippet(text)}`, 'rejected');
    if (reply.status >= 400 && reply.status < 500) throw new BackendError(`${url}: HTTP ${reply.status}${authHint(reply.status)}: ${snippet(text)}`, 'rejected');
    return jsonReply(url, reply);
  }

  /** Cheap liveness check. */
  async progress(signal: AbortSignal): Promise<void> {
    const p = await this.call('/sdapi/v1/progress?skip_current_image=true', signal);
    if (!isPlainObject(p) || !('progress' in p)) throw new BackendError(`${this.url}/sdapi/v1/progress: not an A1111 API reply`, 'rejected');
  }

  async samplers(signal: AbortSignal): Promise<string[]> {
    const list = await this.call('/sdapi/v1/samplers', signal);
    return Array.isArray(list) ? list.filter(isPlainObject).flatMap((s) => [String(s.name), ...(Array.isArray(s.aliases) ? s.aliases.map(String) : [])]) : [];
  }

  /** Scheduler names and labels; undefined where the route is missing (404: builds before 1.9.1). */
  async schedulers(signal: AbortSignal): Promise<string[] | undefined> {
    const url = `${this.endpoint.url}/sdapi/v1/schedulers`;
    const reply = await httpRequest(url, { headers: this.endpoint.headers, signal, timeoutMs: this.requestTimeoutMs });
    if (reply.status === 404) return undefined;
    const list = this.judge(url, reply);
    if (!Array.isArray(list)) throw new BackendError(`${url}: expected a list`, 'transient');
    return list.filter(isPlainObject).flatMap((s) => [String(s.name), String(s.label)]);
  }

  async refreshCheckpoints(signal: AbortSignal): Promise<void> {
    await this.call('/sdapi/v1/refresh-checkpoints', signal, {});
  }

  async sdModels(signal: AbortSignal): Promise<SdModel[]> {
    const list = await this.call('/sdapi/v1/sd-models', signal);
    if (!Array.isArray(list)) throw new BackendError(`${this.url}/sdapi/v1/sd-models: expected a list`, 'transient');
    return list.filter(isPlainObject).map((m) => ({ title: String(m.title), model_name: String(m.model_name), filename: String(m.filename) }));
  }

  /**
   * One batch of `payload.images` with checkpoint `title`; the checkpoint stays loaded
   * afterwards (no restore), since the next payload of the recipe wants it too.
   */
  async txt2img(payload: Payload, title: string, signal: AbortSignal, timeoutMs: number): Promise<Buffer[]> {
    const body = {
      prompt: payload.prompt,
      negative_prompt: payload.negative,
      seed: payload.seed,
      sampler_name: a1111Sampler(payload.sampler),
      scheduler: a1111Scheduler(payload.scheduler),
      steps: payload.steps,
      cfg_scale: payload.cfg,
      width: payload.width,
      height: payload.height,
      batch_size: payload.images,
      n_iter: 1,
      // The web UI encodes the reply's images in samples_format after the generation; the
      // override is still in force then only because it is not restored afterwards.
      override_settings: { sd_model_checkpoint: title, samples_format: 'png' },
      override_settings_restore_afterwards: false,
      send_images: true,
      save_images: false,
    };
    const reply = await this.call('/sdapi/v1/txt2img', signal, body, timeoutMs);
    if (!isPlainObject(reply) || !Array.isArray(reply.images)) throw new BackendError(`${this.url}/sdapi/v1/txt2img: no images in the reply`, 'transient');
    const images = reply.images.map((b64) => Buffer.from(String(b64).replace(/^data:image\/\w+;base64,/, ''), 'base64'));
    // Builds that return a grid put it first.
    const batch = images.length === payload.images + 1 ? images.slice(1) : images;
    return Promise.all(batch.map((image, i) => pngFromReply(image, `${this.url}/sdapi/v1/txt2img: payload ${payload.name}, image ${i}`)));
  }
}
