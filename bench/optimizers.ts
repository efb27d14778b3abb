/**
 * `npm run bench:optimizers`: every registered optimizer and Optuna's TPE, CMA-ES and random
 * sampler on the benchmark suite, several seeds each; writes bench/results/optimizers-<date>T<hhmm>.json
 * and the tables of BENCHMARKS.md (## Optimizers). `--help` lists the options.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCHMARK_FUNCTIONS } from '../src/objectives/functions/index.js';
import { OPTIMIZERS } from '../src/optimizers/registry.js';
import { closest } from '../src/util/suggest.js';
import { parseBenchArgs, USAGE, type BenchOptions } from './optimizers/args.js';
import { estimateSeconds, latestPastRun } from './optimizers/estimate.js';
import { resolveOptions } from './optimizers/run-job.js';
import { JsonLinesWorker } from './optimizers/json-lines-worker.js';
import { optunaContenders, planJobs, problems, toRequest, type Contender } from './optimizers/jobs.js';
import { rankTable, replaceBetweenMarkers, valueTable } from './optimizers/markdown.js';
import { Progress, clock } from './optimizers/progress.js';
import { crossCheck, ensureOptuna, PYTHON, type CrossCheck } from './optimizers/python.js';
import { runJobs, type WorkerCommands } from './optimizers/scheduler.js';
import { summarize, type Summary } from './optimizers/summary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MARKERS = ['<!-- bench:optimizers:start -->', '<!-- bench:optimizers:end -->'] as const;
const REFERENCES = ['optuna-tpe', 'optuna-cmaes', 'random'];
const COMMANDS: WorkerCommands = {
  ts: { command: process.execPath, args: ['--import', 'tsx', 'bench/optimizers/ts-worker.ts'] },
  optuna: { command: PYTHON, args: ['-B', 'bench/python/optuna_worker.py'] },
};

const log = (line: string) => process.stderr.write(`${line}\n`);

function pick<T>(what: string, requested: readonly string[] | undefined, available: ReadonlyMap<string, T>): T[] {
  if (!requested) return [...available.values()];
  return requested.map((name) => {
    const found = available.get(name);
    if (found === undefined) {
      const hint = closest(name, available.keys());
      throw new Error(`unknown ${what} "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${[...available.keys()].join(', ')}`);
    }
    return found;
  });
}

function contenders(options: BenchOptions): Contender[] {
  const all = new Map<string, Contender>(Object.keys(OPTIMIZERS).map((kind) => [kind, { name: kind, engine: 'ts', kind, options: resolveOptions(kind) }]));
  for (const c of optunaContenders()) all.set(c.name, c);
  const chosen = pick('optimizer', options.optimizers, all);
  for (const v of options.variants) {
    if (!(v.kind in OPTIMIZERS)) {
      const hint = closest(v.kind, Object.keys(OPTIMIZERS));
      throw new Error(`--variant ${v.name}: unknown kind "${v.kind}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
    if (chosen.some((c) => c.name === v.name)) throw new Error(`--variant ${v.name}: that name is taken`);
    chosen.push({ name: v.name, engine: 'ts', kind: v.kind, options: resolveOptions(v.kind, v.options) });
  }
  return options.python ? chosen : chosen.filter((c) => c.engine === 'ts');
}

async function pythonSetup(functions: readonly string[], dim: number): Promise<{ versions: Record<string, unknown>; check: CrossCheck }> {
  ensureOptuna(log);
  const worker = new JsonLinesWorker('python', COMMANDS.optuna.command, COMMANDS.optuna.args, ROOT);
  try {
    const versions = await worker.request<Record<string, unknown>>({ id: 0, cmd: 'versions' });
    const check = await crossCheck(worker, functions, dim);
    log(`cross-check: ${check.points} points, TypeScript and Python agree to ${check.maxRelativeDifference.toExponential(1)} relative`);
    return { versions, check };
  } finally {
    worker.close();
  }
}

/** Runs bench/gp-latency.ts (the GP helper's latency table) when it exists; its stdout is Markdown. */
function gpLatency(): string | undefined {
  if (!existsSync(path.join(ROOT, 'bench/gp-latency.ts'))) return undefined;
  log('running bench/gp-latency.ts');
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'bench/gp-latency.ts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) return `bench/gp-latency.ts failed (exit ${run.status}).`;
  return run.stdout.trim();
}

/** The commit the optimizers came from, flagged when src/ had uncommitted changes. */
function sourceVersion(): string {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' }).stdout?.trim() ?? '';
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown';
  return git('status', '--porcelain', '--', 'src') ? `${commit} + uncommitted changes in src/` : commit;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} logical CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}`;
}

interface Report {
  command: string;
  date: string;
  source: string;
  machine: string;
  versions: Record<string, unknown>;
  loadAverageAtStart: number[];
  wallSeconds: number;
  crossCheck?: CrossCheck;
  summary: Summary;
}

function markdown(report: Report, dim: number, resultFile: string, latency: string | undefined): string {
  const { summary } = report;
  const clean = summary.problems.filter((p) => !p.endsWith('+noise'));
  const noisy = summary.problems.filter((p) => p.endsWith('+noise'));
  const seeds = Math.max(...Object.values(summary.cells).flatMap((row) => Object.values(row).map((c) => c?.[0].runs ?? 0)));
  const parts = [
    `Command: \`${report.command}\` · ${report.date} · source ${report.source} · ${report.machine} · ${Object.entries(report.versions).map(([k, v]) => `${k} ${String(v)}`).join(', ')}`,
    `Wall time ${clock(report.wallSeconds)} (load average at start ${report.loadAverageAtStart.map((l) => l.toFixed(1)).join(', ')}; timings are wall-clock and move with other load on the machine); ${seeds} seeds; ${summary.failures} failed runs; raw results: \`${resultFile}\`.`,
    report.crossCheck
      ? `Optuna ran on the Python copy of the suite (bench/python/functions.py); on ${report.crossCheck.points} seeded points the two implementations agree to ${report.crossCheck.maxRelativeDifference.toExponential(1)} relative.`
      : 'Optuna was not run (--no-python).',
    `### Ranking (noise-free functions)\n\nMean rank of the median best value across the ${clean.length} functions (1 = best), and on how many functions the median beats the reference's. Times are means per run to ${summary.budgets.at(-1)} evaluations, function evaluations included: CPU time of the worker process, and wall-clock time (which grows with other load on the machine).\n\n${rankTable(summary, clean, REFERENCES)}`,
    ...(noisy.length ? [`### Ranking (noisy functions)\n\n${rankTable(summary, noisy, REFERENCES)}`] : []),
    ...summary.budgets.map(
      (b, i) =>
        `### Best value after ${b} evaluations\n\nMedian [first quartile, third quartile] over the seeds of the noise-free value of the best observed point; higher is better, the optimum is 0 except for styblinski-tang (${BENCHMARK_FUNCTIONS['styblinski-tang'].create(dim).optimum.value.toFixed(2)} at d = ${dim}). Best median per function in bold.\n\n${valueTable(summary, summary.problems, i)}`,
    ),
    ...(latency ? [`### GP latency (bench/gp-latency.ts)\n\n${latency}`] : []),
  ];
  return parts.join('\n\n');
}

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  if (options === 'help') {
    console.log(USAGE);
    return;
  }
  const functions = pick('function', options.functions, new Map(Object.keys(BENCHMARK_FUNCTIONS).map((f) => [f, f])));
  const chosen = contenders(options);
  const started = performance.now();
  const loadAverageAtStart = os.loadavg();
  const source = sourceVersion();

  let versions: Record<string, unknown> = { node: process.version };
  let check: CrossCheck | undefined;
  if (chosen.some((c) => c.engine === 'optuna')) {
    const py = await pythonSetup(functions, options.dim);
    const { id: _id, ...rest } = py.versions;
    versions = { ...versions, ...rest };
    check = py.check;
  }

  const jobs = planJobs(chosen, problems(functions, options.noisy), options.seeds, options.firstSeed);
  log(`${jobs.length} runs: ${chosen.length} optimizers × ${functions.length * (options.noisy ? 2 : 1)} problems × ${options.seeds} seeds, budgets ${options.budgets.join('/')}, d = ${options.dim}, ${options.jobs} workers`);
  const past = latestPastRun(path.join(ROOT, 'bench/results'), options.budgets[options.budgets.length - 1]);
  if (past) {
    const estimate = estimateSeconds(jobs, past, options.jobs);
    log(`estimated ${clock(estimate.seconds)} on ${options.jobs} idle cores (CPU times of ${past.file})${estimate.unknown.length ? `, plus ${estimate.unknown.join(', ')} (not in that file)` : ''}`);
  }
  const progress = new Progress(jobs, options.jobs, past?.cpuSeconds);
  const results = await runJobs(jobs, options.jobs, COMMANDS, ROOT, (job) => toRequest(job, options.dim, options.budgets), (job, result) => progress.done(job, result));
  const summary = summarize(results, options.budgets);
  const latency = options.write ? gpLatency() : undefined;

  const date = new Date().toISOString();
  const report: Report = {
    command: ['npm run bench:optimizers', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' '),
    date,
    source,
    machine: machine(),
    versions,
    loadAverageAtStart,
    wallSeconds: (performance.now() - started) / 1000,
    ...(check ? { crossCheck: check } : {}),
    summary,
  };
  const resultFile = options.quick
    ? path.join(os.tmpdir(), 'autombw-bench-optimizers-quick.json')
    : path.join(ROOT, 'bench/results', `optimizers-${date.slice(0, 16).replace(':', '')}.json`);
  mkdirSync(path.dirname(resultFile), { recursive: true });
  const optimizerOptions = Object.fromEntries(chosen.filter((c) => c.engine === 'ts').map((c) => [c.name, c.options]));
  writeFileSync(resultFile, `${JSON.stringify({ ...report, options, optimizerOptions, runs: results }, null, 1)}\n`);
  const shownFile = options.quick ? resultFile : path.relative(ROOT, resultFile);
  const tables = markdown(report, options.dim, shownFile, latency);
  console.log(tables);
  log(`results: ${resultFile}`);
  if (options.write) {
    const file = path.join(ROOT, 'BENCHMARKS.md');
    writeFileSync(file, replaceBetweenMarkers(readFileSync(file, 'utf8'), MARKERS[0], MARKERS[1], tables));
    log('BENCHMARKS.md updated');
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
