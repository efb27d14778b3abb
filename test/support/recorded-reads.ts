import type { FileHandle } from 'node:fs/promises';

/** One read a reader asked of a file: the size of the buffer it read into, and the byte range. */
export interface RecordedRead {
  buffer: number;
  position: number;
  length: number;
}

/**
 * node:fs/promises with `open` wrapped so that every read on a handle it returns is recorded in
 * `reads`: fuzz tests check from it that a reader never allocates or reads beyond the file. For
 * `vi.mock('node:fs/promises', …)`, whose factory must be self-contained (it is hoisted).
 */
export function withRecordedReads(actual: typeof import('node:fs/promises'), reads: RecordedRead[]): typeof import('node:fs/promises') {
  const open = async (...args: Parameters<typeof actual.open>): Promise<FileHandle> => {
    const handle = await actual.open(...args);
    return new Proxy(handle, {
      get(target, key) {
        if (key === 'read') {
          return (buffer: Uint8Array, offset: number, length: number, position: number) => {
            reads.push({ buffer: buffer.byteLength, position, length });
            return target.read(buffer, offset, length, position);
          };
        }
        const value = Reflect.get(target, key);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  };
  return { ...actual, open };
}
