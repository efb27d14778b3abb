/**
 * Per-call cost of cma-es in 27-D after n observations: a run of n sequential ask(1)/tell on the
 * Levy benchmark function, then two more generations timed call by call. The tell that completes
 * a generation carries the update (rank-μ, eigendecomposition of C); the others only record a value.
 * Prints Markdown; run with `npx tsx bench/cma-es-latency.ts [--n 100,1000,5000]`.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { getBenchmarkFunction } from '../src/objectives/functions/index.js';
import { CmaEs } from '../src/optimizers/cma-es.js';
import { createOptimizer } from '../src/optimizers/registry.js';
import { Rng } from '../src/util/rng.js';
import { resolveOptions, unitSpace } from './optimizers/run-job.js';
import { answerHelp } from './help.js';

answerHelp(import.meta.url);

const DIM = 27;
const GENERATIONS_TIMED = 2;

interface Timing {
  asks: number[];
  tells: number[];
  restarts: number;
  population: number;
}

function measure(n: number): Timing {
  const f = getBenchmarkFunction('levy', DIM);
  const optimizer = createOptimizer('cma-es', { space: unitSpace(DIM), rng: Rng.fromSeed(`cma-es-latency:${n}`), budget: undefined, initial: { design: 'sobol', n: 0 }, warmStart: [] }, resolveOptions('cma-es')) as CmaEs;
  const step = (timing?: Timing) => {
    let start = performance.now();
    const [trial] = optimizer.ask(1);
    timing?.asks.push(performance.now() - start);
    const value = f.evaluate(trial.x);
    start = performance.now();
    optimizer.tell(trial.id, { status: 'ok', value });
    timing?.tells.push(performance.now() - start);
  };
  for (let k = 0; k < n; k++) step();
  const timing: Timing = { asks: [], tells: [], restarts: 0, population: 0 };
  for (let k = 0; k < GENERATIONS_TIMED * optimizer.population; k++) step(timing);
  timing.asks.sort((a, b) => a - b);
  timing.tells.sort((a, b) => a - b);
  return { ...timing, restarts: optimizer.restarts, population: optimizer.population };
}

function main(): void {
  const { values } = parseArgs({ options: { n: { type: 'string', default: '100,1000,5000' } } });
  const counts = values.n.split(',').map(Number);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`cma-es per-call time in ${DIM}-D (${cpu}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)} at start), over ${GENERATIONS_TIMED} generations after n observations.\n`);
  console.log('| observations | λ (restarts so far) | ask: median [slowest] | tell: median [slowest, the update] |');
  console.log('| ---: | ---: | ---: | ---: |');
  const ms = (t: number) => `${t.toFixed(3)} ms`;
  for (const n of counts) {
    const t = measure(n);
    console.log(`| ${n} | ${t.population} (${t.restarts}) | ${ms(t.asks[t.asks.length >> 1])} [${ms(t.asks[t.asks.length - 1])}] | ${ms(t.tells[t.tells.length >> 1])} [${ms(t.tells[t.tells.length - 1])}] |`);
  }
}

main();
