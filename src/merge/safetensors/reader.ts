import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../../config/issues.js';
import { FormatViolation, headerLength, parseHeader, type SafetensorsHeader, type TensorEntry } from './header.js';
import { openModelFile } from '../open-model-file.js';

const PICKLE_EXTENSIONS = new Set(['.ckpt', '.pt', '.pth', '.bin', '.pkl']);
const PICKLE_REFUSAL =
  'is a PyTorch pickle checkpoint, and this reads safetensors (`autombw merge` takes it as it is). ' +
  'Convert it to .safetensors first: `autombw convert <file> -o <file>.safetensors` reads it without running its pickle (docs/interop.md).';

/** The file is (by name or first bytes) a PyTorch checkpoint, which readers that can take one open instead. */
export class PickleCheckpointRefusal extends UserInputError {}

/**
 * A safetensors file opened for positioned reads. The header is validated completely before any
 * tensor is read, and tensors are read one at a time into caller-provided buffers, so memory use
 * depends on the largest read, never on the file size.
 */
export class SafetensorsReader {
  private readonly byName: Map<string, TensorEntry>;

  private constructor(
    readonly file: string,
    readonly size: number,
    readonly header: SafetensorsHeader,
    private readonly handle: FileHandle,
  ) {
    this.byName = new Map(header.tensors.map((t) => [t.name, t]));
  }

  /** Opens and validates `file`; throws UserInputError naming the file and the first rule it breaks. */
  static async open(file: string): Promise<SafetensorsReader> {
    if (PICKLE_EXTENSIONS.has(path.extname(file).toLowerCase())) throw new PickleCheckpointRefusal(`${file} ${PICKLE_REFUSAL}`);
    const handle = await openModelFile(file);
    let prefix: Uint8Array = new Uint8Array(0);
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new UserInputError(`${file} ${stat.isDirectory() ? 'is a directory' : 'is not a regular file'}, not a safetensors file`);
      prefix = await readExactly(handle, 0, Math.min(8, stat.size));
      const header = parseHeader(await readExactly(handle, 8, headerLength(prefix, stat.size)), stat.size);
      return new SafetensorsReader(file, stat.size, header, handle);
    } catch (e) {
      await handle.close();
      if (!(e instanceof FormatViolation)) throw e;
      // Pickle magic bytes can also be the start of a valid length prefix, so they only explain a file that failed.
      if (looksLikePickle(prefix)) throw new PickleCheckpointRefusal(`${file} ${PICKLE_REFUSAL}`);
      throw new UserInputError(`${file}: not a valid safetensors file: ${e.message}`);
    }
  }

  get tensors(): readonly TensorEntry[] {
    return this.header.tensors;
  }

  get metadata(): Readonly<Record<string, string>> {
    return this.header.metadata;
  }

  get(name: string): TensorEntry | undefined {
    return this.byName.get(name);
  }

  /**
   * Reads `length` bytes of a tensor's data starting `offset` bytes into it, into `into` (at its
   * start) or a fresh buffer. Fresh buffers start at byte 0 of their ArrayBuffer, so typed views
   * over them are aligned.
   */
  async read(entry: TensorEntry, into?: Uint8Array, offset = 0, length = entry.end - entry.begin - offset): Promise<Uint8Array> {
    if (offset < 0 || length < 0 || offset + length > entry.end - entry.begin) {
      throw new RangeError(`read of ${length} bytes at ${offset} is outside tensor "${entry.name}" (${entry.end - entry.begin} bytes)`);
    }
    const target = into ? into.subarray(0, length) : new Uint8Array(length);
    if (target.length < length) throw new RangeError(`buffer of ${into!.length} bytes is too small for ${length}`);
    await fill(this.handle, target, this.header.dataStart + entry.begin + offset, this.file);
    return target;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

// torch.save writes a zip (PK\3\4) since 1.6, and a bare pickle (protocol opcode 0x80) before.
function looksLikePickle(prefix: Uint8Array): boolean {
  if (prefix.length >= 4 && prefix[0] === 0x50 && prefix[1] === 0x4b && prefix[2] === 0x03 && prefix[3] === 0x04) return true;
  return prefix.length >= 2 && prefix[0] === 0x80 && prefix[1] >= 2 && prefix[1] <= 5;
}

async function readExactly(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  await fill(handle, buffer, position, '');
  return buffer;
}

async function fill(handle: FileHandle, target: Uint8Array, position: number, file: string): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) {
      const msg = `unexpected end of file at byte ${position + done}`;
      throw file ? new UserInputError(`${file}: ${msg} (was the file changed while reading?)`) : new FormatViolation(msg);
    }
    done += bytesRead;
  }
}
