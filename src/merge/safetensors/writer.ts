import { lstat, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Dtype } from '../dtype.js';
import { writeError } from '../../util/write-error.js';
import { serializeHeader, type TensorEntry } from './header.js';

export interface TensorSpec {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
}

/**
 * Streams a safetensors file: the header is computed from the tensor list up front, then each
 * tensor's bytes are appended in list order, in as many chunks as the caller likes. Everything
 * goes to `<file>.tmp-<pid>`; `commit` fsyncs and renames it, so the final name only ever holds a
 * complete file. A process killed outright (SIGKILL, power loss) leaves its temporary behind; the
 * next writer into the directory removes those whose process is gone.
 */
export class SafetensorsWriter {
  private index = 0;
  private writtenInTensor = 0;
  private position: number;
  private readonly pending = new Set<Promise<unknown>>();

  private constructor(
    readonly file: string,
    readonly tempFile: string,
    readonly entries: readonly TensorEntry[],
    private readonly handle: FileHandle,
    private readonly dataStart: number,
    /** Temporaries of dead processes removed from the directory before writing. */
    readonly removedStale: readonly StaleTemporary[],
  ) {
    this.position = dataStart;
    this.skipEmpty();
  }

  static async create(file: string, tensors: readonly TensorSpec[], metadata: Readonly<Record<string, string>> = {}): Promise<SafetensorsWriter> {
    const { bytes, entries } = serializeHeader(tensors, metadata);
    const removedStale = await removeStaleTemporaries(path.dirname(path.resolve(file)));
    const tempFile = `${file}.tmp-${process.pid}`;
    const handle = await open(tempFile, 'w');
    try {
      await handle.write(bytes, 0, bytes.length, 0);
    } catch (e) {
      await handle.close();
      await rm(tempFile, { force: true });
      throw writeError(file, e);
    }
    return new SafetensorsWriter(file, tempFile, entries, handle, bytes.length, removedStale);
  }

  /** The tensor the next bytes belong to, or undefined when every tensor is complete. */
  get current(): TensorEntry | undefined {
    return this.entries[this.index];
  }

  /**
   * Appends `chunk` to tensor `name`, which must be the tensor being filled. The returned promise
   * settles when the bytes are handed to the OS; `chunk` must stay untouched until then, but the
   * next call need not wait for it.
   */
  write(name: string, chunk: Uint8Array): Promise<void> {
    const entry = this.current;
    if (!entry) throw new Error(`all tensors are written; got more bytes for "${name}"`);
    if (entry.name !== name) throw new Error(`tensors must be written in header order: expected "${entry.name}", got "${name}"`);
    const size = entry.end - entry.begin;
    if (this.writtenInTensor + chunk.length > size) {
      throw new Error(`tensor "${name}" is ${size} bytes; ${this.writtenInTensor + chunk.length} were written`);
    }
    const position = this.position;
    this.position += chunk.length;
    this.writtenInTensor += chunk.length;
    if (this.writtenInTensor === size) {
      this.index++;
      this.writtenInTensor = 0;
      this.skipEmpty();
    }
    const done = writeFully(this.handle, chunk, position).catch((e: unknown) => {
      throw writeError(this.file, e);
    });
    this.pending.add(done);
    const settled = done.finally(() => this.pending.delete(done));
    settled.catch(() => undefined); // surfaced by commit even if the caller never awaits this write
    return settled;
  }

  /** Flushes to disk and moves the file to its final name. */
  async commit(): Promise<void> {
    try {
      await Promise.all(this.pending);
      const missing = this.current;
      if (missing) throw new Error(`tensor "${missing.name}" and ${this.entries.length - this.index - 1} later ones were not written completely`);
      // Filesystems that allocate late report a full disk here rather than at write.
      await this.handle.sync().catch((e: unknown) => {
        throw writeError(this.file, e);
      });
    } catch (e) {
      await this.abort();
      throw e;
    }
    await this.handle.close();
    await rename(this.tempFile, this.file);
    await syncDirectory(path.dirname(this.file));
  }

  /** Deletes the temporary file; the final name is never touched. */
  async abort(): Promise<void> {
    await Promise.allSettled(this.pending);
    await this.handle.close().catch(() => undefined);
    await rm(this.tempFile, { force: true });
  }

  get bytesTotal(): number {
    const last = this.entries[this.entries.length - 1];
    return this.dataStart + (last ? last.end : 0);
  }

  private skipEmpty(): void {
    while (this.index < this.entries.length && this.entries[this.index].end === this.entries[this.index].begin) this.index++;
  }
}

export interface StaleTemporary {
  file: string;
  pid: number;
}

const TEMPORARY = /^.+\.safetensors\.tmp-(\d+)$/;

/**
 * Removes `*.safetensors.tmp-<pid>` files in `dir` whose process no longer exists. A temporary of a
 * live process is kept, whoever it is: it may be a merge in progress (or a reused pid, which only
 * delays the cleanup). Pids mean nothing across machines, so a directory shared by several hosts
 * may lose another host's temporary; that merge then fails at its rename instead of completing.
 */
export async function removeStaleTemporaries(dir: string): Promise<StaleTemporary[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const removed: StaleTemporary[] = [];
  for (const name of names) {
    const pid = Number(TEMPORARY.exec(name)?.[1] ?? NaN);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processExists(pid)) continue;
    const file = path.join(dir, name);
    if (!(await lstat(file).catch(() => undefined))?.isFile()) continue;
    await rm(file, { force: true });
    removed.push({ file, pid });
  }
  return removed;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to another user.
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Writes small in-memory tensors in one go (test files, the demo backend's tiny models). */
export async function writeSafetensors(
  file: string,
  tensors: ReadonlyArray<TensorSpec & { data: Uint8Array }>,
  metadata: Readonly<Record<string, string>> = {},
): Promise<void> {
  const writer = await SafetensorsWriter.create(file, tensors, metadata);
  try {
    for (const t of tensors) if (t.data.length > 0) await writer.write(t.name, t.data);
  } catch (e) {
    await writer.abort();
    throw e;
  }
  await writer.commit();
}

async function writeFully(handle: FileHandle, chunk: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < chunk.length) {
    const { bytesWritten } = await handle.write(chunk, done, chunk.length - done, position + done);
    done += bytesWritten;
  }
}

// Makes the rename itself durable; some platforms cannot open directories, which only loses that guarantee.
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported here (e.g. Windows)
  }
}
