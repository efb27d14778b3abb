/**
 * npm run bench:runtime — throughput, scaling and memory of the merge objective's runtime against
 * fake ComfyUI servers with a fixed per-image latency (test/support/fake-comfyui.ts).
 *
 * - overhead: one server, recipes of one 64×64 image. The server's ideal rate is what it manages
 *   when never starved: prompts per second of its busy time (the latency plus the fake's own
 *   work per prompt, measured). The runtime (queueing, WebSocket, PNG checks, scoring with the
 *   built-in demo scorer, cache keys) must keep it busy: rate ≥ 0.98 × ideal. The rate against
 *   the bare 1/latency is printed too.
 * - scaling: 1, 2, 4, 8 servers, each endpoint with concurrency 2; rate ≥ 0.95 × N × the rate of
 *   one server. The optimizer is asked for as many recipes as there are free slots (random search).
 * - memory: 500 evaluations; RSS and heap after 50 and after 500.
 *
 * The servers run in a child process, so their work does not slow the runtime being measured. The
 * driver is a batch loop like the run loop's: it keeps objective.concurrency evaluations in
 * flight and asks the optimizer for as many recipes as slots are free.
 *
 * Options: --latency MS (default 200), --evals N (per server for scaling, default 30).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { answerHelp } from './help.js';
import { createOptimizer } from '../src/optimizers/registry.js';
import type { Objective } from '../src/objectives/types.js';
import type { SearchSpace } from '../src/space/space.js';
import { Rng } from '../src/util/rng.js';
import { FakeComfyUI } from '../test/support/fake-comfyui.js';
import { buildObjective, DEMO_SCORER } from '../test/runtime/harness.js';

answerHelp(import.meta.url);

interface ServerRequest {
  count: number;
  imageMs: number;
}

const SERVERS_FLAG = '--serve';

if (process.argv.includes(SERVERS_FLAG)) {
  const { count, imageMs } = JSON.parse(process.argv[process.argv.indexOf(SERVERS_FLAG) + 1]) as ServerRequest;
  const servers = await Promise.all(Array.from({ length: count }, () => new FakeComfyUI({ imageMs }).start()));
  process.send!(servers.map((s) => s.url));
  process.on('message', async (m) => {
    if (m === 'busy') return process.send!(servers.map((s) => ({ busyMs: s.busyMs, executed: s.executed })));
    await Promise.all(servers.map((s) => s.stop()));
    process.exit(0);
  });
} else {
  await main();
}

/** The fake servers in a child process of their own (this file again, with tsx's loader). */
interface Fleet {
  urls: string[];
  /** Busy milliseconds and prompts executed per server so far. */
  busy: () => Promise<Array<{ busyMs: number; executed: number }>>;
  stop: () => Promise<void>;
}

async function startServers(count: number, imageMs: number): Promise<Fleet> {
  const child = fork(fileURLToPath(import.meta.url), [SERVERS_FLAG, JSON.stringify({ count, imageMs } satisfies ServerRequest)], { execArgv: ['--import', 'tsx'] });
  const urls = await new Promise<string[]>((resolve, reject) => {
    child.once('message', (m) => resolve(m as string[]));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`fake servers exited with ${code}`)));
  });
  return {
    urls,
    busy: () => {
      const answer = new Promise<Array<{ busyMs: number; executed: number }>>((resolve) => child.once('message', (m) => resolve(m as Array<{ busyMs: number; executed: number }>)));
      child.send('busy');
      return answer;
    },
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send('stop');
      await exited;
    },
  };
}

async function objectiveFor(urls: string[], concurrency: number) {
  return buildObjective({
    models: { a: 'a.safetensors', b: 'b.safetensors' },
    payloads: { defaults: { width: 64, height: 64, steps: 4 }, items: ['a cat'] },
    scorer: DEMO_SCORER,
    runtime: { backend: 'comfyui', endpoints: urls.map((url) => ({ url, concurrency })), save_images: 'none', cache: { enabled: false } },
  });
}

/** Keeps objective.concurrency evaluations in flight until `total` are done; calls `at(done)` after each. */
async function drive(objective: Objective, space: SearchSpace, total: number, seed: number, at: (done: number) => void = () => {}): Promise<number> {
  const optimizer = createOptimizer('random', { space, rng: Rng.fromSeed(seed), budget: total, initial: { design: 'random', n: 0 }, warmStart: [] }, {});
  const inFlight = new Map<number, Promise<{ id: number; value?: number; error?: string }>>();
  let issued = 0;
  let done = 0;
  const started = performance.now();
  const signal = new AbortController().signal;
  while (done < total) {
    const room = Math.min(objective.concurrency - inFlight.size, total - issued);
    if (room > 0) {
      for (const trial of optimizer.ask(room)) {
        issued++;
        const run = objective.evaluate(space.toWeights(trial.x), { trial: trial.id, signal, runDir: '' }).then(
          (e) => ({ id: trial.id, value: e.value }),
          (e: Error) => ({ id: trial.id, error: e.message }),
        );
        inFlight.set(trial.id, run);
      }
    }
    const r = await Promise.race(inFlight.values());
    inFlight.delete(r.id);
    if (r.error !== undefined) throw new Error(`trial ${r.id} failed: ${r.error}`);
    optimizer.tell(r.id, { status: 'ok', value: r.value! });
    at(++done);
  }
  return (performance.now() - started) / 1000;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/**
 * Evaluations per second, and the servers' own capacity over the same evaluations: prompts per
 * second of busy time (the per-image latency plus the fake server's own work per prompt).
 */
async function measure(servers: number, latency: number, evals: number, concurrency: number): Promise<{ rate: number; capacity: number }> {
  const fleet = await startServers(servers, latency);
  const built = await objectiveFor(fleet.urls, concurrency);
  try {
    await drive(built.objective, built.space, 2 * built.objective.concurrency, 1); // warm-up: JIT, scorer session, sockets
    const before = await fleet.busy();
    const seconds = await drive(built.objective, built.space, evals, 2);
    const after = await fleet.busy();
    const capacity = after.reduce((sum, a, i) => sum + (a.executed - before[i].executed) / ((a.busyMs - before[i].busyMs) / 1000), 0);
    return { rate: evals / seconds, capacity };
  } finally {
    await built.objective.close();
    await fleet.stop();
  }
}

async function main(): Promise<void> {
  const latency = arg('latency', 200);
  const perServer = arg('evals', 30);
  const ideal = 1000 / latency;
  console.log(`# runtime bench: ${os.cpus()[0]?.model ?? 'cpu'} × ${os.cpus().length}, node ${process.version}, latency ${latency} ms per image`);

  const singleEvals = Math.max(perServer, 40);
  const single = await measure(1, latency, singleEvals, 2);
  console.log(`\noverhead: 1 server: ${single.rate.toFixed(3)} evaluations/s; the server's capacity ${single.capacity.toFixed(3)}/s (1/latency = ${ideal.toFixed(3)}/s)`);
  console.log(`  rate / capacity = ${(single.rate / single.capacity).toFixed(3)} (target ≥ 0.98); rate / (1/latency) = ${(single.rate / ideal).toFixed(3)}`);

  console.log('\n| servers | evaluations | rate (/s) | rate / capacity | rate / (N × single) |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const n of [1, 2, 4, 8]) {
    const r = n === 1 ? single : await measure(n, latency, perServer * n, 2);
    console.log(`| ${n} | ${n === 1 ? singleEvals : perServer * n} | ${r.rate.toFixed(2)} | ${(r.rate / r.capacity).toFixed(3)} | ${(r.rate / (n * single.rate)).toFixed(3)} |`);
  }

  const fleet = await startServers(1, 2);
  const built = await objectiveFor(fleet.urls, 2);
  const samples: Record<number, { rss: number; heap: number }> = {};
  const gc = (globalThis as { gc?: () => void }).gc;
  await drive(built.objective, built.space, 500, 3, (done) => {
    if (done === 50 || done === 500) {
      gc?.();
      const m = process.memoryUsage();
      samples[done] = { rss: m.rss / 2 ** 20, heap: m.heapUsed / 2 ** 20 };
    }
  });
  await built.objective.close();
  await fleet.stop();
  console.log(`\nmemory over 500 evaluations${gc ? ' (after gc)' : ''}: RSS ${samples[50].rss.toFixed(1)} MiB at 50, ${samples[500].rss.toFixed(1)} MiB at 500; heap ${samples[50].heap.toFixed(1)} → ${samples[500].heap.toFixed(1)} MiB`);
}
