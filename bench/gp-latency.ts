/**
 * Ask latency of the GP optimizers in 27-D: for each observation count n, an optimizer is given a
 * Sobol' design of n points scored by the Levy benchmark function, asked once to warm up (the
 * first fit has no previous hyperparameters to start from, unlike every later ask of a run), and
 * then asked and told `--asks` times; the table reports the median and the slowest of those asks in
 * wall-clock time, and the median CPU time of the process (which other load on the machine
 * inflates far less). Hyperparameter refitting is part of every ask. Prints Markdown.
 *
 *
 * With --baseline DIR (another checkout, e.g. `git worktree add /tmp/base HEAD~3`, with
 * node_modules), the same optimizers from that checkout run in the same process, fed the same
 * design, and each ask is timed on both, alternating which goes first: on a loaded machine this
 * compares the two far more fairly than two separate runs. The table then gives both CPU medians,
 * their ratio, and whether every proposal was the same.
 *
 *   npx tsx bench/gp-latency.ts [--kinds gp-bo,turbo] [--n 50,100,200,300,500] [--asks 5] [--baseline DIR]
 *
 *   --kinds     optimizers to time (default: gp-bo,turbo)
 *   --n         observation counts (default: 50,100,200,300,500)
 *   --asks      timed asks per count, after the warm-up ask (default: 5)
 *   --baseline  a checkout to compare with, ask by ask
 *   --help      print this text
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { answerHelp } from './help.js';
import { getBenchmarkFunction } from '../src/objectives/functions/index.js';
import * as registry from '../src/optimizers/registry.js';
import * as rng from '../src/util/rng.js';
import * as runJob from './optimizers/run-job.js';

const DIM = 27;

/** What the bench needs from one checkout of autombw. */
interface Checkout {
  createOptimizer: typeof registry.createOptimizer;
  Rng: typeof rng.Rng;
  resolveOptions: typeof runJob.resolveOptions;
  unitSpace: typeof runJob.unitSpace;
}

interface Timing {
  wall: number;
  cpu: number;
}

async function loadCheckout(dir: string): Promise<Checkout> {
  const load = (file: string) => import(pathToFileURL(path.resolve(dir, file)).href);
  const [{ createOptimizer }, { Rng }, { resolveOptions, unitSpace }] = await Promise.all([load('src/optimizers/registry.ts'), load('src/util/rng.ts'), load('bench/optimizers/run-job.ts')]);
  return { createOptimizer, Rng, resolveOptions, unitSpace };
}

/** Times `asks` asks (after a warm-up ask) of `kind` at n observations in each checkout; also says whether all proposed the same points. */
function measure(checkouts: Checkout[], kind: string, n: number, asks: number): { times: Timing[][]; same: boolean } {
  const f = getBenchmarkFunction('levy', DIM);
  const optimizers = checkouts.map((c) =>
    c.createOptimizer(kind, { space: c.unitSpace(DIM), rng: c.Rng.fromSeed(`gp-latency:${n}`), budget: n + asks + 1, initial: { design: 'sobol', n }, warmStart: [] }, c.resolveOptions(kind)),
  );
  for (const optimizer of optimizers) for (const t of optimizer.ask(n)) optimizer.tell(t.id, { status: 'ok', value: f.evaluate(t.x) });
  const times: Timing[][] = checkouts.map(() => []);
  let same = true;
  for (let k = 0; k <= asks; k++) {
    const order = k % 2 === 0 ? optimizers.map((_, i) => i) : optimizers.map((_, i) => optimizers.length - 1 - i);
    const trials = new Array<{ id: number; x: readonly number[] }>(optimizers.length);
    for (const i of order) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      [trials[i]] = optimizers[i].ask(1);
      const cpu = process.cpuUsage(cpuStart);
      const wall = performance.now() - start;
      if (k > 0) times[i].push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
    }
    same &&= trials.every((t) => JSON.stringify(t.x) === JSON.stringify(trials[0].x));
    optimizers.forEach((optimizer, i) => optimizer.tell(trials[i].id, { status: 'ok', value: f.evaluate(trials[i].x) }));
  }
  return { times, same };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function main(): Promise<void> {
  answerHelp(import.meta.url);
  const { values } = parseArgs({
    options: { kinds: { type: 'string', default: 'gp-bo,turbo' }, n: { type: 'string', default: '50,100,200,300,500' }, asks: { type: 'string', default: '5' }, baseline: { type: 'string' } },
  });
  const kinds = values.kinds.split(',');
  const counts = values.n.split(',').map(Number);
  const asks = Number(values.asks);
  if (!Number.isInteger(asks) || asks < 1) throw new Error(`--asks must be a positive integer, got ${values.asks}`);
  const current: Checkout = { createOptimizer: registry.createOptimizer, Rng: rng.Rng, resolveOptions: runJob.resolveOptions, unitSpace: runJob.unitSpace };
  const baseline = values.baseline === undefined ? undefined : await loadCheckout(values.baseline);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const machine = `${cpu}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)} at start`;
  if (!baseline) {
    console.log(`Ask latency in ${DIM}-D (${machine}): wall-clock median [slowest] and CPU-time median of ${asks} asks after one warm-up ask, hyperparameter refit included.\n`);
    console.log(`| observations | ${kinds.map((k) => `${k} wall | ${k} CPU`).join(' | ')} |`);
    console.log(`| ---: | ${kinds.map(() => '---: | ---:').join(' | ')} |`);
  } else {
    console.log(`Ask latency in ${DIM}-D against ${values.baseline} (${machine}): CPU-time medians of ${asks} asks after one warm-up ask, each ask timed on both, hyperparameter refit included.\n`);
    console.log(`| observations | ${kinds.map((k) => `${k} baseline | ${k} this | ${k} ratio | ${k} same proposals`).join(' | ')} |`);
    console.log(`| ---: | ${kinds.map(() => '---: | ---: | ---: | :---:').join(' | ')} |`);
  }
  for (const n of counts) {
    const cells = kinds.map((kind) => {
      if (!baseline) {
        const [times] = measure([current], kind, n, asks).times;
        const walls = times.map((t) => t.wall);
        return `${median(walls).toFixed(0)} ms [${Math.max(...walls).toFixed(0)}] | ${median(times.map((t) => t.cpu)).toFixed(0)} ms`;
      }
      const { times, same } = measure([baseline, current], kind, n, asks);
      const [before, after] = times.map((t) => median(t.map((x) => x.cpu)));
      return `${before.toFixed(0)} ms | ${after.toFixed(0)} ms | ${(after / before).toFixed(2)} | ${same ? 'yes' : 'no'}`;
    });
    console.log(`| ${n} | ${cells.join(' | ')} |`);
  }
}

await main();
