import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { readJournal, type TrialEvent } from '../../run/journal.js';
import { UserInputError } from '../../config/issues.js';
import { runStatus } from '../../run/run-status.js';
import { formatScore } from '../../run/progress.js';

export interface RunSummary {
  dir: string;
  hash: string;
  name: string;
  optimizer: string;
  budget: number;
  finished: number;
  failed: number;
  best: number | undefined;
  status: string;
  updated: Date;
}

/** Every run under `root`, newest first. Directories that are not runs are skipped. */
export function listRuns(root: string): RunSummary[] {
  if (!existsSync(root)) return [];
  const runs: RunSummary[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = path.join(root, entry.name);
    const infoFile = path.join(dir, 'run.json');
    if (!existsSync(infoFile)) continue;
    try {
      const info = JSON.parse(readFileSync(infoFile, 'utf8'));
      const journalFile = path.join(dir, 'journal.jsonl');
      const { events } = readJournal(journalFile);
      const trials = events.filter((e): e is TrialEvent => e.type === 'trial');
      const ok = trials.filter((t) => t.status === 'ok');
      runs.push({
        dir,
        hash: info.hash,
        name: info.canonical ? (readName(dir) ?? '') : '',
        optimizer: info.canonical?.optimizer?.kind ?? '?',
        budget: info.canonical?.stop?.budget ?? 0,
        finished: trials.length,
        failed: trials.length - ok.length,
        best: ok.length ? Math.max(...ok.map((t) => t.value!)) : undefined,
        status: runStatus(dir, events),
        updated: existsSync(journalFile) ? statSync(journalFile).mtime : statSync(infoFile).mtime,
      });
    } catch {
      // unreadable run directories are listed by `autombw runs` as nothing rather than failing the listing
    }
  }
  return runs.sort((a, b) => b.updated.getTime() - a.updated.getTime());
}

function readName(dir: string): string | undefined {
  const text = readFileSync(path.join(dir, 'config.resolved.yaml'), 'utf8');
  return /^name: (.*)$/m.exec(text)?.[1]?.replace(/^["']|["']$/g, '');
}

export const runsCommand: Command = {
  name: 'runs',
  help: `Usage: autombw runs [--dir runs] [--json]

Lists the runs under a runs directory, newest first: hash prefix, name, optimizer,
trials done of the budget, failures, best value and status (budget, patience, target,
time-limit, interrupted, error, running, crashed: a session that ended without
journaling its stop, or whose process is gone).`,
  async run(argv) {
    const { values, positionals } = parseCommandArgs('runs', argv, { dir: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length > 0) throw new UserInputError('autombw runs: takes no positional arguments (use --dir)');
    const runs = listRuns(values.dir ?? 'runs');
    if (values.json) {
      console.log(JSON.stringify(runs, null, 2));
      return 0;
    }
    if (runs.length === 0) {
      console.log(`no runs in ${values.dir ?? 'runs'}`);
      return 0;
    }
    const rows = runs.map((r) => [
      r.hash.slice(0, 12),
      r.name || '—',
      r.optimizer,
      `${r.finished}/${r.budget}`,
      String(r.failed),
      formatScore(r.best),
      r.status,
      r.updated.toISOString().slice(0, 16).replace('T', ' '),
    ]);
    const header = ['run', 'name', 'optimizer', 'trials', 'failed', 'best', 'status', 'updated'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const row of [header, ...rows]) console.log(row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
    return 0;
  },
};
