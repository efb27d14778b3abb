import type { JobResult } from './jobs.js';

/** Median and quartiles of the best values of one optimizer on one problem at one budget. */
export interface Cell {
  median: number;
  q1: number;
  q3: number;
  runs: number;
}

export interface Summary {
  budgets: number[];
  optimizers: string[];
  problems: string[];
  /** cells[optimizer][problem][budget index]; absent when every run failed. */
  cells: Record<string, Record<string, Cell[] | undefined>>;
  failures: number;
  /** Mean wall-clock and CPU seconds of one run (to the largest budget), per optimizer. */
  seconds: Record<string, number>;
  cpuSeconds: Record<string, number>;
}

/** The q-quantile of sorted values, linearly interpolated between order statistics (R type 7). */
export function quantile(sorted: readonly number[], q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

export function summarize(results: readonly JobResult[], budgets: readonly number[]): Summary {
  const optimizers = unique(results.map((r) => r.optimizer));
  const problems = unique(results.map((r) => r.problem));
  const cells: Summary['cells'] = {};
  const seconds: Record<string, number> = {};
  const cpuSeconds: Record<string, number> = {};
  for (const o of optimizers) {
    cells[o] = {};
    const own = results.filter((r) => r.optimizer === o);
    seconds[o] = own.reduce((a, r) => a + r.seconds, 0) / own.length;
    cpuSeconds[o] = own.reduce((a, r) => a + (r.cpuSeconds ?? 0), 0) / own.length;
    for (const p of problems) {
      const ok = own.filter((r) => r.problem === p && r.best);
      cells[o][p] = ok.length === 0 ? undefined : budgets.map((_, b) => {
        const values = ok.map((r) => r.best![b]).sort((x, y) => x - y);
        return { median: quantile(values, 0.5), q1: quantile(values, 0.25), q3: quantile(values, 0.75), runs: values.length };
      });
    }
  }
  return { budgets: [...budgets], optimizers, problems, cells, failures: results.filter((r) => r.error).length, seconds, cpuSeconds };
}

/**
 * Each optimizer's rank per problem by median best value (1 = best, ties share the mean rank),
 * averaged over the given problems; optimizers without results on a problem skip it.
 */
export function meanRanks(summary: Summary, problems: readonly string[], budgetIndex: number): Record<string, number> {
  const totals = new Map<string, { sum: number; n: number }>();
  for (const p of problems) {
    const entries = summary.optimizers
      .map((o) => ({ o, v: summary.cells[o][p]?.[budgetIndex].median }))
      .filter((e): e is { o: string; v: number } => e.v !== undefined);
    for (const e of entries) {
      const better = entries.filter((x) => x.v > e.v).length;
      const tied = entries.filter((x) => x.v === e.v).length;
      const t = totals.get(e.o) ?? { sum: 0, n: 0 };
      totals.set(e.o, { sum: t.sum + better + (tied + 1) / 2, n: t.n + 1 });
    }
  }
  return Object.fromEntries([...totals].map(([o, t]) => [o, t.sum / t.n]));
}

/** On how many of the problems the optimizer's median beats the reference's (both must have results). */
export function wins(summary: Summary, optimizer: string, reference: string, problems: readonly string[], budgetIndex: number): { wins: number; of: number } {
  let won = 0;
  let of = 0;
  for (const p of problems) {
    const a = summary.cells[optimizer]?.[p]?.[budgetIndex];
    const b = summary.cells[reference]?.[p]?.[budgetIndex];
    if (!a || !b) continue;
    of++;
    if (a.median > b.median) won++;
  }
  return { wins: won, of };
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}
