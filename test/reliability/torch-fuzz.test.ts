import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { TorchCheckpoint } from '../../src/torch/checkpoint.js';
import { PickleRefusal, readPickle } from '../../src/torch/pickle.js';
import { Rng } from '../../src/util/rng.js';
import type { RecordedRead } from '../support/recorded-reads.js';
import { tempDir } from '../support/tmp.js';
import { LAION_V1, f32, stateDictPickle, torchArchive } from '../support/torch-archive.js';
import { recordFigures, scaled } from './scale.js';

/** Every read goes through a handle from fs/promises' `open`; wrapping it shows each buffer size and range asked for. */
const io = vi.hoisted(() => ({ reads: [] as RecordedRead[] }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const { withRecordedReads } = await import('../support/recorded-reads.js');
  return withRecordedReads(await importOriginal<typeof import('node:fs/promises')>(), io.reads);
});

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[rng.int(items.length)];
}

const SEED_PICKLES = [
  stateDictPickle([
    { name: 'w', storage: 'FloatStorage', key: '0', shape: [2, 3] },
    { name: 'wt', storage: 'FloatStorage', key: '0', shape: [3, 2], stride: [1, 3] },
    { name: 'b', storage: 'HalfStorage', key: '1', shape: [4] },
  ], { lightning: true }),
];
const SEED_STORAGES = { '0': f32([1, 2, 3, 4, 5, 6]), '1': new Uint8Array(8) };

/** Valid archives to start from: the real LAION v1 head, and torch.save-shaped ones with views, Lightning nesting and zip64. */
function seeds(): Buffer[] {
  return [readFileSync(LAION_V1), torchArchive(SEED_PICKLES[0], SEED_STORAGES), torchArchive(SEED_PICKLES[0], SEED_STORAGES, { zip64: true })];
}

/** Every opcode byte a pickle can hold, allowed or not, and values chosen to break a reader that trusts them. */
const OPCODES = [...'().0123NIJKLMGXUTCBhjqrptlaesduRbcQgiPo'].map((c) => c.charCodeAt(0)).concat([...Array(0x19).keys()].map((i) => 0x80 + i));
const HOSTILE_U32 = [0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 64, 65535];

type Mutation = (bytes: Buffer, rng: Rng) => Buffer;

/** Changes to a pickle's opcodes and arguments; applied to data.pkl, with the archive rebuilt around it. */
const PICKLE: Record<string, Mutation> = {
  'a byte changed': (b, rng) => {
    const out = Buffer.from(b);
    out[rng.int(Math.max(1, out.length))] = rng.int(256);
    return out;
  },
  'an opcode inserted': (b, rng) => {
    const at = rng.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), Buffer.from([pick(rng, OPCODES)]), b.subarray(at)]);
  },
  'a span deleted': (b, rng) => {
    const at = rng.int(b.length + 1);
    return Buffer.concat([b.subarray(0, at), b.subarray(at + 1 + rng.int(16))]);
  },
  'a span repeated': (b, rng) => {
    const at = rng.int(b.length + 1);
    const span = b.subarray(at, at + 1 + rng.int(32));
    return Buffer.concat([b.subarray(0, at), span, span, b.subarray(at)]);
  },
  'a hostile 32-bit length or index': (b, rng) => {
    const out = Buffer.from(b);
    if (out.length >= 5) out.writeUInt32LE(pick(rng, HOSTILE_U32), 1 + rng.int(out.length - 4));
    return out;
  },
  'truncated': (b, rng) => b.subarray(0, rng.int(b.length + 1)),
};

/** Damage to the archive: directory fields, flips, cuts. */
const ARCHIVE: Record<string, Mutation> = {
  'bit flips': (b, rng) => {
    const out = Buffer.from(b);
    for (let n = 1 + rng.int(4); n > 0; n--) out[rng.int(Math.max(1, out.length))] ^= 1 << rng.int(8);
    return out;
  },
  'a hostile value in a directory record': (b, rng) => {
    const out = Buffer.from(b);
    const records = [0x02014b50, 0x06054b50, 0x06064b50, 0x07064b50, 0x04034b50].flatMap((sig) => {
      const at: number[] = [];
      for (let i = out.indexOf(Buffer.from(new Uint32Array([sig]).buffer)); i >= 0; i = out.indexOf(Buffer.from(new Uint32Array([sig]).buffer), i + 1)) at.push(i);
      return at;
    });
    const record = pick(rng, records);
    const field = record + 4 + rng.int(40);
    if (field + 4 <= out.length) out.writeUInt32LE(pick(rng, HOSTILE_U32), field);
    return out;
  },
  'truncated': (b, rng) => b.subarray(0, rng.int(b.length + 1)),
  'bytes appended': (b, rng) => Buffer.concat([b, Buffer.alloc(1 + rng.int(64), rng.int(256))]),
};

/** The archive with its pickle mutated in place (same length) so the zip stays valid and the pickle reader is what is tested. */
function withPickle(archive: Buffer, mutate: Mutation, rng: Rng): Buffer {
  const at = archive.indexOf(Buffer.from([0x80, 0x02]));
  const end = archive.indexOf(Buffer.from('.PK'), at); // data.pkl ends with STOP, followed by the next local header
  if (at < 0 || end < 0) return archive;
  const original = archive.subarray(at, end + 1);
  const mutated = mutate(Buffer.from(original), rng);
  if (mutated.length !== original.length) return torchArchive(mutated, SEED_STORAGES);
  const out = Buffer.from(archive);
  mutated.copy(out, at);
  return out;
}

async function exercise(file: string, bytes: Buffer): Promise<boolean> {
  writeFileSync(file, bytes);
  io.reads.length = 0;
  let accepted = false;
  try {
    const checkpoint = await TorchCheckpoint.open(file);
    try {
      for (const t of checkpoint.tensors) expect((await checkpoint.read(t)).length).toBe(t.byteLength);
      accepted = true;
    } finally {
      await checkpoint.close();
    }
  } catch (e) {
    if (!(e instanceof UserInputError)) throw new Error(`a mutated archive crashed the reader: ${(e as Error).stack}`);
    expect(e.message).toContain(file);
  }
  for (const r of io.reads) {
    expect(r.buffer).toBeLessThanOrEqual(bytes.length); // no allocation sized by a claim the file cannot back
    expect(r.position + r.length).toBeLessThanOrEqual(bytes.length); // no read past the end
  }
  return accepted;
}

describe('PyTorch checkpoint reader under fuzzed archives and pickles', () => {
  const archives = scaled(800, 12_000);
  it(`${archives} mutated archives: each is read completely or refused as bad input, without a crash, a read past the end or an allocation beyond the file's size`, async () => {
    const rng = Rng.fromSeed('torch-fuzz');
    const file = path.join(tempDir(), 'fuzz.ckpt');
    const bases = seeds();
    const perMutation: Record<string, { cases: number; accepted: number }> = {};
    for (let i = 0; i < archives; i++) {
      const caseRng = rng.derive('archive', i);
      const base = pick(caseRng, bases);
      const inPickle = caseRng.int(2) === 0;
      const name = inPickle ? pick(caseRng, Object.keys(PICKLE)) : pick(caseRng, Object.keys(ARCHIVE));
      const bytes = inPickle ? withPickle(base, PICKLE[name], caseRng) : ARCHIVE[name](base, caseRng);
      const accepted = await exercise(file, bytes);
      const key = `${inPickle ? 'pickle' : 'archive'}: ${name}`;
      perMutation[key] ??= { cases: 0, accepted: 0 };
      perMutation[key].cases++;
      if (accepted) perMutation[key].accepted++;
    }
    expect(Object.keys(perMutation).length).toBe(Object.keys(PICKLE).length + Object.keys(ARCHIVE).length);
    recordFigures('torch-fuzz-archives', { cases: archives, by_mutation: perMutation, crashes: 0 });
  }, scaled(60_000, 900_000)); // each case writes and opens a file: minutes at the full size on a shared CI core

  const pickles = scaled(4000, 50_000);
  it(`${pickles} mutated pickles: each is read or refused with a PickleRefusal, never another error`, () => {
    const rng = Rng.fromSeed('torch-fuzz-pickles');
    const base = Buffer.from(SEED_PICKLES[0]);
    let refused = 0;
    for (let i = 0; i < pickles; i++) {
      const caseRng = rng.derive('pickle', i);
      let bytes: Buffer = base;
      for (let n = 1 + caseRng.int(3); n > 0; n--) bytes = PICKLE[pick(caseRng, Object.keys(PICKLE))](bytes, caseRng);
      try {
        readPickle(bytes);
      } catch (e) {
        if (!(e instanceof PickleRefusal)) throw new Error(`pickle case ${i} crashed the reader: ${(e as Error).stack}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    recordFigures('torch-fuzz-pickles', { cases: pickles, refused });
  });
});
