import { mergeTensors } from '../../merge/memory.js';
import type { MethodOptions } from '../../merge/methods/types.js';
import type { BlockPreset } from '../../space/presets.js';
import type { JsonValue } from '../../util/json.js';
import type { Backend, Endpoint, RenderJob } from '../backend.js';
import { BackendError } from '../errors.js';
import { demoModels } from './models.js';
import { DEMO_LOOK_VERSION, demoLook, renderDemo } from './render.js';

export interface DemoBackendConfig {
  preset: BlockPreset;
  method: 'weighted-sum' | 'add-difference' | 'ties' | 'dare';
  methodOptions: Partial<MethodOptions>;
  mergeSeed: number;
  /** Edge of the images in pixels. */
  size: number;
}

/** The demo's one "server": the process itself. */
export const DEMO_ENDPOINT_URL = 'demo:local';

/**
 * The embedded CPU backend: the demo checkpoints (models.ts) merged in memory by the real merge
 * engine, rendered by the toy generator (render.ts). No GPU, no download, a few milliseconds
 * per image.
 */
export class DemoBackend implements Backend {
  readonly kind = 'demo';
  readonly identity: JsonValue;

  constructor(private readonly config: DemoBackendConfig) {
    this.identity = { kind: 'demo', look: DEMO_LOOK_VERSION, size: config.size };
  }

  async prepare(): Promise<string[]> {
    return [];
  }

  async health(): Promise<void> {}

  async render(_endpoint: Endpoint, job: RenderJob, signal: AbortSignal, onImages: (index: number, images: Buffer[]) => void): Promise<void> {
    const { tensors } = demoModels();
    let merged;
    try {
      ({ tensors: merged } = mergeTensors({
        method: this.config.method,
        weights: job.weights,
        preset: this.config.preset.id,
        seed: this.config.mergeSeed,
        options: this.config.methodOptions,
        models: { a: tensors.a, b: tensors.b, c: tensors.c },
      }));
    } catch (e) {
      throw new BackendError(`demo merge failed: ${(e as Error).message}`, 'rejected');
    }
    const look = demoLook(merged);
    for (const { index, payload } of job.payloads) {
      signal.throwIfAborted();
      onImages(index, Array.from({ length: payload.images }, (_, i) => renderDemo(look, payload, i, this.config.size)));
      // Let timers and aborts run between payloads: rendering is synchronous.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  async close(): Promise<void> {}
}
