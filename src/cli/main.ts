import { UserInputError } from '../config/issues.js';
import { VERSION } from '../version.js';
import { COMMANDS } from './commands/index.js';
import { closest } from '../util/suggest.js';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `autombw ${VERSION}: find the best block-weight recipe for merging Stable Diffusion checkpoints`,
    '',
    'Usage: autombw <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "autombw <command> --help" for a command\'s options, "autombw version" for the version.',
  ].join('\n');
}

/** The CLI. Returns the exit code: 0 ok, 1 failed, 2 bad input (130 a run interrupted by Ctrl-C, 143 by SIGTERM). */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === 'version' || name === '--version' || name === '-v') {
    console.log(VERSION);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const hint = closest(name, COMMANDS.map((c) => c.name));
    console.error(`autombw: unknown command "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}\n\n${usage()}`);
    return 2;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (e) {
    if (e instanceof UserInputError) {
      for (const line of e.issues) console.error(line);
      return 2;
    }
    // Anything else is a bug or an environment failure: say so plainly, keep the stack for reports.
    console.error(`autombw ${name}: ${(e as Error).message ?? String(e)}`);
    if (process.env.AUTOMBW_DEBUG) console.error((e as Error).stack);
    return 1;
  }
}
