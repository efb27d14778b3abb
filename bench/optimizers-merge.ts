/**
 * Tables of `npm run bench:optimizers` over the runs of several result files, e.g. a TypeScript
 * optimizer and an Optuna sampler benchmarked by separate commands on the same seeds and budgets:
 * `npx tsx bench/optimizers-merge.ts --reference optuna-cmaes bench/results/A.json bench/results/B.json`.
 * Prints Markdown (the ranking against the reference, then the values at each budget).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { JobResult } from './optimizers/jobs.js';
import { rankTable, valueTable } from './optimizers/markdown.js';
import { summarize } from './optimizers/summary.js';
import { answerHelp } from './help.js';

answerHelp(import.meta.url);

interface ResultFile {
  command: string;
  summary: { budgets: number[] };
  runs: JobResult[];
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { reference: { type: 'string', default: 'optuna-cmaes' } }, allowPositionals: true });
  if (positionals.length === 0) throw new Error('give the result files to merge (bench/results/optimizers-*.json)');
  const files = positionals.map((file) => ({ file, data: JSON.parse(readFileSync(file, 'utf8')) as ResultFile }));
  const budgets = files[0].data.summary.budgets;
  for (const { file, data } of files) {
    if (data.summary.budgets.join() !== budgets.join()) throw new Error(`${file}: budgets ${data.summary.budgets.join(',')} differ from ${budgets.join(',')}`);
  }
  const summary = summarize(
    files.flatMap(({ data }) => data.runs),
    budgets,
  );
  console.log(`Runs of ${files.map(({ file, data }) => `\`${file}\` (\`${data.command}\`)`).join(' and ')}.\n`);
  console.log(`${rankTable(summary, summary.problems, [values.reference])}\n`);
  budgets.forEach((b, i) => console.log(`#### After ${b} evaluations\n\n${valueTable(summary, summary.problems, i)}\n`));
}

main();
