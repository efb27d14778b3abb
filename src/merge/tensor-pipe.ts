import { decodeFloats, DTYPE_SIZES, encodeFloats, type FloatDtype } from './dtype.js';
import { elementView, type ElementStep } from './element-loop.js';
import type { Kernel } from './methods/types.js';
import type { TensorEntry } from './safetensors/header.js';
import type { SafetensorsWriter } from './safetensors/writer.js';
import type { TensorSource } from './tensor-source.js';

export interface PipeInput {
  reader: TensorSource;
  entry: TensorEntry;
}


/**
 * Moves tensors from readers through a kernel into the writer in fixed-size chunks, with two
 * buffer slots so the next chunk's reads and the previous chunk's write overlap the compute.
 * Buffers are reused across tensors: memory is a few chunks, whatever the model size.
 */
export class TensorPipe {
  private readonly raw: [Uint8Array[], Uint8Array[]] = [[], []];
  private readonly out: [Uint8Array, Uint8Array] = [new Uint8Array(0), new Uint8Array(0)];
  private readonly writes: [Promise<void>, Promise<void>] = [Promise.resolve(), Promise.resolve()];
  private floats = new Float32Array(0);

  constructor(
    private readonly writer: SafetensorsWriter,
    private readonly chunkElements: number,
    private readonly signal?: AbortSignal,
  ) {
    if (!Number.isSafeInteger(chunkElements) || chunkElements < 1) throw new RangeError(`chunkElements must be a positive integer, got ${chunkElements}`);
  }

  /**
   * Streams one output tensor through an elementwise step. Without a step it is a copy of the
   * first input: byte for byte when the dtype is unchanged, else decoded and re-encoded.
   */
  async chunked(inputs: readonly PipeInput[], out: TensorEntry, elementwise: ElementStep | undefined): Promise<void> {
    const n = elementCount(out);
    const step = this.chunkElements;
    const verbatim = !elementwise && inputs[0].entry.dtype === out.dtype;
    let next = n > 0 ? this.prefetch(0, inputs, 0, Math.min(step, n)) : undefined;
    for (let k = 0, start = 0; start < n; k++, start += step) {
      this.signal?.throwIfAborted();
      const slot = (k & 1) as 0 | 1;
      const count = Math.min(step, n - start);
      const bytes = await next!;
      const following = start + step;
      next = following < n ? this.prefetch((slot ^ 1) as 0 | 1, inputs, following, Math.min(step, n - following)) : undefined;
      if (verbatim) {
        this.writes[slot] = this.writer.write(out.name, bytes[0]);
        continue;
      }
      if (elementwise) {
        await this.writes[slot];
        const target = this.outBuffer(slot, out, count);
        const [a, b, c] = inputs.map((input, i) => elementView(bytes[i], input.entry.dtype as FloatDtype, count));
        elementwise.loop(a, b, c, elementView(target, out.dtype as FloatDtype, count), count, elementwise.parameters);
        this.writes[slot] = this.writer.write(out.name, target);
      } else {
        const values = this.floatBuffer(count);
        decodeFloats(bytes[0], inputs[0].entry.dtype as FloatDtype, values, count);
        await this.emit(slot, out, values, count);
      }
    }
  }

  /** Streams one tensor through a kernel that needs all elements at once (TIES). */
  async wholeTensor(inputs: readonly PipeInput[], out: TensorEntry, kernel: Kernel): Promise<void> {
    const n = elementCount(out);
    const full = inputs.map(() => new Float32Array(n));
    for (let start = 0; start < n; start += this.chunkElements) {
      this.signal?.throwIfAborted();
      const count = Math.min(this.chunkElements, n - start);
      const bytes = await this.read(0, inputs, start, count);
      inputs.forEach((input, i) => decodeFloats(bytes[i], input.entry.dtype as FloatDtype, full[i].subarray(start), count));
    }
    kernel(full[0], full[1], full[2], full[0]);
    for (let k = 0, start = 0; start < n; k++, start += this.chunkElements) {
      const count = Math.min(this.chunkElements, n - start);
      await this.emit((k & 1) as 0 | 1, out, full[0].subarray(start, start + count), count);
    }
  }

  /** Encodes float32 values into the slot's output buffer once its previous write is done, and starts the write. */
  private async emit(slot: 0 | 1, out: TensorEntry, values: Float32Array, count: number): Promise<void> {
    await this.writes[slot];
    const bytes = this.outBuffer(slot, out, count);
    encodeFloats(values, out.dtype as FloatDtype, bytes, count);
    this.writes[slot] = this.writer.write(out.name, bytes);
  }

  /** The slot's output buffer, sized for `count` elements of the output type; its previous write must be done. */
  private outBuffer(slot: 0 | 1, out: TensorEntry, count: number): Uint8Array {
    const size = count * DTYPE_SIZES[out.dtype];
    if (this.out[slot].length < size) this.out[slot] = new Uint8Array(Math.max(size, this.chunkElements * DTYPE_SIZES[out.dtype]));
    return this.out[slot].subarray(0, size);
  }

  /** Starts reading a chunk; marks the promise handled so an abort before it is awaited does not crash the process. */
  private prefetch(slot: 0 | 1, inputs: readonly PipeInput[], start: number, count: number): Promise<Uint8Array[]> {
    const pending = this.read(slot, inputs, start, count);
    pending.catch(() => undefined);
    return pending;
  }

  private async read(slot: 0 | 1, inputs: readonly PipeInput[], start: number, count: number): Promise<Uint8Array[]> {
    await this.writes[slot]; // a verbatim copy writes straight from the slot's read buffer
    return Promise.all(inputs.map(({ reader, entry }, i) => {
      const size = DTYPE_SIZES[entry.dtype];
      const bytes = count * size;
      if ((this.raw[slot][i]?.length ?? 0) < bytes) this.raw[slot][i] = new Uint8Array(Math.max(bytes, this.chunkElements * size));
      return reader.read(entry, this.raw[slot][i], start * size, bytes);
    }));
  }

  private floatBuffer(count: number): Float32Array {
    if (this.floats.length < count) this.floats = new Float32Array(Math.max(count, this.chunkElements));
    return this.floats.subarray(0, count);
  }
}

function elementCount(entry: TensorEntry): number {
  return (entry.end - entry.begin) / DTYPE_SIZES[entry.dtype];
}
