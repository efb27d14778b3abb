import { TorchCheckpoint, type TorchTensor } from '../torch/checkpoint.js';
import type { TensorEntry } from './safetensors/header.js';
import { PickleCheckpointRefusal, SafetensorsReader } from './safetensors/reader.js';

/**
 * What the merge engine reads a model through: tensor names, dtypes and shapes, and byte ranges of
 * a tensor's row-major data. A safetensors file is one as it is; a PyTorch zip checkpoint is read
 * in place through TorchCheckpoint, with no converted copy written.
 */
export interface TensorSource {
  readonly file: string;
  /** In the file's data order; `begin`/`end` only give each tensor's byte length for a PyTorch checkpoint. */
  readonly tensors: readonly TensorEntry[];
  get(name: string): TensorEntry | undefined;
  /** `length` bytes from `offset` bytes into the tensor, into `into` (at its start) or a fresh, aligned buffer. */
  read(entry: TensorEntry, into?: Uint8Array, offset?: number, length?: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** A PyTorch zip checkpoint as a TensorSource; entries are laid end to end in state-dict order. */
class TorchSource implements TensorSource {
  readonly tensors: readonly TensorEntry[];
  private readonly byName: Map<string, { entry: TensorEntry; tensor: TorchTensor }>;

  constructor(private readonly checkpoint: TorchCheckpoint) {
    let offset = 0;
    this.byName = new Map(checkpoint.tensors.map((tensor) => {
      const entry: TensorEntry = { name: tensor.name, dtype: tensor.dtype, shape: tensor.shape, begin: offset, end: (offset += tensor.byteLength) };
      return [tensor.name, { entry, tensor }];
    }));
    this.tensors = [...this.byName.values()].map((x) => x.entry);
  }

  get file(): string {
    return this.checkpoint.file;
  }

  get(name: string): TensorEntry | undefined {
    return this.byName.get(name)?.entry;
  }

  async read(entry: TensorEntry, into?: Uint8Array, offset = 0, length = entry.end - entry.begin - offset): Promise<Uint8Array> {
    const known = this.byName.get(entry.name);
    if (!known) throw new RangeError(`no tensor "${entry.name}" in ${this.file}`);
    return this.checkpoint.readRange(known.tensor, offset, length, into ?? new Uint8Array(length));
  }

  close(): Promise<void> {
    return this.checkpoint.close();
  }
}

/** Opens a merge input: safetensors, or a PyTorch checkpoint (by its name or its first bytes) read without running its pickle. */
export async function openTensorSource(file: string): Promise<TensorSource> {
  try {
    return await SafetensorsReader.open(file);
  } catch (e) {
    if (!(e instanceof PickleCheckpointRefusal)) throw e;
    return new TorchSource(await TorchCheckpoint.open(file));
  }
}

/** Opens several inputs, closing the ones already open if a later one fails. */
export async function openTensorSources(files: readonly string[]): Promise<TensorSource[]> {
  const sources: TensorSource[] = [];
  try {
    for (const f of files) sources.push(await openTensorSource(f));
    return sources;
  } catch (e) {
    await Promise.all(sources.map((s) => s.close()));
    throw e;
  }
}
