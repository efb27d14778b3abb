import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserInputError } from '../config/issues.js';

type Options = NonNullable<ParseArgsConfig['options']>;
// Spelled out so the declaration build can name it (parseArgs' own return type refers to util's unexported types).
type Parsed<O extends Options> = ReturnType<typeof parseArgs<{ args: string[]; options: O & { help: { type: 'boolean'; short: 'h' } }; allowPositionals: true; strict: true }>>;

/** node:util parseArgs with errors turned into usage errors (exit 2) naming the command. */
export function parseCommandArgs<O extends Options>(command: string, argv: readonly string[], options: O): Parsed<O> {
  try {
    return parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UserInputError(`autombw ${command}: ${(e as Error).message.replace(/^TypeError \[[A-Z_]+\]: /, '')} (see autombw ${command} --help)`);
  }
}
