import { crc32, deflateSync } from 'node:zlib';

/**
 * Just enough PNG: check that bytes are a whole PNG (signature, chunk CRCs, IHDR first, IEND
 * last), add tEXt chunks, and encode 8-bit RGB pixels. Backends hand back bytes that may be
 * truncated or not PNG at all; this is where that is caught, before a scorer chokes on it.
 */

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface PngChunk {
  type: string;
  data: Buffer;
}

export class PngError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PngError';
  }
}

export function isPng(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && SIGNATURE.equals(Buffer.from(bytes.buffer, bytes.byteOffset, 8));
}

/** The chunks of a complete PNG; throws PngError naming what is wrong. */
export function readPngChunks(bytes: Uint8Array): PngChunk[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!isPng(buf)) throw new PngError(`not a PNG (starts with ${buf.subarray(0, 8).toString('hex') || 'nothing'})`);
  const chunks: PngChunk[] = [];
  let at = 8;
  while (at < buf.length) {
    if (at + 12 > buf.length) throw new PngError(`truncated PNG: chunk header at byte ${at} runs past the end (${buf.length} bytes)`);
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > buf.length) throw new PngError(`truncated PNG: chunk ${type} needs ${length} bytes, the file ends first`);
    const crc = buf.readUInt32BE(at + 8 + length);
    if (crc32(buf.subarray(at + 4, at + 8 + length)) !== crc) throw new PngError(`corrupt PNG: bad CRC in chunk ${type}`);
    chunks.push({ type, data: buf.subarray(at + 8, at + 8 + length) });
    at = end;
    if (type === 'IEND') break;
  }
  if (chunks[0]?.type !== 'IHDR') throw new PngError('corrupt PNG: first chunk is not IHDR');
  if (chunks.at(-1)?.type !== 'IEND') throw new PngError('truncated PNG: no IEND chunk');
  return chunks;
}

/** Width and height from IHDR. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const ihdr = readPngChunks(bytes)[0].data;
  return { width: ihdr.readUInt32BE(0), height: ihdr.readUInt32BE(4) };
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/**
 * tEXt chunks are Latin-1 by the PNG spec; values outside it (prompts in other scripts) go into
 * iTXt, which is UTF-8.
 */
function textChunk(key: string, value: string): Buffer {
  if (/^[\x20-\x7e\xa0-\xff]*$/.test(value)) return chunk('tEXt', Buffer.from(`${key}\0${value}`, 'latin1'));
  return chunk('iTXt', Buffer.concat([Buffer.from(`${key}\0\0\0\0\0`, 'latin1'), Buffer.from(value, 'utf8')]));
}

/** The PNG with text chunks added just before IEND (after any existing ones). */
export function withPngText(bytes: Uint8Array, entries: Readonly<Record<string, string>>): Buffer {
  const chunks = readPngChunks(bytes);
  const parts: Buffer[] = [SIGNATURE];
  for (const c of chunks) {
    if (c.type === 'IEND') for (const [k, v] of Object.entries(entries)) parts.push(textChunk(k, v));
    parts.push(chunk(c.type, Buffer.from(c.data)));
  }
  return Buffer.concat(parts);
}

/** Text chunks (tEXt and iTXt without compression) as a map. */
export function pngText(bytes: Uint8Array): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of readPngChunks(bytes)) {
    const nul = c.data.indexOf(0);
    if (nul < 0) continue;
    const key = c.data.toString('latin1', 0, nul);
    if (c.type === 'tEXt') out[key] = c.data.toString('latin1', nul + 1);
    else if (c.type === 'iTXt' && c.data[nul + 1] === 0) {
      // key \0 compression-flag method language \0 translated-key \0 text
      let at = nul + 3;
      at = c.data.indexOf(0, at) + 1;
      at = c.data.indexOf(0, at) + 1;
      out[key] = c.data.toString('utf8', at);
    }
  }
  return out;
}

/** An 8-bit RGB PNG of `rgb` (row-major, 3 bytes per pixel). */
export function encodePng(width: number, height: number, rgb: Uint8Array, text: Readonly<Record<string, string>> = {}): Buffer {
  if (rgb.length !== width * height * 3) throw new Error(`encodePng: ${rgb.length} bytes for ${width}×${height} RGB`);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // colour type: truecolour
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let y = 0; y < height; y++) {
    raw[y * (1 + width * 3)] = 0; // filter: none
    Buffer.from(rgb.buffer, rgb.byteOffset + y * width * 3, width * 3).copy(raw, y * (1 + width * 3) + 1);
  }
  const parts: Buffer[] = [SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw))];
  for (const [k, v] of Object.entries(text)) parts.push(textChunk(k, v));
  parts.push(chunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(parts);
}
