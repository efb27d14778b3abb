import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);
/** The runnable bench scripts: every top-level bench/*.ts but the shared --help helper. */
const SCRIPTS = readdirSync(path.join(ROOT, 'bench')).filter((f) => f.endsWith('.ts') && f !== 'help.ts');

describe('bench scripts', () => {
  it.each(SCRIPTS)('%s answers --help with its usage and exit code 0', async (script) => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', path.join('bench', script), '--help'], { cwd: ROOT, timeout: 120_000 });
    expect(stdout.trim().length).toBeGreaterThan(40);
    expect(stdout).not.toMatch(/^\s*\/?\*/m);
  }, 130_000);
});
