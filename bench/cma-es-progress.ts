/**
 * Where cma-es stands when the budget runs out: would a restart criterion have fired, and is the run
 * still improving? Runs cma-es (schema defaults) on the benchmark suite in 27-D with the same
 * seeding as `npm run bench:optimizers`, sequential ask(1)/tell, and prints per function the median
 * best value at half and full budget, how many runs improved in the second half, the range over
 * seeds of the largest coordinate standard deviation σ·√max Cᵢᵢ at the end, and the restarts made.
 * Prints Markdown; `npx tsx bench/cma-es-progress.ts [--functions a,b] [--seeds 10] [--first-seed 100] [--budget 1000]`.
 */
import { parseArgs } from 'node:util';
import { BENCHMARK_FUNCTIONS, getBenchmarkFunction } from '../src/objectives/functions/index.js';
import { CmaEs } from '../src/optimizers/cma-es.js';
import { defaultInitialSize } from '../src/optimizers/initial.js';
import { createOptimizer } from '../src/optimizers/registry.js';
import { Rng } from '../src/util/rng.js';
import { formatValue } from './optimizers/markdown.js';
import { resolveOptions, unitSpace } from './optimizers/run-job.js';
import { answerHelp } from './help.js';

answerHelp(import.meta.url);

const DIM = 27;

interface RunEnd {
  bestHalf: number;
  bestEnd: number;
  largestSd: number;
  restarts: number;
}

function run(fnName: string, seed: number, budget: number): RunEnd {
  const fn = getBenchmarkFunction(fnName, DIM);
  const rng = Rng.fromSeed(`bench-optimizers:${seed}`);
  // Derived as runTsJob derives its noise stream, so the optimizer's stream is the benchmark's.
  rng.derive('noise', fnName);
  const context = { space: unitSpace(DIM), rng: rng.derive('optimizer'), budget, initial: { design: 'sobol' as const, n: defaultInitialSize('cma-es', DIM, budget) }, warmStart: [] };
  const optimizer = createOptimizer('cma-es', context, resolveOptions('cma-es')) as CmaEs;
  let best = -Infinity;
  let bestHalf = -Infinity;
  for (let t = 1; t <= budget; t++) {
    const [trial] = optimizer.ask(1);
    const value = fn.evaluate(trial.x);
    optimizer.tell(trial.id, { status: 'ok', value });
    best = Math.max(best, value);
    if (t === Math.floor(budget / 2)) bestHalf = best;
  }
  const state = optimizer.state;
  const largestVariance = state ? Math.max(...Array.from({ length: DIM }, (_, i) => state.covariance.get(i, i))) : NaN;
  return { bestHalf, bestEnd: best, largestSd: state ? state.stepSize * Math.sqrt(largestVariance) : NaN, restarts: optimizer.restarts };
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function main(): void {
  const { values } = parseArgs({ options: { functions: { type: 'string' }, seeds: { type: 'string', default: '10' }, 'first-seed': { type: 'string', default: '100' }, budget: { type: 'string', default: '1000' } } });
  const functions = values.functions ? values.functions.split(',') : Object.keys(BENCHMARK_FUNCTIONS);
  const seeds = Array.from({ length: Number(values.seeds) }, (_, i) => Number(values['first-seed']) + i);
  const budget = Number(values.budget);
  const half = Math.floor(budget / 2);
  console.log(`cma-es (defaults) in ${DIM}-D, seeds ${seeds[0]}–${seeds[seeds.length - 1]}, at ${half} and ${budget} evaluations.\n`);
  console.log(`| function | median best @${half} | median best @${budget} | runs improved after ${half} | σ·√max Cᵢᵢ @${budget} [min, max] | restarts |`);
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const name of functions) {
    const ends = seeds.map((seed) => run(name, seed, budget));
    const sds = ends.map((e) => e.largestSd);
    const improved = ends.filter((e) => e.bestEnd > e.bestHalf).length;
    const restarts = ends.reduce((s, e) => s + e.restarts, 0);
    console.log(`| ${name} | ${formatValue(median(ends.map((e) => e.bestHalf)))} | ${formatValue(median(ends.map((e) => e.bestEnd)))} | ${improved}/${ends.length} | [${Math.min(...sds).toExponential(1)}, ${Math.max(...sds).toExponential(1)}] | ${restarts} |`);
  }
}

main();
