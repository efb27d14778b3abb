import { DTYPE_SIZES, isDtype, type Dtype } from '../dtype.js';
import { isPlainObject } from '../../util/json.js';
import { excerpt } from './excerpt.js';

/**
 * The safetensors header: `[u64 LE length N][N bytes of UTF-8 JSON][data]`. The JSON maps tensor
 * names to `{dtype, shape, data_offsets: [begin, end]}` (offsets relative to the data section) and
 * may hold `__metadata__`, a map of strings or null. Rules follow huggingface/safetensors
 * (tensor.rs, `SafeTensors::read_metadata` and `Metadata::validate`): N ≤ 100,000,000; JSON as
 * serde_json reads it (leading and trailing JSON whitespace allowed, no byte order mark, no field
 * twice in a tensor entry); tensors cover the data section contiguously, without gaps or overlap;
 * each span equals shape × element size; the last tensor ends at the end of the file. As the
 * format's README requires, though the reference's maps keep the last value silently, no key may
 * appear twice in the header or in `__metadata__`.
 */

export interface TensorEntry {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Byte offset within the data section. */
  readonly begin: number;
  readonly end: number;
}

export interface SafetensorsHeader {
  /** Tensors in data order (ascending offsets). */
  readonly tensors: readonly TensorEntry[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Absolute file offset where the data section starts (8 + N). */
  readonly dataStart: number;
}

export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

/** A violated format rule; the reader turns it into a UserInputError naming the file. */
export class FormatViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FormatViolation';
  }
}

/** Reads the 8-byte prefix; `fileSize` bounds the header before any allocation depends on it. */
export function headerLength(prefix: Uint8Array, fileSize: number): number {
  if (fileSize < 8) throw new FormatViolation(`file is ${fileSize} bytes, shorter than the 8-byte header length prefix`);
  const view = new DataView(prefix.buffer, prefix.byteOffset, 8);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(MAX_HEADER_BYTES)) throw new FormatViolation(`header length ${n} exceeds the limit of ${MAX_HEADER_BYTES} bytes`);
  const length = Number(n);
  if (length < 2) throw new FormatViolation(`header length ${length} is too small to hold a JSON object`);
  if (8 + length > fileSize) throw new FormatViolation(`header length ${length} runs past the end of the ${fileSize}-byte file (truncated?)`);
  return length;
}

/** Validates the header JSON against the data section of a file of `fileSize` bytes. */
export function parseHeader(headerBytes: Uint8Array, fileSize: number): SafetensorsHeader {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(headerBytes);
  } catch {
    throw new FormatViolation('header is not valid UTF-8');
  }
  // TextDecoder drops a byte order mark unless told to keep it; serde_json refuses one.
  if (text.startsWith('\uFEFF')) throw new FormatViolation('header starts with a byte order mark (U+FEFF); safetensors headers are plain UTF-8 JSON');
  if (!/^[ \t\n\r]*\{/.test(text)) throw new FormatViolation('header does not start with "{"');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new FormatViolation(`header is not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(json)) throw new FormatViolation('header is not a JSON object');
  checkDuplicateKeys(text);

  const dataStart = 8 + headerBytes.length;
  const dataSize = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: TensorEntry[] = [];
  for (const [name, value] of Object.entries(json)) {
    if (name === METADATA_KEY) {
      metadata = checkMetadata(value);
      continue;
    }
    tensors.push(checkTensor(name, value, dataSize));
  }

  tensors.sort((x, y) => x.begin - y.begin || x.end - y.end);
  let expected = 0;
  for (const t of tensors) {
    if (t.begin < expected) throw new FormatViolation(`tensor ${excerpt(t.name)} overlaps the previous tensor (starts at ${t.begin}, previous ends at ${expected})`);
    if (t.begin > expected) throw new FormatViolation(`gap in the data section before tensor ${excerpt(t.name)} (starts at ${t.begin}, previous ends at ${expected})`);
    expected = t.end;
  }
  if (expected !== dataSize) {
    throw new FormatViolation(expected < dataSize
      ? `data section has ${dataSize - expected} bytes after the last tensor`
      : `tensors need ${expected} data bytes but the file holds ${dataSize} (truncated?)`);
  }
  return { tensors, metadata, dataStart };
}

/** The reference reads `__metadata__` as an optional map, so null means none. */
function checkMetadata(value: unknown): Record<string, string> {
  if (value === null) return {};
  if (!isPlainObject(value)) throw new FormatViolation('__metadata__ is not an object of strings');
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new FormatViolation(`__metadata__ value ${excerpt(k)} is not a string`);
  }
  return value as Record<string, string>;
}

function checkTensor(name: string, value: unknown, dataSize: number): TensorEntry {
  const where = `tensor ${excerpt(name)}`;
  if (!isPlainObject(value)) throw new FormatViolation(`${where} is not an object with dtype, shape and data_offsets`);
  const { dtype, shape, data_offsets: offsets } = value;
  if (!isDtype(dtype)) throw new FormatViolation(`${where} has unknown dtype ${excerpt(dtype)}; known: ${Object.keys(DTYPE_SIZES).join(', ')}`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
    throw new FormatViolation(`${where} has an invalid shape ${excerpt(shape)}; expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
    throw new FormatViolation(`${where} has invalid data_offsets ${excerpt(offsets)}; expected [begin, end] non-negative integers`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw new FormatViolation(`${where} has data_offsets [${begin}, ${end}] with end before begin`);
  if (end > dataSize) throw new FormatViolation(`${where} ends at data offset ${end}, past the ${dataSize}-byte data section (truncated?)`);
  // Stopping once the product passes the span keeps it exact: no factor can overflow a double's integers.
  const dims = shape as number[];
  let bytes = dims.includes(0) ? 0 : DTYPE_SIZES[dtype];
  for (const d of dims) {
    if (bytes > end - begin) break;
    bytes *= d;
  }
  if (bytes !== end - begin) {
    throw new FormatViolation(`${where} has shape ${excerpt(shape)} of ${dtype}, which does not fit its ${end - begin}-byte span`);
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/**
 * JSON.parse keeps the last of duplicate keys silently. The format's README disallows duplicate
 * keys, and the reference refuses a field given twice inside a tensor entry (serde's "duplicate
 * field"), so a key twice in the header, in a tensor entry or in `__metadata__` is refused (the
 * reference's maps would keep the last tensor or metadata value of a name). Deeper objects are
 * refused by their types anyway. Runs on text JSON.parse accepted, without recursion: nesting may
 * be arbitrarily deep.
 */
function checkDuplicateKeys(text: string): void {
  // Open containers; the header object and the objects directly in it collect their keys.
  const open: Array<{ keys?: Set<string>; owner?: string }> = [];
  const unchecked = {};
  let expectKey = false;
  let lastTopKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const frame = open[open.length - 1];
      if (!expectKey || !frame?.keys) continue;
      expectKey = false;
      const key = JSON.parse(text.slice(start, i + 1)) as string;
      if (frame.keys.has(key)) {
        const where = frame.owner === undefined ? 'header' : frame.owner === METADATA_KEY ? METADATA_KEY : `tensor ${excerpt(frame.owner)}`;
        throw new FormatViolation(`${where} has the key ${excerpt(key)} twice`);
      }
      frame.keys.add(key);
      if (open.length === 1) lastTopKey = key;
    } else if (c === '{' || c === '[') {
      const collects = c === '{' && open.length <= 1;
      open.push(collects ? { keys: new Set(), ...(open.length === 1 ? { owner: lastTopKey } : {}) } : unchecked);
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      open.pop();
      expectKey = false;
    } else if (c === ',') expectKey = open[open.length - 1]?.keys !== undefined;
  }
}

/** Header bytes for tensors laid out in the given order, padded with spaces to a multiple of 8 as the reference writer does. */
export function serializeHeader(
  tensors: ReadonlyArray<{ name: string; dtype: Dtype; shape: readonly number[] }>,
  metadata: Readonly<Record<string, string>> = {},
): { bytes: Buffer; entries: TensorEntry[]; dataSize: number } {
  const json: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) json[METADATA_KEY] = metadata;
  const entries: TensorEntry[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (t.name === METADATA_KEY) throw new Error(`"${METADATA_KEY}" cannot be a tensor name`);
    if (names.has(t.name)) throw new Error(`duplicate tensor name "${t.name}"`);
    names.add(t.name);
    const size = t.shape.reduce((n, d) => n * d, DTYPE_SIZES[t.dtype]);
    const entry: TensorEntry = { name: t.name, dtype: t.dtype, shape: [...t.shape], begin: offset, end: offset + size };
    json[t.name] = { dtype: t.dtype, shape: entry.shape, data_offsets: [entry.begin, entry.end] };
    entries.push(entry);
    offset += size;
  }
  const text = Buffer.from(JSON.stringify(json), 'utf8');
  const padded = Buffer.alloc(8 + Math.ceil(text.length / 8) * 8, 0x20);
  padded.writeBigUInt64LE(BigInt(padded.length - 8), 0);
  text.copy(padded, 8);
  return { bytes: padded, entries, dataSize: offset };
}
