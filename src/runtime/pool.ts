import type { Endpoint } from './backend.js';

export interface PoolOptions {
  /** Consecutive transient failures that take an endpoint out. */
  deadAfter: number;
  /** Milliseconds between health checks of an endpoint taken out. */
  recheckMs: number;
  /** Resolves when the endpoint is healthy again. */
  health: (endpoint: Endpoint, signal: AbortSignal) => Promise<void>;
  /** Reports endpoints leaving and rejoining the pool. */
  log?: (message: string) => void;
}

export interface Lease {
  readonly endpoint: Endpoint;
  release(): void;
}

interface EndpointState {
  busy: number;
  alive: boolean;
  failures: number;
  reason: string | undefined;
  timer: NodeJS.Timeout | undefined;
}

interface Waiter {
  avoid: Endpoint | undefined;
  grant: (lease: Lease) => void;
}

/**
 * The servers of one run and their free slots. An evaluation holds one slot for its whole
 * render; `concurrency` (all slots of all endpoints) is what the run loop keeps in flight.
 * Endpoints that fail `deadAfter` times in a row are taken out and health-checked every
 * `recheckMs` until they answer again; evaluations meanwhile wait for a slot elsewhere.
 */
export class EndpointPool {
  private readonly states = new Map<Endpoint, EndpointState>();
  private readonly waiters: Waiter[] = [];
  private closed = false;

  constructor(
    readonly endpoints: readonly Endpoint[],
    private readonly options: PoolOptions,
  ) {
    if (endpoints.length === 0) throw new Error('an endpoint pool needs at least one endpoint');
    for (const e of endpoints) this.states.set(e, { busy: 0, alive: true, failures: 0, reason: undefined, timer: undefined });
  }

  get concurrency(): number {
    return this.endpoints.reduce((sum, e) => sum + e.concurrency, 0);
  }

  /**
   * A slot on a live endpoint, the least loaded first; `avoid` (where the last attempt failed)
   * is taken only when no other endpoint has a free slot right now.
   */
  acquire(signal: AbortSignal, avoid?: Endpoint): Promise<Lease> {
    if (this.closed) return Promise.reject(new Error('the endpoint pool is closed'));
    const endpoint = this.pick(avoid);
    if (endpoint) return Promise.resolve(this.lease(endpoint));
    return new Promise<Lease>((resolve, reject) => {
      const waiter: Waiter = {
        avoid,
        grant: (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** The endpoint worked: its run of failures is over. */
  succeeded(endpoint: Endpoint): void {
    this.states.get(endpoint)!.failures = 0;
  }

  /** The endpoint failed transiently; after `deadAfter` in a row it is taken out. */
  failed(endpoint: Endpoint, reason: string): void {
    const s = this.states.get(endpoint)!;
    s.failures++;
    if (s.alive && s.failures >= this.options.deadAfter) this.takeOut(endpoint, reason);
  }

  /** Takes an endpoint out now (it cannot be reached at all), to be re-checked later. */
  takeOut(endpoint: Endpoint, reason: string): void {
    const s = this.states.get(endpoint)!;
    if (!s.alive || this.closed) return;
    s.alive = false;
    s.reason = reason;
    this.options.log?.(`${endpoint.url} taken out of the pool: ${reason}; re-checking every ${this.options.recheckMs / 1000}s`);
    if (this.endpoints.every((e) => !this.states.get(e)!.alive)) this.options.log?.('every server is out of the pool; recipes wait until one answers again');
    this.scheduleRecheck(endpoint);
  }

  isAlive(endpoint: Endpoint): boolean {
    return this.states.get(endpoint)!.alive;
  }

  /** The endpoints out of the pool and why, for messages. */
  describeDead(): string {
    return this.endpoints
      .filter((e) => !this.states.get(e)!.alive)
      .map((e) => `${e.url} (${this.states.get(e)!.reason})`)
      .join(', ');
  }

  close(): void {
    this.closed = true;
    for (const s of this.states.values()) clearTimeout(s.timer);
  }

  private pick(avoid: Endpoint | undefined): Endpoint | undefined {
    let best: Endpoint | undefined;
    let bestLoad = Infinity;
    for (const e of this.endpoints) {
      const s = this.states.get(e)!;
      if (!s.alive || s.busy >= e.concurrency) continue;
      const load = s.busy / e.concurrency + (e === avoid ? 1 : 0);
      if (load < bestLoad) {
        best = e;
        bestLoad = load;
      }
    }
    return best;
  }

  private lease(endpoint: Endpoint): Lease {
    const s = this.states.get(endpoint)!;
    s.busy++;
    let released = false;
    return {
      endpoint,
      release: () => {
        if (released) return;
        released = true;
        s.busy--;
        this.dispatch();
      },
    };
  }

  private dispatch(): void {
    while (this.waiters.length > 0) {
      const endpoint = this.pick(this.waiters[0].avoid);
      if (!endpoint) return;
      this.waiters.shift()!.grant(this.lease(endpoint));
    }
  }

  private scheduleRecheck(endpoint: Endpoint): void {
    const s = this.states.get(endpoint)!;
    s.timer = setTimeout(() => {
      const signal = AbortSignal.timeout(Math.max(this.options.recheckMs, 10_000));
      this.options.health(endpoint, signal).then(
        () => {
          if (this.closed) return;
          s.alive = true;
          s.failures = 0;
          s.reason = undefined;
          this.options.log?.(`${endpoint.url} is back in the pool`);
          this.dispatch();
        },
        () => {
          if (!this.closed) this.scheduleRecheck(endpoint);
        },
      );
    }, this.options.recheckMs);
    s.timer.unref();
  }
}
