/**
 * Ask latency of the GP optimizers in 27-D: for each observation count n, an optimizer is given a
 * Sobol' design of n points scored by the Levy benchmark function, asked once to warm up (the
 * first fit has no previous hyperparameters to start from, unlike every later ask of a run), and
 * then asked and told ASKS times; the table reports the median and the slowest of those asks.
 * Hyperparameter refitting is part of every ask. Prints Markdown; run with
 * `npx tsx bench/gp-latency.ts [--kinds gp-bo,turbo] [--n 50,100,200,300,500]` (both kinds by default).
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { getBenchmarkFunction } from '../src/objectives/functions/index.js';
import { createOptimizer } from '../src/optimizers/registry.js';
import { Rng } from '../src/util/rng.js';
import { resolveOptions, unitSpace } from './optimizers/run-job.js';

const DIM = 27;
const ASKS = 5;

function measure(kind: string, n: number): number[] {
  const f = getBenchmarkFunction('levy', DIM);
  const optimizer = createOptimizer(
    kind,
    { space: unitSpace(DIM), rng: Rng.fromSeed(`gp-latency:${n}`), budget: n + ASKS + 1, initial: { design: 'sobol', n }, warmStart: [] },
    resolveOptions(kind),
  );
  for (const t of optimizer.ask(n)) optimizer.tell(t.id, { status: 'ok', value: f.evaluate(t.x) });
  const times: number[] = [];
  for (let k = 0; k <= ASKS; k++) {
    const start = performance.now();
    const [trial] = optimizer.ask(1);
    const elapsed = performance.now() - start;
    if (k > 0) times.push(elapsed);
    optimizer.tell(trial.id, { status: 'ok', value: f.evaluate(trial.x) });
  }
  return times.sort((a, b) => a - b);
}

function main(): void {
  const { values } = parseArgs({ options: { kinds: { type: 'string', default: 'gp-bo,turbo' }, n: { type: 'string', default: '50,100,200,300,500' } } });
  const kinds = values.kinds.split(',');
  const counts = values.n.split(',').map(Number);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Ask latency in ${DIM}-D (${cpu}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)} at start): median [slowest] of ${ASKS} asks after one warm-up ask, hyperparameter refit included.\n`);
  console.log(`| observations | ${kinds.join(' | ')} |`);
  console.log(`| ---: | ${kinds.map(() => '---:').join(' | ')} |`);
  for (const n of counts) {
    const cells = kinds.map((kind) => {
      const times = measure(kind, n);
      return `${times[times.length >> 1].toFixed(0)} ms [${times[times.length - 1].toFixed(0)}]`;
    });
    console.log(`| ${n} | ${cells.join(' | ')} |`);
  }
}

main();
