import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { readJournal, type TrialEvent } from '../../src/run/journal.js';
import type { Trial } from '../../src/optimizers/types.js';

/** What decides a run's result: every trial asked (point, origin, optimizer meta) and every result, in journal order. */
export interface RunHistory {
  asked: Trial[];
  told: Array<Pick<TrialEvent, 'id' | 'status' | 'value' | 'error' | 'weights' | 'details'>>;
}

export function runHistory(runDir: string): RunHistory {
  const { events } = readJournal(path.join(runDir, 'journal.jsonl'));
  const asked: Trial[] = [];
  const told: RunHistory['told'] = [];
  for (const e of events) {
    if (e.type === 'ask') asked.push(...e.trials);
    if (e.type === 'trial') told.push({ id: e.id, status: e.status, value: e.value, error: e.error, weights: e.weights, details: e.details });
  }
  return { asked, told };
}

/** The only run directory under an output directory. */
export function onlyRun(outputDir: string): string {
  const runs = readdirSync(outputDir).filter((d) => existsSync(path.join(outputDir, d, 'run.json')));
  expect(runs).toHaveLength(1);
  return path.join(outputDir, runs[0]);
}

/**
 * A run that was interrupted and resumed any number of times ends as the uninterrupted one:
 * the same trials asked and told in the same order, each exactly once, the same best recipe,
 * the same files, and a journal that ends with its run finishing.
 */
export function expectSameRun(runDir: string, referenceDir: string, budget: number): void {
  const got = runHistory(runDir);
  const want = runHistory(referenceDir);
  expect(got.told.map((t) => t.id)).toEqual(Array.from({ length: budget }, (_, i) => i));
  expect(got.asked).toEqual(want.asked);
  expect(got.told).toEqual(want.told);
  const best = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'best.json'), 'utf8'));
  expect(best(runDir)).toEqual(best(referenceDir));
  expect(readdirSync(runDir).sort()).toEqual(readdirSync(referenceDir).sort()); // nothing half-written left behind
  const last = readJournal(path.join(runDir, 'journal.jsonl')).events.at(-1);
  expect(last).toMatchObject({ type: 'stop', reason: 'budget' }); // readers (compare, reports) see it finished
}

/** Where a killed run stopped, read from its journal. */
export type KillPoint = 'no journal yet' | 'inside a journal line' | 'starting a session' | 'evaluating' | 'between a result and the next ask' | 'after the stop';

export function killPoint(journal: string): KillPoint {
  if (!existsSync(journal)) return 'no journal yet';
  const { events, truncatedTail } = readJournal(journal);
  if (truncatedTail) return 'inside a journal line';
  const last = events.at(-1)?.type;
  if (last === undefined) return 'no journal yet';
  if (last === 'stop') return 'after the stop';
  if (last === 'trial') return 'between a result and the next ask';
  const asked = events.reduce((n, e) => n + (e.type === 'ask' ? e.trials.length : 0), 0);
  const told = events.filter((e) => e.type === 'trial').length;
  return asked > told ? 'evaluating' : 'starting a session';
}

/** Occurrences of each value, for figures. */
export function tally<T extends string>(values: readonly T[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
