import { spawnSync } from 'node:child_process';
import { getBenchmarkFunction } from '../../src/objectives/functions/index.js';
import { Rng } from '../../src/util/rng.js';
import type { JsonLinesWorker } from './json-lines-worker.js';
import type { EvaluateRequest } from './protocol.js';

/** Debian's interpreter, where python3-optuna and python3-cmaes install; `python3` on PATH may be another one. */
export const PYTHON = '/usr/bin/python3';

const IMPORT_CHECK = ['-c', 'import optuna, cmaes'];

/** Makes Optuna and cmaes importable from PYTHON, installing the Debian packages when missing. */
export function ensureOptuna(log: (line: string) => void): void {
  if (spawnSync(PYTHON, IMPORT_CHECK).status === 0) return;
  log('Optuna or cmaes missing: apt-get install -y python3-optuna python3-cmaes');
  const install = spawnSync('apt-get', ['install', '-y', 'python3-optuna', 'python3-cmaes'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (install.status !== 0 || spawnSync(PYTHON, IMPORT_CHECK).status !== 0) {
    throw new Error(`could not install python3-optuna and python3-cmaes for ${PYTHON} (needs root and apt); run with --no-python to skip Optuna`);
  }
}

export const CROSS_CHECK_POINTS = 100;
export const CROSS_CHECK_TOLERANCE = 1e-9;

export interface CrossCheck {
  points: number;
  maxRelativeDifference: number;
  /** The function and point where the two implementations differ most. */
  worst: { function: string; ts: number; python: number };
}

/** |a − b| relative to the larger magnitude; 0 when both are 0. */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/**
 * Evaluates the TypeScript and Python suites on the same seeded points and throws if any value
 * differs by more than CROSS_CHECK_TOLERANCE relative: Optuna must see the functions the
 * TypeScript optimizers see.
 */
export async function crossCheck(python: Pick<JsonLinesWorker, 'request'>, functions: readonly string[], dim: number): Promise<CrossCheck> {
  const result: CrossCheck = { points: 0, maxRelativeDifference: 0, worst: { function: '', ts: 0, python: 0 } };
  for (const [k, name] of functions.entries()) {
    const rng = Rng.fromSeed('bench-optimizers').derive('cross-check', name);
    const points = Array.from({ length: CROSS_CHECK_POINTS }, () => Array.from({ length: dim }, () => rng.float()));
    const fn = getBenchmarkFunction(name, dim);
    const reply = await python.request<{ values?: number[]; error?: string }>({ id: -1 - k, cmd: 'evaluate', function: name, dim, points } satisfies EvaluateRequest);
    if (!reply.values) throw new Error(`Python ${name}: ${reply.error ?? 'no values'}`);
    const values = reply.values;
    points.forEach((x, i) => {
      const ts = fn.evaluate(x);
      const diff = relativeDifference(ts, values[i]);
      if (diff >= result.maxRelativeDifference) Object.assign(result, { maxRelativeDifference: diff, worst: { function: name, ts, python: values[i] } });
    });
    result.points += points.length;
  }
  if (result.maxRelativeDifference > CROSS_CHECK_TOLERANCE) {
    const w = result.worst;
    throw new Error(`TypeScript and Python disagree on ${w.function}: ${w.ts} vs ${w.python} (relative ${result.maxRelativeDifference.toExponential(2)} > ${CROSS_CHECK_TOLERANCE})`);
  }
  return result;
}
