import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserInputError } from '../config/issues.js';
import { closest } from '../util/suggest.js';

type Options = NonNullable<ParseArgsConfig['options']>;
// Spelled out so the declaration build can name it (parseArgs' own return type refers to util's unexported types).
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: true; strict: true }>>;

/** node:util parseArgs with errors turned into usage errors (exit 2) naming the command. */
export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O): Parsed<O> {
  const all: Options = { ...options, help: { type: 'boolean', short: 'h' } };
  try {
    return parseArgs({ args: [...argv], options: all as O & { help: { type: 'boolean'; short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserInputError(`autombw ${command}: ${usageProblem(e as NodeJS.ErrnoException, all)} (see autombw ${command} --help)`);
  }
}

/** parseArgs' message in a user's words: its advice about `--` is for programs, not for people who mistyped an option. */
function usageProblem(e: NodeJS.ErrnoException, options: Options): string {
  const unknown = /^Unknown option '([^']+)'/.exec(e.message)?.[1];
  if (e.code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || unknown === undefined) return e.message.replace(/^TypeError \[[A-Z_]+\]: /, '');
  const names = Object.keys(options).map((name) => `--${name}`);
  const hint = closest(unknown.split('=')[0], names);
  return `unknown option ${unknown}${hint ? ` (did you mean ${hint}?)` : ''}; options: ${names.join(', ')}`;
}
