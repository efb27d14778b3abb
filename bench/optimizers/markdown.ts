import { meanRanks, wins, type Summary } from './summary.js';

/** Compact numbers for wide tables: three significant digits, exponent form when very large or small. */
export function formatValue(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function header(cells: readonly string[]): string {
  return `${row(cells)}\n${row(cells.map((_, i) => (i === 0 ? '---' : '---:')))}`;
}

/** Optimizers ordered by mean rank at the first budget over the given problems. */
function byRank(summary: Summary, problems: readonly string[]): string[] {
  const ranks = meanRanks(summary, problems, 0);
  return [...summary.optimizers].sort((a, b) => (ranks[a] ?? Infinity) - (ranks[b] ?? Infinity));
}

/** One row per optimizer: mean ranks, head-to-head counts against the references, time per run. */
export function rankTable(summary: Summary, problems: readonly string[], references: readonly string[]): string {
  const refs = references.filter((r) => summary.optimizers.includes(r));
  const budgetCols = summary.budgets.map((b) => `mean rank @${b}`);
  const winCols = summary.budgets.flatMap((b) => refs.map((r) => `> ${r} @${b}`));
  const ranks = summary.budgets.map((_, i) => meanRanks(summary, problems, i));
  const lines = byRank(summary, problems).map((o) => {
    const rankCells = ranks.map((r) => (r[o] === undefined ? '–' : r[o].toFixed(2)));
    const winCells = summary.budgets.flatMap((_, i) =>
      refs.map((r) => {
        if (r === o) return '–';
        const w = wins(summary, o, r, problems, i);
        return `${w.wins}/${w.of}`;
      }),
    );
    return row([o, ...rankCells, ...winCells, summary.cpuSeconds[o].toFixed(2), summary.seconds[o].toFixed(2)]);
  });
  return [header(['optimizer', ...budgetCols, ...winCols, 'CPU s / run', 'wall s / run']), ...lines].join('\n');
}

/** Median [q1, q3] of the best value per optimizer × problem at one budget; the best median per column in bold. */
export function valueTable(summary: Summary, problems: readonly string[], budgetIndex: number): string {
  const best = new Map(problems.map((p) => [p, Math.max(...summary.optimizers.map((o) => summary.cells[o][p]?.[budgetIndex].median ?? -Infinity))]));
  const ranks = meanRanks(summary, problems, budgetIndex);
  const lines = byRank(summary, problems).map((o) =>
    row([
      o,
      ...problems.map((p) => {
        const c = summary.cells[o][p]?.[budgetIndex];
        if (!c) return 'failed';
        const median = c.median === best.get(p) ? `**${formatValue(c.median)}**` : formatValue(c.median);
        return `${median} [${formatValue(c.q1)}, ${formatValue(c.q3)}]`;
      }),
      ranks[o] === undefined ? '–' : ranks[o].toFixed(2),
    ]),
  );
  return [header(['optimizer', ...problems, 'mean rank']), ...lines].join('\n');
}

/** Replaces the text between two marker lines, keeping the markers. */
export function replaceBetweenMarkers(document: string, start: string, end: string, content: string): string {
  const i = document.indexOf(start);
  const j = document.indexOf(end);
  if (i < 0 || j < i) throw new Error(`markers ${start} … ${end} not found in order`);
  return `${document.slice(0, i + start.length)}\n${content.trim()}\n${document.slice(j)}`;
}
