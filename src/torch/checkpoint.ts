import type { FileHandle } from 'node:fs/promises';
import { UserInputError } from '../config/issues.js';
import { DTYPE_SIZES, type Dtype } from '../merge/dtype.js';
import { PickleDict, PickleRefusal, TensorRef, describe, readPickle, type PickleValue } from './pickle.js';
import { ZipViolation, readZipDirectory, readerOf, type ReadAt, type ZipEntry } from './zip.js';
import { openModelFile } from '../merge/open-model-file.js';

/**
 * A PyTorch zip checkpoint (`torch.save` since 1.6: `.ckpt`, `.pt`, `.pth`, `.bin`) opened for
 * reading without running it: the zip directory and `data.pkl` are parsed by autombw's own
 * readers (zip.ts, pickle.ts), and each tensor is read from its storage entry in place, never
 * extracted. The state dict is the top-level dict, or its `state_dict` entry for training
 * checkpoints (PyTorch Lightning's, as Stable Diffusion 1.x ships).
 */

export interface TorchTensor {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Row-major size in bytes, which `read` returns. */
  readonly byteLength: number;
}

interface Located extends TorchTensor {
  readonly storage: ZipEntry;
  readonly offset: number;
  readonly stride: readonly number[];
}

const MAX_PICKLE_BYTES = 512 * 1024 * 1024;

export class TorchCheckpoint {
  private gathered: { tensor: Located; bytes: Uint8Array } | undefined;
  private readonly byName: ReadonlyMap<string, Located>;

  private constructor(
    readonly file: string,
    private readonly located: readonly Located[],
    /** State-dict keys whose values are not tensors (Lightning's `epoch`, a stray `_metadata`...). */
    readonly skipped: readonly string[],
    private readonly handle: FileHandle,
    private readonly readAt: ReadAt,
  ) {
    this.byName = new Map(located.map((l) => [l.name, l]));
  }

  /** Opens and validates `file`; throws UserInputError naming the file and what is wrong with it. */
  static async open(file: string): Promise<TorchCheckpoint> {
    const handle = await openModelFile(file);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new UserInputError(`${file}: not a regular file`);
      const readAt = readerOf(handle, stat.size);
      if (stat.size >= 2) {
        const head = await readAt(0, 2);
        if (head[0] === 0x80) throw new UserInputError(`${file}: a PyTorch checkpoint in the format before PyTorch 1.6 (a bare pickle), which autombw does not read; re-save it with a current torch.save, or convert it where it was made`);
      }
      const entries = await readZipDirectory(readAt, stat.size);
      const { located, skipped } = await locate(entries, readAt);
      return new TorchCheckpoint(file, located, skipped, handle, readAt);
    } catch (e) {
      await handle.close();
      if (e instanceof ZipViolation) throw new UserInputError(`${file}: not a readable PyTorch zip checkpoint: ${e.message}`);
      if (e instanceof PickleRefusal) throw new UserInputError(`${file}: refused: ${e.message}`);
      if (e instanceof CheckpointViolation) throw new UserInputError(`${file}: ${e.message}`);
      throw e;
    }
  }

  get tensors(): readonly TorchTensor[] {
    return this.located;
  }

  /** The tensor's elements in row-major order, as little-endian bytes of its dtype. */
  async read(tensor: TorchTensor): Promise<Uint8Array> {
    const t = this.find(tensor);
    return this.named(async () => {
      if (t.byteLength === 0) return new Uint8Array(0);
      if (isRowMajor(t.shape, t.stride)) return await this.readAt(this.dataStart(t), t.byteLength);
      return await this.gather(t);
    });
  }

  /**
   * `length` bytes of the tensor's row-major bytes from `offset` bytes in, into the start of
   * `target`, read in place for a contiguous tensor, so a merge can stream a large tensor in
   * chunks; a strided view is gathered whole once and kept until a range of another tensor is read.
   */
  async readRange(tensor: TorchTensor, offset: number, length: number, target: Uint8Array): Promise<Uint8Array> {
    const t = this.find(tensor);
    if (offset < 0 || length < 0 || offset + length > t.byteLength) {
      throw new RangeError(`read of ${length} bytes at ${offset} is outside tensor "${t.name}" (${t.byteLength} bytes)`);
    }
    if (target.length < length) throw new RangeError(`buffer of ${target.length} bytes is too small for ${length}`);
    if (!isRowMajor(t.shape, t.stride)) {
      if (this.gathered?.tensor !== t) this.gathered = { tensor: t, bytes: await this.named(() => this.gather(t)) };
      target.set(this.gathered.bytes.subarray(offset, offset + length));
      return target.subarray(0, length);
    }
    return this.named(() => this.readAt(this.dataStart(t) + offset, length, target));
  }

  private find(tensor: TorchTensor): Located {
    const t = this.byName.get(tensor.name);
    if (!t) throw new RangeError(`no tensor "${tensor.name}" in ${this.file}`);
    return t;
  }

  private dataStart(t: Located): number {
    return t.storage.dataStart + t.offset * DTYPE_SIZES[t.dtype];
  }

  /** A view into a larger storage: reads the span it covers, then gathers its elements in order. */
  private async gather(t: Located): Promise<Uint8Array> {
    const size = DTYPE_SIZES[t.dtype];
    const count = t.byteLength / size;
    const last = t.offset + t.shape.reduce((sum, n, i) => sum + (n - 1) * t.stride[i], 0);
    const span = await this.readAt(this.dataStart(t), (last - t.offset + 1) * size);
    const out = new Uint8Array(t.byteLength);
    const index = new Array<number>(t.shape.length).fill(0);
    for (let k = 0; k < count; k++) {
      let source = 0;
      for (let d = 0; d < index.length; d++) source += index[d] * t.stride[d];
      out.set(span.subarray(source * size, source * size + size), k * size);
      for (let d = index.length - 1; d >= 0 && ++index[d] === t.shape[d]; d--) index[d] = 0;
    }
    return out;
  }

  /** Names the file in a read that finds the archive truncated or changed. */
  private async named(read: () => Promise<Uint8Array>): Promise<Uint8Array> {
    try {
      return await read();
    } catch (e) {
      if (e instanceof ZipViolation) throw new UserInputError(`${this.file}: ${e.message}`);
      throw e;
    }
  }
  async close(): Promise<void> {
    await this.handle.close();
  }
}

class CheckpointViolation extends Error {}

async function locate(entries: Map<string, ZipEntry>, readAt: ReadAt): Promise<{ located: Located[]; skipped: string[] }> {
  const pickles = [...entries.keys()].filter((n) => /^[^/]+\/data\.pkl$/.test(n));
  if (pickles.length !== 1) throw new CheckpointViolation(pickles.length === 0 ? 'no <name>/data.pkl in the archive: not a torch.save checkpoint' : `${pickles.length} data.pkl entries; expected one`);
  const prefix = pickles[0].slice(0, -'data.pkl'.length);
  const byteorder = entries.get(`${prefix}byteorder`);
  if (byteorder && byteorder.size <= 16) {
    const order = new TextDecoder().decode(await readAt(byteorder.dataStart, byteorder.size));
    if (order !== 'little') throw new CheckpointViolation(`stored ${JSON.stringify(order)}-endian; only little-endian checkpoints are read`);
  }
  const pkl = entries.get(pickles[0])!;
  if (pkl.size > MAX_PICKLE_BYTES) throw new CheckpointViolation(`data.pkl is ${pkl.size} bytes, more than the ${MAX_PICKLE_BYTES} a state dict needs`);
  const root = readPickle(await readAt(pkl.dataStart, pkl.size));
  const dict = stateDict(root);

  const located: Located[] = [];
  const skipped: string[] = [];
  for (const [key, value] of dict.entries) {
    if (typeof key !== 'string') throw new CheckpointViolation(`state dict key ${describe(key)} is not a string`);
    if (!(value instanceof TensorRef)) {
      skipped.push(key);
      continue;
    }
    located.push(place(key, value, entries, prefix));
  }
  if (located.length === 0) throw new CheckpointViolation('holds no tensors');
  return { located, skipped };
}

function stateDict(root: PickleValue): PickleDict {
  if (!(root instanceof PickleDict)) throw new CheckpointViolation(`holds ${describe(root)}, not a state dict (a dict of tensors)`);
  const nested = root.entries.get('state_dict');
  return nested instanceof PickleDict ? nested : root;
}

function place(name: string, t: TensorRef, entries: Map<string, ZipEntry>, prefix: string): Located {
  const storage = entries.get(`${prefix}data/${t.storage.key}`);
  if (!storage) throw new CheckpointViolation(`tensor "${name}" refers to storage ${t.storage.key}, which the archive lacks`);
  const size = DTYPE_SIZES[t.storage.element];
  if (storage.size !== t.storage.numel * size) {
    throw new CheckpointViolation(`storage ${t.storage.key} holds ${storage.size} bytes, but the pickle says ${t.storage.numel} ${t.storage.element} elements (${t.storage.numel * size} bytes)`);
  }
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (count > 0) {
    const last = t.offset + t.shape.reduce((sum, n, i) => sum + (n - 1) * t.stride[i], 0);
    // A view may not reach past its storage, nor (with zero or overlapping strides) claim more elements than it holds.
    if (last >= t.storage.numel || count > t.storage.numel) {
      throw new CheckpointViolation(`tensor "${name}" (shape [${t.shape.join(', ')}], stride [${t.stride.join(', ')}], offset ${t.offset}) does not fit its storage of ${t.storage.numel} elements`);
    }
  }
  return { name, dtype: t.storage.element, shape: t.shape, byteLength: count * size, storage, offset: t.offset, stride: t.stride };
}

function isRowMajor(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d];
  }
  return true;
}
