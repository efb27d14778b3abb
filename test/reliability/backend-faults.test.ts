import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAndHashExperiment } from '../../src/config/load.js';
import { readJournal, type TrialEvent } from '../../src/run/journal.js';
import { createProgress } from '../../src/run/progress.js';
import { runExperiment, type RunResult } from '../../src/run/runner.js';
import { sd1TextEncoderKeys, sd1UnetKeys } from '../../src/runtime/demo/sd1-keys.js';
import { Rng } from '../../src/util/rng.js';
import { writeTensors } from '../support/checkpoints.js';
import { FakeA1111, type A1111Faults } from '../support/fake-a1111.js';
import { FakeComfyUI, type Faults } from '../support/fake-comfyui.js';
import { tempDir } from '../support/tmp.js';
import { recordFigures, scaled } from './scale.js';

// Model hashes are cached per user; keep this suite's out of the home directory.
process.env.AUTOMBW_CACHE_DIR ??= tempDir('autombw-hash-cache-');

const stops: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Seconds a recipe may hold a server; a prompt made slower than this is a timeout. */
const TIMEOUT = 2;
/**
 * The A1111 run injects no stalls, so any timeout there is the machine being slow (a loaded CI
 * core can take seconds for one recipe), not a fault under test: give it room.
 */
const NO_STALL_TIMEOUT = 120;

function experiment(runtime: string, budget: number, timeout = TIMEOUT): string {
  return `seed: 21
space:
  preset: sd1-27
  step: 0.05
objective:
  kind: merge
  models: { a: a.safetensors, b: b.safetensors }
  payloads:
    defaults: { width: 64, height: 64, steps: 4 }
    items: [a cat, a dog]
  scorer:
    scorers: [{ kind: builtin, model: demo }]
  runtime:
${runtime}
    retries: 8
    backoff: 0.01
    dead_after: 2
    recheck: 0.05
    timeout: ${timeout}
    save_images: none
    cache: { enabled: false }
optimizer:
  kind: random
stop:
  budget: ${budget}
`;
}

/**
 * Runs `name`.yaml from `dir` into `dir/name`, calling `afterTrial` as each trial is journaled.
 * The random optimizer's proposals do not depend on results, and with concurrency c it always
 * asks c trials first and then one per finished trial: trial n is the same recipe in every run,
 * whatever the timing, so a run under faults can be compared trial by trial with a clean one.
 */
async function run(dir: string, name: string, text: string, afterTrial: (event: TrialEvent) => void = () => {}): Promise<RunResult> {
  writeFileSync(path.join(dir, `${name}.yaml`), `${text}output:\n  dir: ${JSON.stringify(path.join(dir, name))}\n`);
  const progress = { ...createProgress('none', new PassThrough()), trial: afterTrial };
  return runExperiment(await loadAndHashExperiment(path.join(dir, `${name}.yaml`)), { progress });
}

function trials(result: RunResult): Map<number, TrialEvent> {
  const events = readJournal(path.join(result.runDir, 'journal.jsonl')).events.filter((e): e is TrialEvent => e.type === 'trial');
  expect(events.map((e) => e.id).sort((a, b) => a - b)).toEqual(Array.from({ length: events.length }, (_, i) => i)); // each trial once
  return new Map(events.map((e) => [e.id, e]));
}

/** Faults injected, and how many of them a server actually served (one armed near the end may never be). */
class FaultLog {
  readonly injected: Record<string, number> = {};
  readonly served: Record<string, number> = {};
  private readonly pending: Array<Promise<void>> = [];

  /** A fault armed; `served`, when given, settles once it has happened. */
  inject(kind: string, served?: Promise<void>): void {
    this.injected[kind] = (this.injected[kind] ?? 0) + 1;
    if (served) this.pending.push(served.then(() => this.serve(kind)));
  }

  serve(kind: string, n = 1): void {
    this.served[kind] = (this.served[kind] ?? 0) + n;
  }

  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }

  get total(): number {
    return Object.values(this.served).reduce((a, b) => a + b, 0);
  }
}

/** Expects every trial of a run under faults to equal the clean run's, except failures of the expected kind. */
function expectSurvived(faulty: RunResult, clean: RunResult, budget: number, failedAs: RegExp | undefined): number {
  expect(faulty).toMatchObject({ reason: 'budget', finished: budget });
  const got = trials(faulty);
  const want = trials(clean);
  expect(got.size).toBe(budget);
  let failed = 0;
  for (const [id, t] of got) {
    expect(t.weights).toEqual(want.get(id)!.weights);
    if (t.status === 'failed') {
      failed++;
      expect(t.error).toMatch(failedAs ?? /^$/);
    } else {
      expect(t.value).toBe(want.get(id)!.value);
    }
  }
  return failed;
}

const COUNTED_COMFY_FAULTS: Array<keyof Faults> = ['prompt500', 'promptMalformed', 'promptDropConnection', 'dropSocketDuringRun', 'oom', 'truncatedImage', 'nonPngImage'];

describe('backend faults during a whole run', () => {
  it('ComfyUI: 500s, malformed replies, dropped connections and WebSockets, out-of-memory errors, broken images, timeouts and a server that dies and comes back; every trial is retried to the clean value or recorded as failed', async () => {
    const budget = scaled(30, 300);
    const dir = tempDir('autombw-faults-');
    const servers = await Promise.all([0, 1].map(() => new FakeComfyUI().start()));
    stops.push(() => Promise.all(servers.map((s) => s.stop())).then(() => undefined));
    const runtime = (urls: string[]) => `    backend: comfyui\n    endpoints: [${urls.map((u) => `{ url: "${u}", concurrency: 1 }`).join(', ')}]`;
    const clean = await run(dir, 'clean', experiment(runtime(servers.map((s) => s.url)), budget));
    expect(clean).toMatchObject({ finished: budget, failed: 0 });

    const rng = Rng.fromSeed('comfyui-faults');
    const log = new FaultLog();
    const STALL = 'a server that stalls past the timeout';
    const deaths = new Set(scaled([8, 19], [40, 110, 190, 260]));
    // Stalls start at the first trial from each of these on, one at a time.
    const stallFrom = scaled([13], [25, 75, 150, 225]);
    let stalled: FakeComfyUI | undefined;
    let told = 0;
    const faulty = await run(dir, 'faulty', experiment(runtime(servers.map((s) => s.url)), budget), (event) => {
      told++;
      if (stalled && event.status === 'failed') {
        // A recipe timed out on the stalled server: both servers are back to full speed.
        for (const s of servers) s.imageMs = 0;
        stalled = undefined;
        log.serve(STALL);
      }
      const drawn = servers[rng.int(servers.length)];
      // While one server stalls, faults and deaths go to the other: a fast failure or a crash on the
      // stalled server sends its recipe's retry elsewhere before the timeout, and trials run so fast
      // that the stall then outlasts the run without ever being seen.
      const server = drawn === stalled ? servers.find((s) => s !== stalled)! : drawn;
      if (deaths.has(told)) {
        // Down for 300 ms: its prompt in flight is lost, the pool takes it out and re-checks it.
        log.inject('a server that dies and comes back', server.stop().then(() => new Promise((r) => setTimeout(r, 300))).then(() => server.start().then(() => undefined)));
      } else if (!stalled && (log.injected[STALL] ?? 0) < stallFrom.length && told >= stallFrom[log.injected[STALL] ?? 0]) {
        // Every prompt takes longer than the timeout until a recipe has timed out on it.
        // The other server slows to 100 ms per image meanwhile, so the 2 s until the timeout spend
        // a few dozen trials, not the rest of the run, whatever the machine's speed.
        stalled = server;
        server.imageMs = (TIMEOUT + 1.5) * 1000;
        for (const s of servers) if (s !== server) s.imageMs = 100;
        log.inject(STALL);
      } else if (rng.float() < 0.6) {
        const kind = COUNTED_COMFY_FAULTS[rng.int(COUNTED_COMFY_FAULTS.length)];
        server.faults[kind]++;
        log.inject(kind);
      }
    });
    await log.settle();
    for (const kind of COUNTED_COMFY_FAULTS) log.serve(kind, (log.injected[kind] ?? 0) - servers.reduce((n, s) => n + s.faults[kind], 0));
    const failed = expectSurvived(faulty, clean, budget, /timed out after 2s/);
    expect(log.served[STALL]).toBe(stallFrom.length);
    expect(failed).toBeGreaterThanOrEqual(stallFrom.length);
    expect(log.total).toBeGreaterThan(budget / 3);
    recordFigures('backend-faults', { backend: 'comfyui (2 fake servers)', trials: budget, injected: log.injected, served: log.served, served_total: log.total, trials_failed: failed, trials_lost: 0 });
  });

  it('AUTOMATIC1111: 500s, out-of-memory errors, malformed replies, truncated images and a server that dies and comes back; every trial is retried to the clean value', async () => {
    const budget = scaled(12, 80);
    const dir = tempDir('autombw-faults-a1111-');
    const modelsDir = path.join(dir, 'webui-models');
    mkdirSync(modelsDir);
    const keys = [...sd1UnetKeys(), ...sd1TextEncoderKeys()];
    for (const [name, value] of [['a', 0], ['b', 1]] as const) {
      await writeTensors(path.join(dir, `${name}.safetensors`), keys.map((k) => ({ name: k, dtype: 'F32', shape: [2], values: [value, value] })));
    }
    const server = await new FakeA1111({ modelsDir }).start();
    stops.push(() => server.stop());
    const runtime = `    backend: a1111\n    endpoints: [{ url: "${server.url}", concurrency: 1 }]\n    a1111: { models_dir: ${JSON.stringify(modelsDir)}, precision: f32 }`;
    const clean = await run(dir, 'clean', experiment(runtime, budget, NO_STALL_TIMEOUT));
    expect(clean).toMatchObject({ finished: budget, failed: 0 });

    const kinds: Array<keyof A1111Faults> = ['txt2img500', 'oom', 'malformed', 'truncatedImage'];
    const rng = Rng.fromSeed('a1111-faults');
    const log = new FaultLog();
    const deaths = new Set(scaled([5], [20, 50]));
    let told = 0;
    const faulty = await run(dir, 'faulty', experiment(runtime, budget, NO_STALL_TIMEOUT), () => {
      told++;
      if (deaths.has(told)) {
        log.inject('a server that dies and comes back', server.stop().then(() => new Promise((r) => setTimeout(r, 300))).then(() => server.start().then(() => undefined)));
      } else if (rng.float() < 0.7) {
        const kind = kinds[rng.int(kinds.length)];
        server.faults[kind]++;
        log.inject(kind);
      }
    });
    await log.settle();
    for (const kind of kinds) log.serve(kind, (log.injected[kind] ?? 0) - server.faults[kind]);
    expect(expectSurvived(faulty, clean, budget, undefined)).toBe(0);
    expect(readdirSync(modelsDir)).toEqual([]); // every temporary merged checkpoint removed
    expect(log.total).toBeGreaterThan(budget / 3);
    recordFigures('backend-faults', { backend: 'a1111 (1 fake server)', trials: budget, injected: log.injected, served: log.served, served_total: log.total, trials_failed: 0, trials_lost: 0 });
  });
});
