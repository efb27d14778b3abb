import type { FileHandle } from 'node:fs/promises';

/**
 * The central directory of a zip file, as torch.save writes it (since PyTorch 1.6): every entry
 * STORED (uncompressed), zip64 records once the archive passes 4 GiB, and data aligned to 64 bytes
 * by padding in the local header's extra field. Only the directory and the local headers are read;
 * entry data stays on disk until a caller reads a range of it. Every offset and length is checked
 * against the file before anything is allocated from it.
 */

export interface ZipEntry {
  readonly name: string;
  /** Absolute file offset of the entry's first data byte. */
  readonly dataStart: number;
  readonly size: number;
}

/** A violated zip rule; callers turn it into a UserInputError naming the file. */
export class ZipViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipViolation';
  }
}

const EOCD = 0x06054b50;
const EOCD64 = 0x06064b50;
const EOCD64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;
const CENTRAL_SIZE = 46;
const LOCAL_SIZE = 30;
/** torch archives list a few entries per tensor; a directory beyond this is not a checkpoint. */
const MAX_DIRECTORY_BYTES = 256 * 1024 * 1024;

/** Reads `length` bytes at `position` into the start of `into` when given (it must be large enough), else into a fresh buffer. */
export type ReadAt = (position: number, length: number, into?: Uint8Array) => Promise<Uint8Array>;

/** A positioned reader over `handle` that refuses ranges outside a file of `size` bytes. */
export function readerOf(handle: FileHandle, size: number): ReadAt {
  return async (position, length, into) => {
    if (position < 0 || length < 0 || position + length > size) throw new ZipViolation(`a read of ${length} bytes at ${position} runs past the end of the ${size}-byte file`);
    const buffer = into ? into.subarray(0, length) : new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
      if (bytesRead === 0) throw new ZipViolation(`unexpected end of file at byte ${position + done} (was the file changed while reading?)`);
      done += bytesRead;
    }
    return buffer;
  };
}

export async function readZipDirectory(readAt: ReadAt, fileSize: number): Promise<Map<string, ZipEntry>> {
  if (fileSize < EOCD_SIZE) throw new ZipViolation(`file is ${fileSize} bytes, too short for a zip archive`);
  const tailLength = Math.min(fileSize, EOCD_SIZE + MAX_COMMENT);
  const tailStart = fileSize - tailLength;
  const tail = await readAt(tailStart, tailLength);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD && i + EOCD_SIZE + tv.getUint16(i + 20, true) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipViolation('no end-of-central-directory record (not a zip archive, or truncated)');
  const eocdAt = tailStart + eocd;
  let entries = tv.getUint16(eocd + 10, true);
  let cdSize = tv.getUint32(eocd + 12, true);
  let cdOffset = tv.getUint32(eocd + 16, true);
  if (tv.getUint16(eocd + 4, true) !== 0 || tv.getUint16(eocd + 6, true) !== 0) throw new ZipViolation('multi-disk archives are not supported');

  let directoryEnd = eocdAt;
  if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (eocdAt < 20) throw new ZipViolation('zip64 archive without a zip64 locator');
    const locator = view(await readAt(eocdAt - 20, 20));
    if (locator.getUint32(0, true) !== EOCD64_LOCATOR) throw new ZipViolation('zip64 archive without a zip64 locator');
    const at = safeNumber(locator.getBigUint64(8, true), 'zip64 end-of-directory offset');
    if (at + 56 > eocdAt - 20) throw new ZipViolation(`zip64 end-of-directory offset ${at} is outside the file`);
    const record = view(await readAt(at, 56));
    if (record.getUint32(0, true) !== EOCD64) throw new ZipViolation(`no zip64 end-of-directory record at byte ${at}`);
    entries = safeNumber(record.getBigUint64(32, true), 'zip64 entry count');
    cdSize = safeNumber(record.getBigUint64(40, true), 'zip64 directory size');
    cdOffset = safeNumber(record.getBigUint64(48, true), 'zip64 directory offset');
    directoryEnd = at;
  }
  if (cdSize > MAX_DIRECTORY_BYTES) throw new ZipViolation(`central directory of ${cdSize} bytes exceeds the limit of ${MAX_DIRECTORY_BYTES}`);
  if (cdOffset + cdSize > directoryEnd) throw new ZipViolation(`central directory (${cdSize} bytes at ${cdOffset}) runs past its end record at ${directoryEnd}`);
  if (entries * CENTRAL_SIZE > cdSize) throw new ZipViolation(`${entries} entries cannot fit in a ${cdSize}-byte central directory`);

  const dir = await readAt(cdOffset, cdSize);
  const dv = view(dir);
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const raw: Array<{ name: string; local: number; size: number }> = [];
  let p = 0;
  for (let i = 0; i < entries; i++) {
    if (p + CENTRAL_SIZE > dir.length || dv.getUint32(p, true) !== CENTRAL) throw new ZipViolation(`central directory entry ${i} is damaged (at byte ${cdOffset + p})`);
    const flags = dv.getUint16(p + 8, true);
    const method = dv.getUint16(p + 10, true);
    let compressed = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    let local = dv.getUint32(p + 42, true);
    const next = p + CENTRAL_SIZE + nameLength + extraLength + commentLength;
    if (next > dir.length) throw new ZipViolation(`central directory entry ${i} runs past the directory`);
    let name: string;
    try {
      name = decoder.decode(dir.subarray(p + CENTRAL_SIZE, p + CENTRAL_SIZE + nameLength));
    } catch {
      throw new ZipViolation(`central directory entry ${i} has a name that is not UTF-8`);
    }
    if (flags & 1) throw new ZipViolation(`entry "${name}" is encrypted`);
    if (method !== 0) throw new ZipViolation(`entry "${name}" is compressed (method ${method}); torch.save stores entries uncompressed, so this archive was repacked: extract and re-save it, or convert it where it was made`);
    // Zip64 extra field: the 8-byte values follow in this order, each present only where the 32-bit field is saturated.
    const extra = dir.subarray(p + CENTRAL_SIZE + nameLength, p + CENTRAL_SIZE + nameLength + extraLength);
    const zip64 = findExtra(extra, 0x0001);
    if (zip64) {
      const xv = view(zip64);
      let q = 0;
      const take = (what: string): number => {
        if (q + 8 > zip64.length) throw new ZipViolation(`entry "${name}" has a short zip64 field (${what} missing)`);
        const value = safeNumber(xv.getBigUint64(q, true), `entry "${name}" ${what}`);
        q += 8;
        return value;
      };
      if (size === 0xffffffff) size = take('size');
      if (compressed === 0xffffffff) compressed = take('compressed size');
      if (local === 0xffffffff) local = take('offset');
    }
    if (compressed !== size) throw new ZipViolation(`entry "${name}" is stored but its compressed size ${compressed} differs from its size ${size}`);
    raw.push({ name, local, size });
    p = next;
  }

  const byName = new Map<string, ZipEntry>();
  for (const { name, local, size } of raw) {
    if (byName.has(name)) throw new ZipViolation(`entry "${name}" appears twice`);
    if (local + LOCAL_SIZE > cdOffset) throw new ZipViolation(`entry "${name}" starts at ${local}, outside the data area (which ends at ${cdOffset})`);
    const header = view(await readAt(local, LOCAL_SIZE));
    if (header.getUint32(0, true) !== LOCAL) throw new ZipViolation(`entry "${name}" has no local header at byte ${local}`);
    const dataStart = local + LOCAL_SIZE + header.getUint16(26, true) + header.getUint16(28, true);
    if (dataStart + size > cdOffset) throw new ZipViolation(`entry "${name}" (${size} bytes at ${dataStart}) runs past the data area (which ends at ${cdOffset})`);
    byName.set(name, { name, dataStart, size });
  }
  return byName;
}

function findExtra(extra: Uint8Array, id: number): Uint8Array | undefined {
  const v = view(extra);
  for (let p = 0; p + 4 <= extra.length; ) {
    const length = v.getUint16(p + 2, true);
    if (p + 4 + length > extra.length) return undefined;
    if (v.getUint16(p, true) === id) return extra.subarray(p + 4, p + 4 + length);
    p += 4 + length;
  }
  return undefined;
}

function safeNumber(value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipViolation(`${what} ${value} is too large`);
  return Number(value);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
