import type { BlockPreset } from '../../space/presets.js';
import type { JsonValue } from '../../util/json.js';
import type { Backend, Endpoint, RenderJob } from '../backend.js';
import { BackendError } from '../errors.js';
import type { Payload } from '../payloads/types.js';
import { comfyHealth, missingOnServer } from './check.js';
import { ComfyClient } from './client.js';
import { mergeNodeLayout, type MergeNodeLayout } from './merge-inputs.js';
import { fillTemplate, IMAGE_OUTPUT_CLASSES, templatePlaceholders } from './template.js';
import { buildWorkflow, builtInNodeClasses, type ApiWorkflow, type CheckpointNames, type ImageOutput } from './workflow.js';

/** Version of the built-in graph: bump when a change to it changes images, so cached scores are not reused. */
const GRAPH_VERSION = 1;

export interface ComfyBackendConfig {
  preset: BlockPreset;
  method: 'weighted-sum' | 'add-difference';
  checkpoints: CheckpointNames;
  output: ImageOutput;
  /** A user's workflow template and its content hash, instead of the built-in graph. */
  template?: { workflow: ApiWorkflow; sha256: string };
  /** Every payload of the run, to check samplers and schedulers up front. */
  payloads: readonly Payload[];
  requestTimeoutMs: number;
}

/**
 * ComfyUI: the merge happens inside the graph (ModelMergeSD1/SDXL patches the loaded UNet), so
 * a recipe costs one re-patch, no checkpoint file. All payload prompts of a recipe are queued at
 * once so the server never idles between them; the loaders and the merge node stay cached
 * across them because their inputs do not change.
 */
export class ComfyBackend implements Backend {
  readonly kind = 'comfyui';
  readonly identity: JsonValue;
  private readonly layout: MergeNodeLayout;
  private readonly clients = new Map<Endpoint, ComfyClient>();

  constructor(private readonly config: ComfyBackendConfig) {
    this.layout = mergeNodeLayout(config.preset);
    this.identity = config.template
      ? { kind: 'comfyui', template: config.template.sha256 }
      : { kind: 'comfyui', graph: GRAPH_VERSION };
  }

  private client(endpoint: Endpoint): ComfyClient {
    let c = this.clients.get(endpoint);
    if (!c) {
      c = new ComfyClient(endpoint.url, { headers: endpoint.headers, requestTimeoutMs: this.config.requestTimeoutMs });
      this.clients.set(endpoint, c);
    }
    return c;
  }

  async prepare(endpoint: Endpoint, signal: AbortSignal): Promise<string[]> {
    const { template, checkpoints, payloads } = this.config;
    const used = template ? templatePlaceholders(template.workflow) : undefined;
    const classes = template ? [...new Set(Object.values(template.workflow).map((n) => n.class_type))] : builtInNodeClasses(this.layout, this.config.method, this.config.output);
    const names = [checkpoints.a, checkpoints.b, ...(checkpoints.c !== undefined ? [checkpoints.c] : [])];
    const client = this.client(endpoint);
    const problems = await missingOnServer(client, {
      classes,
      checkpoints: used ? names.filter((_, i) => used.includes(`ckpt_${'abc'[i]}`)) : names,
      samplers: !used || used.includes('sampler') ? payloads.map((p) => p.sampler) : [],
      schedulers: !used || used.includes('scheduler') ? payloads.map((p) => p.scheduler) : [],
    }, signal);
    try {
      await client.connect(signal);
    } catch (e) {
      problems.push(`${endpoint.url}: the progress WebSocket (/ws) cannot be opened: ${(e as Error).message} (a proxy in front of ComfyUI must pass WebSockets)`);
    }
    return problems;
  }

  health(endpoint: Endpoint, signal: AbortSignal): Promise<void> {
    return comfyHealth(this.client(endpoint), signal);
  }

  async render(endpoint: Endpoint, job: RenderJob, signal: AbortSignal, onImages: (index: number, images: Buffer[]) => void): Promise<void> {
    const client = this.client(endpoint);
    const results = await Promise.allSettled(
      job.payloads.map(async ({ index, payload }) => {
        const workflow = this.workflow(job.weights, payload);
        const byNode = await client.run(workflow, signal);
        const outputs = Object.keys(workflow)
          .filter((id) => (IMAGE_OUTPUT_CLASSES as readonly string[]).includes(workflow[id].class_type))
          .sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
        const images = outputs.flatMap((id) => byNode.get(id) ?? []);
        const expected = this.config.template ? undefined : payload.images;
        if (images.length === 0 || (expected !== undefined && images.length !== expected)) {
          throw new BackendError(`${endpoint.url}: payload ${payload.name} returned ${images.length} image(s), expected ${expected ?? 'at least 1'}`, 'transient');
        }
        onImages(index, images);
      }),
    );
    // Every prompt has settled, so nothing of this attempt arrives after a retry has started.
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    if (failures.length > 0) throw failures.find((f) => f instanceof BackendError && f.failure === 'rejected') ?? failures[0];
  }

  private workflow(weights: Readonly<Record<string, number>>, payload: Payload): ApiWorkflow {
    const { template, checkpoints } = this.config;
    if (template) return fillTemplate(template.workflow, { checkpoints, payload, weights });
    return buildWorkflow({ layout: this.layout, method: this.config.method, checkpoints, weights, payload, output: this.config.output });
  }

  async close(): Promise<void> {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}
