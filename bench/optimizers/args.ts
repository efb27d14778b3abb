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
}

export const USAGE = `npm run bench:optimizers -- [options]
  --budget 100,200      budgets to report (one run per seed goes to the largest)
  --seeds 10            seeds per optimizer × function
  --functions a,b       subset of the suite (default: all ten)
  --optimizers a,b      registry kinds and optuna-tpe, optuna-cmaes, optuna-random (default: all)
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
  };
}
