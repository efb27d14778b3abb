import type { JsonValue } from '../util/json.js';
import type { Payload } from './payloads/types.js';

/** One server of a backend, as the pool hands it out. */
export interface Endpoint {
  readonly url: string;
  /** Evaluations in flight on it at most. */
  readonly concurrency: number;
  /** Credential headers (from the environment), sent with every request. */
  readonly headers: Readonly<Record<string, string>>;
  /** a1111: the directory this server loads checkpoints from. */
  readonly modelsDir?: string;
}

/** The images one recipe needs: some payloads of the set (the rest came from the cache). */
export interface RenderJob {
  trial: number;
  /** Weight of every block of the preset (B's share). */
  weights: Readonly<Record<string, number>>;
  payloads: ReadonlyArray<{ index: number; payload: Payload }>;
}

/**
 * A backend renders recipes on endpoints: it merges (in the server's graph, into a file, or in
 * process) and generates each payload's images. Failures are BackendErrors (errors.ts) so the
 * objective can tell a retry from a verdict.
 */
export interface Backend {
  readonly kind: string;
  /** Everything about the backend that changes images, for the evaluation cache key. */
  readonly identity: JsonValue;
  /**
   * Start-of-run check of one endpoint: what it lacks that the run needs, one line each (empty
   * when ready). Throws a BackendError when it cannot be reached.
   */
  prepare(endpoint: Endpoint, signal: AbortSignal): Promise<string[]>;
  /** Cheap health check, to bring an endpoint taken out of the pool back. */
  health(endpoint: Endpoint, signal: AbortSignal): Promise<void>;
  /** Renders the job; `onImages` is called once per payload, as soon as its images are in. */
  render(endpoint: Endpoint, job: RenderJob, signal: AbortSignal, onImages: (index: number, images: Buffer[]) => void): Promise<void>;
  close(): Promise<void>;
}
