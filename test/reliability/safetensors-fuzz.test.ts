import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { DTYPE_SIZES, type Dtype } from '../../src/merge/dtype.js';
import { serializeHeader } from '../../src/merge/safetensors/header.js';
import { SafetensorsReader } from '../../src/merge/safetensors/reader.js';
import { Rng } from '../../src/util/rng.js';
import type { RecordedRead } from '../support/recorded-reads.js';
import { tempDir } from '../support/tmp.js';
import { recordFigures, scaled } from './scale.js';

/**
 * Every read the reader makes goes through a file handle from fs/promises' `open`; wrapping it
 * shows each buffer the reader allocates to read into, and each byte range it asks for.
 */
const io = vi.hoisted(() => ({ reads: [] as RecordedRead[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const { withRecordedReads } = await import('../support/recorded-reads.js');
  return withRecordedReads(await importOriginal<typeof import('node:fs/promises')>(), io.reads);
});

const DTYPES = Object.keys(DTYPE_SIZES) as Dtype[];

/** A valid file: a few small tensors of random types and shapes (scalars and empty ones included), sometimes metadata. */
function validFile(rng: Rng): Buffer {
  const tensors = Array.from({ length: 1 + rng.int(5) }, (_, i) => {
    const shape = Array.from({ length: rng.int(4) }, () => rng.int(5));
    return { name: `model.diffusion_model.t${i}.weight`, dtype: DTYPES[rng.int(DTYPES.length)], shape };
  });
  const metadata: Record<string, string> = rng.float() < 0.5 ? { format: 'pt', note: 'fuzz' } : {};
  const { bytes, dataSize } = serializeHeader(tensors, metadata);
  const data = Buffer.alloc(dataSize);
  for (let i = 0; i < dataSize; i++) data[i] = rng.int(256);
  return Buffer.concat([bytes, data]);
}

/** JSON values chosen to break a reader that trusts them. */
const HOSTILE_VALUES: unknown[] = [
  -1, 0, 1, 7, 1.5, -0.5, 2 ** 31, 2 ** 32, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e308, -1e308,
  '', 'F32', 'F64', '__proto__', '0', null, true, false, {}, [], [[]], [1, 2, 3], [-1], [0, -1], [1e300, 1e300],
  [2 ** 31, 2 ** 31, 2 ** 31], Array.from({ length: 2000 }, () => 1), { dtype: 'F32' }, 'x'.repeat(5000), 'x'.repeat(1_000_000),
];

const FIELDS = ['dtype', 'shape', 'data_offsets'] as const;

/** Characters a refusal may add to the file's name: the rule and at most two quoted excerpts. */
const MESSAGE_ALLOWANCE = 600;

type Mutation = (file: Buffer, rng: Rng) => Buffer;

const headerLength = (file: Buffer) => (file.length >= 8 ? Number(file.readBigUInt64LE(0)) : 0);

/** The file with its header JSON replaced, the length prefix and the data section kept consistent. */
function withHeader(file: Buffer, json: string): Buffer {
  const text = Buffer.from(json, 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([prefix, text, file.subarray(8 + headerLength(file))]);
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

/** Changes to the meaning of a valid header; they parse it, so they apply to the valid file. */
const STRUCTURAL: Record<string, Mutation> = {
  'a hostile value in a tensor entry': (file, rng) => {
    const json = JSON.parse(file.toString('utf8', 8, 8 + headerLength(file)));
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    const entry = json[pick(rng, names)];
    const field = pick(rng, FIELDS);
    if (field !== 'dtype' && Array.isArray(entry[field]) && entry[field].length > 0 && rng.float() < 0.5) entry[field][rng.int(entry[field].length)] = pick(rng, HOSTILE_VALUES);
    else entry[field] = pick(rng, HOSTILE_VALUES);
    return withHeader(file, JSON.stringify(json));
  },
  'offsets moved by a few bytes': (file, rng) => {
    const json = JSON.parse(file.toString('utf8', 8, 8 + headerLength(file)));
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    const offsets = json[pick(rng, names)].data_offsets as number[];
    offsets[rng.int(2)] += rng.int(17) - 8;
    return withHeader(file, JSON.stringify(json));
  },
  'a hostile tensor name or metadata': (file, rng) => {
    const json = JSON.parse(file.toString('utf8', 8, 8 + headerLength(file)));
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    const victim = pick(rng, names);
    const entry = json[victim];
    delete json[victim];
    const choice = rng.int(4);
    if (choice === 0) json[pick(rng, ['__metadata__', '__proto__', 'constructor', '', '\u0000', '../../etc/passwd', 'é'.repeat(3000)])] = entry;
    else if (choice === 1) json.__metadata__ = pick(rng, HOSTILE_VALUES);
    else if (choice === 2) json.__metadata__ = { [victim]: pick(rng, HOSTILE_VALUES) };
    else json[victim] = entry; // unchanged, but moved last: order must not matter
    return withHeader(file, JSON.stringify(json));
  },
  'a duplicated entry': (file) => {
    const text = file.toString('utf8', 8, 8 + headerLength(file)).trimEnd();
    const first = /^\{("(?:[^"\\]|\\.)*":\{[^}]*\})/.exec(text);
    return first ? withHeader(file, `{${first[1]},${text.slice(1)}`) : file;
  },
  'deeply nested JSON': (file, rng) => {
    const depth = pick(rng, [100, 5000, 10_000, 200_000]);
    const [open, close] = pick(rng, [['[', ']'], ['{"a":', '}']]);
    const nested = `${open.repeat(depth)}0${close.repeat(depth)}`;
    const json = JSON.parse(file.toString('utf8', 8, 8 + headerLength(file)));
    const names = Object.keys(json).filter((k) => k !== '__metadata__');
    const marker = 'nested-value-goes-here';
    // As a tensor entry, as a field of one (which messages quote), or as the metadata.
    const place = rng.int(3);
    if (place === 0) json.t = marker;
    else if (place === 1) json[pick(rng, names)][pick(rng, FIELDS)] = marker;
    else json.__metadata__ = marker;
    return withHeader(file, JSON.stringify(json).replace(JSON.stringify(marker), nested));
  },
  'a field given twice in a tensor entry': (file, rng) => {
    const text = file.toString('utf8', 8, 8 + headerLength(file)).trimEnd();
    const field = pick(rng, FIELDS);
    return withHeader(file, text.replace(`"${field}":`, `"${field}":${JSON.stringify(pick(rng, HOSTILE_VALUES))},"${field}":`));
  },
  'a byte order mark before the header': (file) => withHeader(file, `\uFEFF${file.toString('utf8', 8, 8 + headerLength(file))}`),
};

/** Damage to the bytes: lengths, bit flips, cuts, as a bad download or a hostile file has them. */
const BYTES: Record<string, Mutation> = {
  'bit flips in the header': (file, rng) => {
    const out = Buffer.from(file);
    const span = Math.min(out.length, 8 + headerLength(file));
    for (let n = 1 + rng.int(4); n > 0; n--) out[rng.int(span)] ^= 1 << rng.int(8);
    return out;
  },
  'a random length prefix': (file, rng) => {
    const out = Buffer.from(file);
    const n = headerLength(file);
    const choices = [0n, 1n, 2n, BigInt(n - 1), BigInt(n + 1), BigInt(out.length - 8), BigInt(out.length), 2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n, (BigInt(rng.int(2 ** 32)) << 32n) | BigInt(rng.int(2 ** 32))];
    out.writeBigUInt64LE(pick(rng, choices));
    return out;
  },
  'bytes inserted into or cut from the header': (file, rng) => {
    const at = 8 + rng.int(Math.max(1, headerLength(file)));
    const cut = rng.float() < 0.5;
    const noise = Buffer.from(Array.from({ length: 1 + rng.int(8) }, () => rng.int(256)));
    return cut ? Buffer.concat([file.subarray(0, at), file.subarray(at + noise.length)]) : Buffer.concat([file.subarray(0, at), noise, file.subarray(at)]);
  },
  'the file truncated': (file, rng) => file.subarray(0, rng.int(file.length)),
  'bytes appended': (file, rng) => Buffer.concat([file, Buffer.alloc(1 + rng.int(64), rng.int(256))]),
};

interface Outcome {
  accepted: boolean;
  reads: number;
  /** Largest buffer the reader read into, and the file's size. */
  largestBuffer: number;
  size: number;
  ms: number;
}

/** Opens a (mutated) file the way the merge engine does and, if it is accepted, reads every tensor. */
async function exercise(file: string, bytes: Buffer): Promise<Outcome> {
  writeFileSync(file, bytes);
  io.reads.length = 0;
  const started = performance.now();
  let accepted = false;
  try {
    const reader = await SafetensorsReader.open(file);
    try {
      for (const t of reader.tensors) {
        const data = await reader.read(t);
        expect(data.length).toBe(t.end - t.begin);
        expect(Buffer.compare(data, bytes.subarray(reader.header.dataStart + t.begin, reader.header.dataStart + t.end))).toBe(0);
      }
      accepted = true;
    } finally {
      await reader.close();
    }
  } catch (e) {
    if (!(e instanceof UserInputError)) throw new Error(`a mutated file crashed the reader: ${(e as Error).stack}`);
    expect(e.message).toContain(file);
    // Hostile values are quoted in part: a message stays short whatever the header holds.
    expect(e.message.length).toBeLessThan(file.length + MESSAGE_ALLOWANCE);
  }
  for (const r of io.reads) {
    expect(r.buffer).toBeLessThanOrEqual(bytes.length); // no allocation sized by a claim the file cannot back
    expect(r.position + r.length).toBeLessThanOrEqual(bytes.length); // no read past the end of the file
  }
  return { accepted, reads: io.reads.length, largestBuffer: Math.max(0, ...io.reads.map((r) => r.buffer)), size: bytes.length, ms: performance.now() - started };
}

describe('safetensors reader under fuzzed headers and offsets', () => {
  const cases = scaled(2000, 20_000);
  it(`${cases} mutated files: each is read completely and exactly or refused as bad input, without a crash, a hang, an allocation beyond the file's size or a read past its end`, async () => {
    const rng = Rng.fromSeed('safetensors-fuzz');
    const file = path.join(tempDir(), 'fuzz.safetensors');
    const names = [...Object.keys(STRUCTURAL), ...Object.keys(BYTES)];
    const perMutation = Object.fromEntries(names.map((n) => [n, { cases: 0, accepted: 0 }]));
    let slowest = 0;
    let largestRatio = 0;
    let reads = 0;
    const started = performance.now();
    for (let i = 0; i < cases; i++) {
      const caseRng = rng.derive('case', i);
      let bytes = validFile(caseRng);
      // One structural change, one byte-level damage, or both.
      const kinds = caseRng.int(3);
      const applied: string[] = [];
      if (kinds !== 1) applied.push(pick(caseRng, Object.keys(STRUCTURAL)));
      if (kinds !== 0) applied.push(pick(caseRng, Object.keys(BYTES)));
      for (const m of applied) bytes = (STRUCTURAL[m] ?? BYTES[m])(bytes, caseRng);
      const outcome = await exercise(file, bytes);
      for (const m of applied) {
        perMutation[m].cases++;
        if (outcome.accepted) perMutation[m].accepted++;
      }
      reads += outcome.reads;
      slowest = Math.max(slowest, outcome.ms);
      largestRatio = Math.max(largestRatio, outcome.largestBuffer / Math.max(1, outcome.size));
    }
    const seconds = (performance.now() - started) / 1000;
    expect(reads).toBeGreaterThan(cases); // the wrapped handle saw the reads: the bounds above were checked
    expect(slowest).toBeLessThan(2000);
    expect(Object.values(perMutation).every((m) => m.cases > 0)).toBe(true);
    recordFigures('safetensors-fuzz', {
      cases,
      seconds: Math.round(seconds * 10) / 10,
      slowest_case_ms: Math.round(slowest * 10) / 10,
      largest_buffer_over_file_size: Math.round(largestRatio * 1000) / 1000,
      by_mutation: perMutation,
      crashes: 0,
    });
  });
});
