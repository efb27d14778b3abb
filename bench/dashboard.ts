/**
 * `npm run bench:dashboard`: how fast `autombw serve` answers on a large run and a large comparison.
 *
 *   run:         5,000 trials of the sd1-27 space (27 weights each), merge-objective details with
 *                2 payloads × 2 images and 2 rendering servers, as a long real run journals them.
 *   comparison:  10 optimizers × 10 seeds, 200 trials per run (20,000 trials in 100 journals).
 *
 * Every page and API request is timed from the client (median, 95th percentile and maximum over
 * REPEATS requests after one cold request), then the latency from a journal append to the
 * Server-Sent Event that carries it (the "new trials appear within a second" of issue 17).
 * Synthetic values come from the seeded PRNG; files live in a temporary directory, removed after.
 */
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { startDashboard } from '../src/dashboard/server.js';
import { getPreset } from '../src/space/presets.js';
import { Rng } from '../src/util/rng.js';
import { answerHelp } from './help.js';

answerHelp(import.meta.url);

const REPEATS = Number(process.env.BENCH_REPEATS ?? 20);
const RUN_TRIALS = Number(process.env.BENCH_RUN_TRIALS ?? 5000);
const BLOCKS = getPreset('sd1-27')!.blocks;

function trialEvent(rng: Rng, id: number, t0: number): string {
  const weights = Object.fromEntries(BLOCKS.map((b) => [b, Math.round(rng.float() * 100) / 100]));
  const value = -BLOCKS.reduce((s, b) => s + (weights[b] - 0.3) ** 2, 0) + 0.1 * rng.normal();
  const image = (p: string, i: number) => ({ index: i, score: value + 0.01 * rng.normal(), path: `images/trial-${String(id).padStart(6, '0')}/${p}-${i}.png` });
  const details = { payloads: ['fox', 'lake'].map((name) => ({ name, weight: 1, score: value, images: [image(name, 0), image(name, 1)] })), endpoint: `http://gpu${id % 2}:8188`, attempts: 1 };
  const started = new Date(t0 + id * 8000).toISOString();
  const ask = { type: 'ask', time: started, trials: [{ id, x: BLOCKS.map((b) => weights[b]), origin: id < 16 ? 'initial' : 'optimizer' }] };
  const trial = { type: 'trial', time: new Date(t0 + id * 8000 + 7000).toISOString(), id, status: 'ok', value, weights, details, duration: 7, started };
  return `${JSON.stringify(ask)}\n${JSON.stringify(trial)}\n`;
}

function writeRun(dir: string, name: string, optimizer: string, trials: number, seed: number, stopped: boolean): void {
  mkdirSync(dir, { recursive: true });
  const hash = Rng.fromSeed(`${name}/${seed}`).derive('hash');
  const hex = Array.from({ length: 64 }, () => '0123456789abcdef'[hash.int(16)]).join('');
  writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ hash: hex, experiment: 'bench.yaml', base_dir: dir, canonical: {} }));
  const config = { name, seed, space: { preset: 'sd1-27', bounds: [0, 1], step: 0.01 }, objective: { kind: 'merge', method: 'weighted-sum' }, optimizer: { kind: optimizer, initial: { design: 'sobol', n: 16 }, warm_start: [], options: {} }, stop: { budget: trials, min_delta: 0 }, output: { dir: 'runs', progress: 'none' } };
  writeFileSync(path.join(dir, 'config.resolved.yaml'), stringify(config));
  const rng = Rng.fromSeed(seed).derive('bench-run', name);
  const t0 = Date.UTC(2026, 0, 1);
  const parts = [`${JSON.stringify({ type: 'start', time: new Date(t0).toISOString(), hash: hex, session: 1, version: 'bench' })}\n`];
  for (let id = 0; id < trials; id++) parts.push(trialEvent(rng, id, t0));
  if (stopped) parts.push(`${JSON.stringify({ type: 'stop', time: new Date(t0 + trials * 8000).toISOString(), reason: 'budget' })}\n`);
  writeFileSync(path.join(dir, 'journal.jsonl'), parts.join(''));
}

function get(url: string): Promise<{ ms: number; bytes: number; status: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ ms: performance.now() - start, bytes, status: res.statusCode! }));
      })
      .on('error', reject);
  });
}

function stats(values: number[]): { median: number; p95: number; max: number } {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)], max: s[s.length - 1] };
}

/** Milliseconds from each append to the event that carries it, `count` times. */
async function eventLatency(url: string, journal: string, firstId: number, count: number): Promise<number[]> {
  const latencies: number[] = [];
  await new Promise<void>((resolve, reject) => {
    let appendedAt = 0;
    let next = firstId;
    let buffer = '';
    let ready = false;
    const rng = Rng.fromSeed(7).derive('bench-append');
    const append = () => {
      appendedAt = performance.now();
      appendFileSync(journal, trialEvent(rng, next, Date.UTC(2026, 0, 1)));
    };
    const req = http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (!data) continue;
          const update = JSON.parse(data) as { rows: Array<{ id: number }> };
          if (!ready) {
            ready = true;
            append();
          } else if (update.rows.some((r) => r.id === next)) {
            latencies.push(performance.now() - appendedAt);
            next++;
            if (latencies.length === count) {
              req.destroy();
              return resolve();
            }
            append();
          }
        }
      });
    });
    req.on('error', (e) => (latencies.length === count ? resolve() : reject(e)));
  });
  return latencies;
}

/** Resolves when a run page's importance figure has been pushed. */
function importanceReady(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let text = '';
    const req = http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        if (text.includes('figure-importance')) {
          req.destroy();
          resolve();
        }
      });
    });
    req.on('error', (e) => (text.includes('figure-importance') ? resolve() : reject(e)));
  });
}

async function main(): Promise<void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'autombw-bench-dashboard-'));
  try {
    let t = performance.now();
    const runDir = path.join(root, 'runs', 'big');
    writeRun(runDir, 'big run', 'gp-bo', RUN_TRIALS, 1, false);
    // Held by this live process, the run shows as running, as a run being watched would.
    writeFileSync(path.join(runDir, 'lock'), JSON.stringify({ pid: process.pid, host: os.hostname(), since: new Date().toISOString() }));
    const optimizers = ['random', 'sobol', 'lhs', 'hill-climbing', 'stochastic-hill-climbing', 'simulated-annealing', 'random-restart-hill-climbing', 'pgpe', 'gp-bo', 'turbo'];
    const seeds = Array.from({ length: 10 }, (_, i) => i + 1);
    const cmp = path.join(root, 'comparison');
    const runs = optimizers.flatMap((o) => seeds.map((s) => ({ variant: o, seed: s, hash: `${o}-${s}`, dir: `runs/${o}-${s}` })));
    for (const r of runs) writeRun(path.join(cmp, r.dir), `${r.variant} seed ${r.seed}`, r.variant, 200, r.seed, true);
    writeFileSync(path.join(cmp, 'compare.json'), JSON.stringify({ format: 'autombw-compare/1', name: '10 optimizers × 10 seeds', file: 'c.yaml', experiment: 'e.yaml', budget: 200, seeds, checkpoints: [50, 100], variants: optimizers.map((o) => ({ name: o, kind: o })), runs }));
    console.log(`fixtures written in ${((performance.now() - t) / 1000).toFixed(1)} s: a run of ${RUN_TRIALS} trials, a comparison of ${runs.length} runs × 200 trials`);

    const dashboard = await startDashboard({ root, port: 0 });
    const base = dashboard.url;
    const requests: Array<[string, string]> = [
      ['index (101 runs, 1 comparison)', ''],
      [`run page (${RUN_TRIALS} trials)`, 'run?d=runs%2Fbig'],
      ['trial table JSON', 'api/run/trials?d=runs%2Fbig'],
      ['trial detail', `api/run/trial?d=runs%2Fbig&id=${Math.floor(RUN_TRIALS / 2)}`],
      ['comparison page (10 × 10)', 'compare?d=comparison'],
      ['member run page (200 trials)', 'run?d=comparison%2Fruns%2Fgp-bo-3'],
      ['run list JSON', 'api/runs'],
    ];
    // The importance fit of the big run runs in a worker thread; timings are taken once it is done,
    // so they measure the server rather than two threads sharing the cores.
    const fitted = Date.now();
    await importanceReady(`${base}api/run/events?d=runs%2Fbig`);
    console.log(`importance of the ${RUN_TRIALS}-trial run fitted in the worker in ${((Date.now() - fitted) / 1000).toFixed(1)} s (the server answered meanwhile)`);
    console.log('\nrequest                              cold ms   median ms   p95 ms   max ms   size');
    for (const [name, rel] of requests) {
      const cold = await get(base + rel);
      if (cold.status !== 200) throw new Error(`${rel}: HTTP ${cold.status}`);
      const times: number[] = [];
      for (let i = 0; i < REPEATS; i++) times.push((await get(base + rel)).ms);
      const s = stats(times);
      console.log(`${name.padEnd(36)} ${cold.ms.toFixed(0).padStart(7)} ${s.median.toFixed(1).padStart(11)} ${s.p95.toFixed(1).padStart(8)} ${s.max.toFixed(1).padStart(8)}   ${(cold.bytes / 1024).toFixed(0)} KiB`);
    }
    const latency = stats(await eventLatency(`${base}api/run/events?d=runs%2Fbig&since=${RUN_TRIALS}`, path.join(runDir, 'journal.jsonl'), RUN_TRIALS, REPEATS));
    console.log(`\njournal append → event on the ${RUN_TRIALS}-trial run page (${REPEATS} appends): median ${latency.median.toFixed(0)} ms, p95 ${latency.p95.toFixed(0)} ms, max ${latency.max.toFixed(0)} ms`);
    await dashboard.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

await main();
