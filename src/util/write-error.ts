/**
 * A failed write (a full disk, a quota, a read-only mount) as an error naming the file: the
 * system's own message says only "ENOSPC: no space left on device, write".
 */
export function writeError(file: string, cause: unknown): Error {
  return new Error(`${file}: cannot write (${cause instanceof Error ? cause.message : String(cause)})`, { cause });
}
