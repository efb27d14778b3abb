/**
 * Ask latency of the GP optimizers in 27-D: for each observation count n, an optimizer is given a
 * Sobol' design of n points scored by the Levy benchmark function, asked once to warm up (the
 * first fit has no previous hyperparameters to start from, unlike every later ask of a run), and
 * then asked and told `--asks` times; the table reports the median and the slowest of those asks in
 * wall-clock time, and the median CPU time of the process (which other load on the machine
 * inflates far less). Hyperparameter refitting is part of every ask. Prints Markdown.
 *
 *   npx tsx bench/gp-latency.ts [--kinds gp-bo,turbo] [--n 50,100,200,300,500] [--asks 5]
 *
 *   --kinds  optimizers to time (default: gp-bo,turbo)
 *   --n      observation counts (default: 50,100,200,300,500)
 *   --asks   timed asks per count, after the warm-up ask (default: 5)
 *   --help   print this text
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { answerHelp } from './help.js';
import { getBenchmarkFunction } from '../src/objectives/functions/index.js';
import { createOptimizer } from '../src/optimizers/registry.js';
import { Rng } from '../src/util/rng.js';
import { resolveOptions, unitSpace } from './optimizers/run-job.js';

const DIM = 27;

interface Timing {
  wall: number;
  cpu: number;
}

function measure(kind: string, n: number, asks: number): Timing[] {
  const f = getBenchmarkFunction('levy', DIM);
  const optimizer = createOptimizer(
    kind,
    { space: unitSpace(DIM), rng: Rng.fromSeed(`gp-latency:${n}`), budget: n + asks + 1, initial: { design: 'sobol', n }, warmStart: [] },
    resolveOptions(kind),
  );
  for (const t of optimizer.ask(n)) optimizer.tell(t.id, { status: 'ok', value: f.evaluate(t.x) });
  const times: Timing[] = [];
  for (let k = 0; k <= asks; k++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    const [trial] = optimizer.ask(1);
    const cpu = process.cpuUsage(cpuStart);
    const wall = performance.now() - start;
    if (k > 0) times.push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
    optimizer.tell(trial.id, { status: 'ok', value: f.evaluate(trial.x) });
  }
  return times;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

function main(): void {
  answerHelp(import.meta.url);
  const { values } = parseArgs({ options: { kinds: { type: 'string', default: 'gp-bo,turbo' }, n: { type: 'string', default: '50,100,200,300,500' }, asks: { type: 'string', default: '5' } } });
  const kinds = values.kinds.split(',');
  const counts = values.n.split(',').map(Number);
  const asks = Number(values.asks);
  if (!Number.isInteger(asks) || asks < 1) throw new Error(`--asks must be a positive integer, got ${values.asks}`);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `Ask latency in ${DIM}-D (${cpu}, ${os.cpus().length} logical CPUs, load average ${os.loadavg()[0].toFixed(1)} at start): wall-clock median [slowest] and CPU-time median of ${asks} asks after one warm-up ask, hyperparameter refit included.\n`,
  );
  console.log(`| observations | ${kinds.map((k) => `${k} wall | ${k} CPU`).join(' | ')} |`);
  console.log(`| ---: | ${kinds.map(() => '---: | ---:').join(' | ')} |`);
  for (const n of counts) {
    const cells = kinds.map((kind) => {
      const times = measure(kind, n, asks);
      const walls = times.map((t) => t.wall);
      return `${median(walls).toFixed(0)} ms [${Math.max(...walls).toFixed(0)}] | ${median(times.map((t) => t.cpu)).toFixed(0)} ms`;
    });
    console.log(`| ${n} | ${cells.join(' | ')} |`);
  }
}

main();
