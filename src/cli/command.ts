/**
 * A CLI subcommand (registered, with its one-line summary, in commands/index.ts). `run` returns the process exit code: 0 ok, 1 the work failed, 2 bad input.
 * A command throws UserInputError (src/config/issues.ts) for input the user must fix; the CLI
 * prints its lines without a stack trace and exits with 2.
 */
export interface Command {
  readonly name: string;
  /** Full text for `autombw <name> --help`. */
  readonly help: string;
  run(argv: readonly string[]): Promise<number>;
}
