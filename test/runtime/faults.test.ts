import { afterEach, describe, expect, it } from 'vitest';
import { FakeComfyUI } from '../support/fake-comfyui.js';
import { buildObjective, DEMO_SCORER, evaluate, weightsFor, type Built } from './harness.js';

const fakes: FakeComfyUI[] = [];
const built: Built[] = [];

afterEach(async () => {
  await Promise.all(built.splice(0).map((b) => b.objective.close()));
  await Promise.all(fakes.splice(0).map((f) => f.stop()));
});

async function fakes2(n = 2, options: ConstructorParameters<typeof FakeComfyUI>[0] = {}): Promise<FakeComfyUI[]> {
  const list = await Promise.all(Array.from({ length: n }, () => new FakeComfyUI(options).start()));
  fakes.push(...list);
  return list;
}

async function build(urls: string[], runtime: Record<string, unknown> = {}, options: Parameters<typeof buildObjective>[1] = {}): Promise<Built> {
  const b = await buildObjective(
    {
      models: { a: 'a.safetensors', b: 'b.safetensors' },
      payloads: { defaults: { width: 64, height: 64 }, items: ['a cat', 'a dog'] },
      scorer: DEMO_SCORER,
      runtime: { backend: 'comfyui', endpoints: urls.map((url) => ({ url, concurrency: 1 })), backoff: 0.01, recheck: 0.05, save_images: 'none', ...runtime },
    },
    options,
  );
  built.push(b);
  return b;
}

const details = (r: { details?: unknown }) => r.details as Record<string, unknown>;

describe('endpoint pool under faults', () => {
  it('retries an out-of-memory failure on the other server', async () => {
    const [first, second] = await fakes2();
    first.faults.oom = 1;
    const b = await build([first.url, second.url]);
    const result = await evaluate(b, weightsFor(b.space, 0.5));
    expect(details(result)).toMatchObject({ attempts: 2, endpoint: second.url });
  });

  for (const [fault, label] of [
    ['prompt500', 'an HTTP 500'],
    ['promptMalformed', 'a reply that is not JSON'],
    ['promptDropConnection', 'a dropped connection'],
    ['dropSocketDuringRun', 'a WebSocket dropped mid-run'],
    ['truncatedImage', 'a truncated PNG'],
    ['nonPngImage', 'an image that is not a PNG'],
  ] as const) {
    it(`recovers from ${label} by retrying the missing payloads`, async () => {
      const [server] = await fakes2(1);
      server.faults[fault] = 1;
      const b = await build([server.url]);
      const result = await evaluate(b, weightsFor(b.space, 0.5));
      expect(Number.isFinite(result.value)).toBe(true);
      expect(details(result).attempts).toBe(2);
    });
  }

  it('gives up after the configured retries, listing every failure', async () => {
    const [server] = await fakes2(1);
    server.faults.prompt500 = 10;
    const b = await build([server.url], { retries: 2, dead_after: 10 });
    await expect(evaluate(b, weightsFor(b.space, 0.5))).rejects.toThrow(/gave up after 3 attempt\(s\): .*HTTP 500.*HTTP 500.*HTTP 500/);
  });

  it('takes a failing server out and brings it back once it answers', async () => {
    const [flaky, steady] = await fakes2();
    const b = await build([flaky.url, steady.url], { dead_after: 1, recheck: 0.05 });
    await flaky.stop();
    const first = await evaluate(b, weightsFor(b.space, 0.1), 0);
    expect(details(first).endpoint).toBe(steady.url);
    await flaky.start();
    await new Promise((r) => setTimeout(r, 150));
    const runs = await Promise.all([0.2, 0.3, 0.4, 0.6].map((w, i) => evaluate(b, weightsFor(b.space, w), i + 1)));
    expect(runs.map((r) => details(r).endpoint)).toContain(flaky.url);
  });

  it('pauses while every server is out of the pool, the wait not counting towards the timeout', async () => {
    const [server] = await fakes2(1);
    const b = await build([server.url], { dead_after: 1, recheck: 0.05, timeout: 0.5 });
    await server.stop();
    const pending = evaluate(b, weightsFor(b.space, 0.5));
    await new Promise((r) => setTimeout(r, 800));
    await server.start();
    const result = await pending;
    expect(details(result)).toMatchObject({ attempts: 2, endpoint: server.url });
  });

  it('starts with the reachable servers when one is down, and refuses when none is', async () => {
    const [up, down] = await fakes2();
    await down.stop();
    const b = await build([down.url, up.url]);
    expect(details(await evaluate(b, weightsFor(b.space, 0.5))).endpoint).toBe(up.url);
    await up.stop();
    await expect(build([down.url, up.url])).rejects.toThrow(/no comfyui server could be reached/);
  });

  it('fails a trial that runs past the timeout and takes its prompts off the server', async () => {
    const [server] = await fakes2(1, { imageMs: 400 });
    const b = await build([server.url], { timeout: 0.3 });
    await expect(evaluate(b, weightsFor(b.space, 0.5))).rejects.toThrow(/timed out after 0\.3s/);
    const queue = (await (await fetch(`${server.url}/queue`)).json()) as { queue_pending: unknown[] };
    expect(queue.queue_pending).toEqual([]);
  });

  it('stops at once on Ctrl-C, interrupting the running prompt', async () => {
    const [server] = await fakes2(1, { imageMs: 2000 });
    const b = await build([server.url]);
    const abort = new AbortController();
    const started = Date.now();
    const pending = evaluate(b, weightsFor(b.space, 0.5), 0, abort.signal);
    setTimeout(() => abort.abort(), 100);
    await expect(pending).rejects.toThrow(/interrupted/);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.executed).toBe(0);
  });
});

describe('evaluation cache', () => {
  it('answers a repeated recipe without rendering, also for a new run sharing the cache', async () => {
    const [server] = await fakes2(1);
    const b = await build([server.url]);
    const weights = weightsFor(b.space, 0.35);
    const first = await evaluate(b, weights, 0);
    expect(server.received).toHaveLength(2);
    const again = await evaluate(b, weights, 1);
    expect(server.received).toHaveLength(2);
    expect(again.value).toBe(first.value);
    expect(details(again).cached).toBe(2);

    const rerun = await build([server.url], {}, { baseDir: b.baseDir });
    expect((await evaluate(rerun, weights, 0)).value).toBe(first.value);
    expect(server.received).toHaveLength(2);
  });

  it('renders only the payloads it has not seen', async () => {
    const [server] = await fakes2(1);
    const b = await build([server.url]);
    const weights = weightsFor(b.space, 0.35);
    await evaluate(b, weights, 0);
    const wider = await buildObjective(
      {
        models: { a: 'a.safetensors', b: 'b.safetensors' },
        payloads: { defaults: { width: 64, height: 64 }, items: ['a cat', 'a dog', 'a bird'] },
        scorer: DEMO_SCORER,
        runtime: { backend: 'comfyui', endpoints: [{ url: server.url, concurrency: 1 }], save_images: 'none' },
      },
      { baseDir: b.baseDir },
    );
    built.push(wider);
    const result = await evaluate(wider, weights, 0);
    expect(details(result).cached).toBe(2);
    expect(server.received).toHaveLength(3);
  });

  it('keys on the weights: another recipe renders again', async () => {
    const [server] = await fakes2(1);
    const b = await build([server.url]);
    await evaluate(b, weightsFor(b.space, 0.35), 0);
    await evaluate(b, weightsFor(b.space, 0.35, { OUT05: 0.36 }), 1);
    expect(server.received).toHaveLength(4);
  });
});
