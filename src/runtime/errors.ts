/**
 * How a backend failure affects the evaluation:
 * - transient: the server or the network misbehaved (refused connection, 5xx, dropped socket,
 *   malformed reply, broken image); retry, on another server when there is one, and count it
 *   towards taking the server out of the pool.
 * - oom: the server ran out of GPU memory; retry elsewhere, but the server is not broken.
 * - rejected: the server refused the work itself (invalid workflow, missing model, failing
 *   node); retrying cannot help, the trial fails with the server's reason.
 */
export type FailureKind = 'transient' | 'oom' | 'rejected';

export class BackendError extends Error {
  constructor(
    message: string,
    readonly failure: FailureKind,
  ) {
    super(message);
    this.name = 'BackendError';
  }
}

export function isRetryable(e: unknown): e is BackendError {
  return e instanceof BackendError && e.failure !== 'rejected';
}

/** The text of a reply body for an error message: one line, bounded. */
export function snippet(body: string, max = 300): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max)}…` : line;
}
