import type { JsonObject } from '../../util/json.js';
import type { AuthConfig } from '../../runtime/auth.js';
import type { SaveImages } from '../../runtime/images.js';
import type { PayloadSetInput } from '../../runtime/payloads/types.js';

/**
 * The `objective` section of `kind: merge` (schemas/merge-objective.schema.json) as it is after
 * the schema filled its defaults. Keys keep the YAML spelling.
 */
export interface MergeSection {
  kind: 'merge';
  models?: { a: ModelInput; b: ModelInput; c?: ModelInput };
  method: MergeMethodName;
  method_options: { density: number; drop_rate: number; seed: number };
  payloads: string | PayloadSetInput;
  scorer: JsonObject;
  runtime: RuntimeSection;
}

export type MergeMethodName = 'weighted-sum' | 'add-difference' | 'ties' | 'dare';
export type BackendName = 'comfyui' | 'a1111' | 'demo';

export type ModelInput = string | ModelObject;
export interface ModelObject {
  path?: string;
  name?: string;
  sha256?: string;
}

export interface EndpointSection extends AuthConfig {
  url: string;
  concurrency: number;
  models_dir?: string;
}

export interface RuntimeSection {
  backend: BackendName;
  endpoints: EndpointSection[];
  timeout: number | string;
  retries: number;
  backoff: number | string;
  dead_after: number;
  recheck: number | string;
  cache: { enabled: boolean; dir?: string };
  save_images: SaveImages;
  comfyui: { workflow?: string; output: 'websocket' | 'history' };
  a1111: { models_dir?: string; precision: 'f16' | 'bf16' | 'f32' };
  demo: { size: number; concurrency: number };
}

/** Where each backend listens by default. */
export const DEFAULT_URLS: Record<Exclude<BackendName, 'demo'>, string> = {
  comfyui: 'http://127.0.0.1:8188',
  a1111: 'http://127.0.0.1:7860',
};

/** Methods that read model C. */
export const NEEDS_C: readonly MergeMethodName[] = ['add-difference', 'ties', 'dare'];

/** The model written as an object: a string is a server checkpoint name for ComfyUI, a path otherwise. */
export function modelObject(input: ModelInput, backend: BackendName): ModelObject {
  if (typeof input !== 'string') return input;
  return backend === 'comfyui' ? { name: input } : { path: input };
}

/** The checkpoint name a ComfyUI server knows the model by. */
export function serverName(model: ModelObject): string {
  return model.name ?? model.path!.split('/').at(-1)!;
}
