import { BackendError, snippet } from './errors.js';

export interface HttpReply {
  status: number;
  body: Buffer;
}

export interface HttpOptions {
  method?: 'GET' | 'POST';
  /** Sent as JSON. */
  json?: unknown;
  headers?: Readonly<Record<string, string>>;
  signal: AbortSignal;
  /** Bound on this one request, on top of `signal`. */
  timeoutMs: number;
}

/**
 * One HTTP exchange. A server that cannot be reached, drops the connection or does not answer
 * in time is a transient BackendError; an answer of any status is returned for the caller to
 * judge. Aborting `signal` rejects with the signal's reason.
 */
export async function httpRequest(url: string, options: HttpOptions): Promise<HttpReply> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const headers: Record<string, string> = { ...options.headers };
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  try {
    const response = await fetch(url, {
      method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
      headers,
      body: options.json === undefined ? undefined : JSON.stringify(options.json),
      signal,
    });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  } catch (e) {
    if (options.signal.aborted) throw options.signal.reason;
    if (timeout.aborted) throw new BackendError(`${url}: no answer within ${options.timeoutMs / 1000}s`, 'transient');
    throw new BackendError(`${url}: ${networkReason(e)}`, 'transient');
  }
}

/** Parses a JSON reply; a 5xx, a 429 or a body that is not JSON is transient, other non-2xx statuses are the caller's `rejected` errors. */
export function jsonReply(url: string, reply: HttpReply): unknown {
  const text = reply.body.toString('utf8');
  if (reply.status >= 500 || reply.status === 429) throw new BackendError(`${url}: HTTP ${reply.status}: ${snippet(text)}`, 'transient');
  if (reply.status >= 400) throw new BackendError(`${url}: HTTP ${reply.status}${authHint(reply.status)}: ${snippet(text)}`, 'rejected');
  try {
    return JSON.parse(text);
  } catch {
    throw new BackendError(`${url}: the reply is not JSON: ${snippet(text, 120)}`, 'transient');
  }
}

export function authHint(status: number): string {
  return status === 401 || status === 403 ? ' (authentication: check the endpoint\'s auth_env and auth_scheme)' : '';
}

function networkReason(e: unknown): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the server running?)';
  if (cause?.code === 'ENOTFOUND') return 'host not found';
  if (cause?.code === 'UND_ERR_SOCKET' || cause?.code === 'ECONNRESET') return 'the server closed the connection';
  return cause?.message ?? (e as Error).message;
}
