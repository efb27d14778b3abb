import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
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
    // The usage comes first (the doc comment, or a script's own option list): a script that ran
    // its benchmark instead prints results first.
    const firstLine = /\/\*\*\s*\n\s*\* ?(.*)/.exec(readFileSync(path.join(ROOT, 'bench', script), 'utf8'))?.[1];
    const shown = stdout.trimStart().split('\n')[0];
    expect(shown === firstLine || shown.startsWith(`npm run bench:${script.replace(/\.ts$/, '')} -- [options]`), shown).toBe(true);
  }, 130_000);
});
