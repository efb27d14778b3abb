import { parseArgs } from 'node:util';

export interface BenchOptions {
  budgets: number[];
  seeds: number;
  functions: string[] | undefined;
  optimizers: string[] | undefined;
  python: boolean;
  noisy: boolean;
  quick: boolean;
  jobs: number;
  dim: number;
  /** Seeds are firstSeed … firstSeed + seeds − 1. */
  firstSeed: number;
  /** Extra contenders: a registry kind under its own name with some options changed. */
  variants: Variant[];
  /** Whether the tables replace the ones in BENCHMARKS.md. */
  write: boolean;
}

export interface Variant {
  name: string;
  kind: string;
  options: Record<string, unknown>;
}

export const USAGE = `npm run bench:optimizers -- [options]
  --budget 100,200      budgets to report (one run per seed goes to the largest)
  --seeds 10            seeds per optimizer × function
  --first-seed 0        number of the first seed (tune on other seeds than the reported ones)
  --functions a,b       subset of the suite (default: all ten)
  --optimizers a,b      registry kinds and optuna-tpe, optuna-cmaes, optuna-random (default: all)
  --variant NAME=KIND:JSON
                        also run KIND with these options changed, shown as NAME (repeatable), e.g.
                        --variant 'gp-bo-moderate=gp-bo:{"noise_prior":"moderate"}'
  --no-write            leave BENCHMARKS.md alone and skip the GP latency table (the result file is still written)
  --noise               also run each function with its documented additive noise
  --no-python           skip Optuna
  --jobs 2              parallel worker processes
  --dim 27              dimension
  --quick               smoke run (budgets 20,40, 2 seeds; about two minutes); writes no BENCHMARKS.md`;

const QUICK = { budgets: [20, 40], seeds: 2 };

function positiveInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} needs a positive integer, got "${text}"`);
  return n;
}

function list(text: string | undefined): string[] | undefined {
  return text === undefined ? undefined : text.split(',').map((s) => s.trim()).filter(Boolean);
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      budget: { type: 'string' },
      seeds: { type: 'string' },
      functions: { type: 'string' },
      optimizers: { type: 'string' },
      noise: { type: 'boolean', default: false },
      'no-python': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '2' },
      dim: { type: 'string', default: '27' },
      quick: { type: 'boolean', default: false },
      'first-seed': { type: 'string', default: '0' },
      variant: { type: 'string', multiple: true, default: [] },
      'no-write': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const quick = values.quick;
  const budgets = values.budget === undefined ? (quick ? QUICK.budgets : [100, 200]) : values.budget.split(',').map((b) => positiveInt('budget', b));
  if (budgets.some((b, i) => i > 0 && b <= budgets[i - 1])) throw new Error(`--budget must be ascending, got ${budgets.join(',')}`);
  const dim = positiveInt('dim', values.dim);
  if (dim < 2) throw new Error('--dim must be at least 2');
  return {
    budgets,
    seeds: values.seeds === undefined ? (quick ? QUICK.seeds : 10) : positiveInt('seeds', values.seeds),
    functions: list(values.functions),
    optimizers: list(values.optimizers),
    python: !values['no-python'],
    noisy: values.noise,
    quick,
    jobs: positiveInt('jobs', values.jobs),
    dim,
    firstSeed: nonNegativeInt('first-seed', values['first-seed']),
    variants: values.variant.map(parseVariant),
    write: !quick && !values['no-write'],
  };
}

function nonNegativeInt(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a non-negative integer, got "${text}"`);
  return n;
}

/** NAME=KIND:JSON, the JSON an object of options. */
export function parseVariant(text: string): Variant {
  const match = /^([\w.-]+)=([\w-]+):(.*)$/s.exec(text);
  if (!match) throw new Error(`--variant needs NAME=KIND:{"option": value}, got "${text}"`);
  const [, name, kind, json] = match;
  let options: unknown;
  try {
    options = JSON.parse(json);
  } catch (error) {
    throw new Error(`--variant ${name}: the options are not JSON (${(error as Error).message})`);
  }
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new Error(`--variant ${name}: the options must be a JSON object`);
  return { name, kind, options: options as Record<string, unknown> };
}
