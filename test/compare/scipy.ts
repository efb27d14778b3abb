import { spawnSync } from 'node:child_process';

/** True when python3 with scipy and numpy is installed: the independent reference for the statistics. */
export const HAVE_SCIPY = spawnSync('python3', ['-c', 'import scipy.stats, numpy'], { encoding: 'utf8' }).status === 0;

/** Runs a Python snippet that reads JSON from stdin and prints JSON; returns the parsed result. */
export function python<T>(code: string, input: unknown): T {
  const r = spawnSync('python3', ['-B', '-c', `import json, sys\ndata = json.load(sys.stdin)\n${code}`], { input: JSON.stringify(input), encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
