/** A problem found in a user's experiment, located by its JSON path; the loader turns the path into file:line:col. */
export interface ConfigIssue {
  path: ReadonlyArray<string | number>;
  message: string;
  /** The issue is about the key itself (an unknown key), not its value: locate the key. */
  key?: boolean;
}

/** Thrown for any input a user must fix. The CLI prints `issues` (never a stack) and exits with 2. */
export class UserInputError extends Error {
  constructor(
    message: string,
    readonly issues: readonly string[] = [message],
  ) {
    super(message);
    this.name = 'UserInputError';
  }
}

export function formatPath(path: ReadonlyArray<string | number>): string {
  if (path.length === 0) return '(top level)';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? (i === 0 ? p : `.${p}`) : `[${JSON.stringify(p)}]`))
    .join('');
}
