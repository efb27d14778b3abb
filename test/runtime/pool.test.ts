import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/runtime/backend.js';
import { EndpointPool } from '../../src/runtime/pool.js';

const ep = (url: string, concurrency = 1): Endpoint => ({ url, concurrency, headers: {} });
const never = new AbortController().signal;

function pool(endpoints: Endpoint[], health: (e: Endpoint) => Promise<void> = async () => {}, deadAfter = 2) {
  return new EndpointPool(endpoints, { deadAfter, recheckMs: 20, health: (e) => health(e) });
}

describe('EndpointPool', () => {
  it('offers as many slots as all endpoints together', () => {
    expect(pool([ep('a', 2), ep('b', 3)]).concurrency).toBe(5);
  });

  it('hands out the least loaded endpoint first', async () => {
    const p = pool([ep('a', 2), ep('b', 2)]);
    const leases = [await p.acquire(never), await p.acquire(never), await p.acquire(never)];
    expect(leases.map((l) => l.endpoint.url)).toEqual(['a', 'b', 'a']);
  });

  it('avoids the endpoint that just failed while another has room', async () => {
    const a = ep('a');
    const p = pool([a, ep('b')]);
    expect((await p.acquire(never, a)).endpoint.url).toBe('b');
    expect((await p.acquire(never, a)).endpoint.url).toBe('a');
  });

  it('queues requests when full and serves them in order as slots free up', async () => {
    const p = pool([ep('a')]);
    const first = await p.acquire(never);
    const order: number[] = [];
    const waiting = [1, 2].map((n) => p.acquire(never).then((l) => (order.push(n), l)));
    first.release();
    (await waiting[0]).release();
    await waiting[1];
    expect(order).toEqual([1, 2]);
  });

  it('gives up waiting when the caller aborts', async () => {
    const p = pool([ep('a')]);
    await p.acquire(never);
    const abort = new AbortController();
    const waiting = p.acquire(abort.signal);
    abort.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
  });

  it('takes an endpoint out after dead_after consecutive failures; a success resets the count', async () => {
    const a = ep('a');
    const p = pool([a, ep('b')], async () => new Promise(() => {}));
    p.failed(a, 'x');
    p.succeeded(a);
    p.failed(a, 'x');
    expect(p.isAlive(a)).toBe(true);
    p.failed(a, 'refused');
    expect(p.isAlive(a)).toBe(false);
    expect(p.describeDead()).toBe('a (refused)');
    p.close();
  });

  it('brings an endpoint back when its health check passes, serving whoever waits', async () => {
    const a = ep('a');
    let healthy = false;
    const p = pool([a], async () => {
      if (!healthy) throw new Error('down');
    }, 1);
    p.takeOut(a, 'down');
    const waiting = p.acquire(never);
    await new Promise((r) => setTimeout(r, 60));
    expect(p.isAlive(a)).toBe(false);
    healthy = true;
    expect((await waiting).endpoint).toBe(a);
    p.close();
  });
});
