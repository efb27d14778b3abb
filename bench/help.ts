import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Answers `--help` (or `-h`) for a bench script: prints the script's leading doc comment, the one
 * place its purpose and options are written, and exits 0. Call it first thing in the script, before
 * any work starts.
 */
export function answerHelp(scriptUrl: string, argv: readonly string[] = process.argv.slice(2)): void {
  if (!argv.includes('--help') && !argv.includes('-h')) return;
  const source = readFileSync(fileURLToPath(scriptUrl), 'utf8');
  const comment = /\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  console.log(
    comment
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n')
      .trim(),
  );
  process.exit(0);
}
