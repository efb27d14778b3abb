import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { SafetensorsReader } from '../../src/merge/safetensors/reader.js';
import { SafetensorsWriter, writeSafetensors } from '../../src/merge/safetensors/writer.js';
import { readTensors, writeTinyCheckpoint } from '../support/checkpoints.js';
import { tempDir } from '../support/tmp.js';

/** A file laid out by hand: 8-byte little-endian length, header text, data. */
function rawFile(dir: string, name: string, header: string | Uint8Array | object, data: Uint8Array = new Uint8Array(0), length?: bigint): string {
  const text = header instanceof Uint8Array ? Buffer.from(header) : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header), 'utf8');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(text.length));
  const file = path.join(dir, name);
  writeFileSync(file, Buffer.concat([prefix, text, data]));
  return file;
}

async function rejection(file: string): Promise<string> {
  try {
    const r = await SafetensorsReader.open(file);
    await r.close();
  } catch (e) {
    expect(e).toBeInstanceOf(UserInputError);
    return (e as Error).message;
  }
  throw new Error(`${file} was accepted`);
}

const f32 = (values: number[]) => new Uint8Array(new Float32Array(values).buffer);

describe('safetensors reader: the format as specified', () => {
  it('reads the example file of the reference implementation (I32 [2, 2])', async () => {
    const dir = tempDir();
    const file = rawFile(dir, 'ref.safetensors', '{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Uint8Array(16));
    const reader = await SafetensorsReader.open(file);
    expect(reader.tensors).toEqual([{ name: 'test', dtype: 'I32', shape: [2, 2], begin: 0, end: 16 }]);
    expect(reader.metadata).toEqual({});
    await reader.close();
  });

  it('accepts tensors listed in any order, scalars, empty tensors and string metadata', async () => {
    const dir = tempDir();
    const header = {
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      scalar: { dtype: 'F32', shape: [], data_offsets: [0, 4] },
      empty: { dtype: 'F16', shape: [0, 5], data_offsets: [12, 12] },
      __metadata__: { format: 'pt', note: '{"json": "inside"}' },
    };
    const file = rawFile(dir, 'order.safetensors', header, f32([7, 1, 2]));
    const { tensors, order, metadata } = await readTensors(file);
    expect(order).toEqual(['scalar', 'b', 'empty']);
    expect(tensors.get('scalar')!.values).toEqual([7]);
    expect(tensors.get('b')!.values).toEqual([1, 2]);
    expect(tensors.get('empty')!.values).toEqual([]);
    expect(metadata).toEqual({ format: 'pt', note: '{"json": "inside"}' });
  });

  it('reads a header padded with JSON whitespace on both sides (the reference test vector "\\t\\n{}\\r ")', async () => {
    const dir = tempDir();
    const reader = await SafetensorsReader.open(rawFile(dir, 'padded.safetensors', '\t\n{}\r '));
    expect(reader.tensors).toEqual([]);
    await reader.close();
  });

  it('reads "__metadata__": null as no metadata, as the reference reads its optional map', async () => {
    const dir = tempDir();
    const file = rawFile(dir, 'null-meta.safetensors', { __metadata__: null, t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([5]));
    const { tensors, metadata } = await readTensors(file);
    expect(metadata).toEqual({});
    expect(tensors.get('t')!.values).toEqual([5]);
  });

  it('reads part of a tensor at an offset without reading the rest', async () => {
    const dir = tempDir();
    const file = rawFile(dir, 'part.safetensors', { t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32([1, 2, 3, 4]));
    const reader = await SafetensorsReader.open(file);
    const bytes = await reader.read(reader.get('t')!, undefined, 8, 8);
    expect([...new Float32Array(bytes.buffer, bytes.byteOffset, 2)]).toEqual([3, 4]);
    await expect(reader.read(reader.get('t')!, undefined, 12, 8)).rejects.toThrow(/outside tensor "t"/);
    await reader.close();
  });
});

describe('safetensors writer', () => {
  it('round-trips tensors, order and metadata exactly', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'tiny.safetensors');
    const written = await writeTinyCheckpoint(file, { layout: 'sd1', seed: 1, dtype: 'BF16', metadata: { format: 'pt', title: 'tiny' } });
    const { tensors, order, metadata } = await readTensors(file);
    expect(order).toEqual(written.map((t) => t.name));
    for (const t of written) {
      const back = tensors.get(t.name)!;
      expect(back.dtype).toBe(t.dtype);
      expect(back.shape).toEqual(t.shape);
      expect(back.values).toEqual(t.values);
    }
    expect(metadata).toEqual({ format: 'pt', title: 'tiny' });
  });

  it('pads the header with spaces so the data starts 8-byte aligned', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'pad.safetensors');
    await writeSafetensors(file, [{ name: 'x', dtype: 'U8', shape: [3], data: new Uint8Array([1, 2, 3]) }]);
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    expect(bytes.subarray(8, 8 + n).toString('utf8')).toMatch(/^\{.*\} *$/);
    expect([...bytes.subarray(8 + n)]).toEqual([1, 2, 3]);
  });

  it('takes a tensor in several chunks and refuses bytes out of header order', async () => {
    const dir = tempDir();
    const writer = await SafetensorsWriter.create(path.join(dir, 'chunks.safetensors'), [
      { name: 'a', dtype: 'U8', shape: [4] },
      { name: 'b', dtype: 'U8', shape: [1] },
    ]);
    expect(() => writer.write('b', new Uint8Array(1))).toThrow(/expected "a", got "b"/);
    await writer.write('a', new Uint8Array([1, 2]));
    await writer.write('a', new Uint8Array([3, 4]));
    expect(() => writer.write('b', new Uint8Array(2))).toThrow(/tensor "b" is 1 bytes/);
    await writer.write('b', new Uint8Array([5]));
    await writer.commit();
    const { tensors } = await readTensors(path.join(dir, 'chunks.safetensors'));
    expect(tensors.get('a')!.values).toEqual([1, 2, 3, 4]);
  });

  it('leaves no file under the final name when a tensor is incomplete', async () => {
    const dir = tempDir();
    const target = path.join(dir, 'half.safetensors');
    const writer = await SafetensorsWriter.create(target, [{ name: 'a', dtype: 'F32', shape: [4] }]);
    await writer.write('a', new Uint8Array(8));
    await expect(writer.commit()).rejects.toThrow(/"a" and 0 later ones were not written completely/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('safetensors reader: malformed files are rejected naming the file and the rule', () => {
  const good = { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: Array<[string, (dir: string) => string, RegExp]> = [
    ['a file shorter than the length prefix', (d) => (writeFileSync(path.join(d, 'm.safetensors'), Buffer.from([1, 2, 3])), path.join(d, 'm.safetensors')), /shorter than the 8-byte header length prefix/],
    ['a header length above 100 MB', (d) => rawFile(d, 'm.safetensors', good, f32([1, 2]), 200_000_000n), /exceeds the limit of 100000000 bytes/],
    ['a header length of 2^64 − 1', (d) => rawFile(d, 'm.safetensors', good, f32([1, 2]), 2n ** 64n - 1n), /exceeds the limit/],
    ['a header length past the end of the file', (d) => rawFile(d, 'm.safetensors', good, f32([1, 2]), 5000n), /runs past the end/],
    ['a header too short for a JSON object', (d) => rawFile(d, 'm.safetensors', '{', new Uint8Array(0), 1n), /too small to hold a JSON object/],
    ['a header that is not UTF-8', (d) => rawFile(d, 'm.safetensors', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])), /not valid UTF-8/],
    ['a header not starting with {', (d) => rawFile(d, 'm.safetensors', '[{}]', new Uint8Array(0)), /does not start with "\{"/],
    ['a header after a no-break space, which is not JSON whitespace', (d) => rawFile(d, 'm.safetensors', '\u00a0{}', new Uint8Array(0)), /does not start with "\{"/],
    ['a header starting with a byte order mark', (d) => rawFile(d, 'm.safetensors', `\uFEFF${JSON.stringify(good)}`, f32([1, 2])), /byte order mark/],
    ['a header that is not JSON', (d) => rawFile(d, 'm.safetensors', '{"t": ', new Uint8Array(0)), /not valid JSON/],
    ['metadata that is not an object', (d) => rawFile(d, 'm.safetensors', { ...good, __metadata__: ['x'] }, f32([1, 2])), /__metadata__ is not an object of strings/],
    ['a metadata value that is not a string', (d) => rawFile(d, 'm.safetensors', { ...good, __metadata__: { n: 1 } }, f32([1, 2])), /__metadata__ value "n" is not a string/],
    ['a tensor entry that is not an object', (d) => rawFile(d, 'm.safetensors', { t: 3 }, new Uint8Array(0)), /tensor "t" is not an object/],
    ['an unknown dtype', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F12', shape: [2], data_offsets: [0, 8] } }, f32([1, 2])), /tensor "t" has unknown dtype "F12"/],
    ['a negative dimension', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, f32([1, 2])), /invalid shape \[-2\]/],
    ['a fractional dimension', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [1.5], data_offsets: [0, 8] } }, f32([1, 2])), /invalid shape \[1.5\]/],
    ['data_offsets with three numbers', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [2], data_offsets: [0, 4, 8] } }, f32([1, 2])), /invalid data_offsets/],
    ['missing data_offsets', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [2] } }, f32([1, 2])), /invalid data_offsets undefined/],
    ['an end offset before the begin offset', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, f32([1, 2])), /end before begin/],
    ['a shape that does not fit the byte span', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2])), /shape \[3\] of F32, which does not fit its 8-byte span/],
    ['a shape whose product overflows', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [2 ** 40, 2 ** 40, 2 ** 40], data_offsets: [0, 8] } }, f32([1, 2])), /does not fit its 8-byte span/],
    ['an offset past the data section', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32([1, 2])), /ends at data offset 16, past the 8-byte data section/],
    ['a gap between tensors', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), /gap in the data section before tensor "t"/],
    ['overlapping tensors', (d) => rawFile(d, 'm.safetensors', { t: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, u: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2])), /tensor "u" overlaps the previous tensor/],
    ['bytes after the last tensor', (d) => rawFile(d, 'm.safetensors', good, f32([1, 2, 3])), /4 bytes after the last tensor/],
    ['a field given twice in a tensor entry', (d) => rawFile(d, 'm.safetensors', '{"t":{"dtype":"F32","shape":[2],"dtype":"F16","data_offsets":[0,8]}}', f32([1, 2])), /tensor "t" has the key "dtype" twice/],
    ['a metadata key given twice', (d) => rawFile(d, 'm.safetensors', `{"__metadata__":{"k":"first","k":"last"},${JSON.stringify(good).slice(1)}`, f32([1, 2])), /__metadata__ has the key "k" twice/],
    ['a dtype nested 5000 arrays deep', (d) => rawFile(d, 'm.safetensors', `{"t":{"dtype":${'['.repeat(5000)}${']'.repeat(5000)},"shape":[2],"data_offsets":[0,8]}}`, f32([1, 2])), /tensor "t" has unknown dtype \[\[\[.*… \(10000 characters\)/],
    ['a shape nested 5000 objects deep', (d) => rawFile(d, 'm.safetensors', `{"t":{"dtype":"F32","shape":${'{"a":'.repeat(5000)}0${'}'.repeat(5000)},"data_offsets":[0,8]}}`, f32([1, 2])), /tensor "t" has an invalid shape \{"a":\{.*… \(30001 characters\)/],
    ['a duplicate tensor name', (d) => rawFile(d, 'm.safetensors', '{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', f32([1])), /header has the key "t" twice/],
    ['a .ckpt file', (d) => rawFile(d, 'm.ckpt', good, f32([1, 2])), /PyTorch pickle checkpoint.*Convert it to \.safetensors first: `autombw convert/],
    ['a zip pickle renamed to .safetensors', (d) => (writeFileSync(path.join(d, 'm.safetensors'), Buffer.from('PK\x03\x04archive/data.pkl......', 'latin1')), path.join(d, 'm.safetensors')), /PyTorch pickle checkpoint/],
    ['a missing file', (d) => path.join(d, 'nothing.safetensors'), /nothing\.safetensors: no such file/],
    ['a directory', (d) => (mkdirSync(path.join(d, 'dir.safetensors')), path.join(d, 'dir.safetensors')), /dir\.safetensors is a directory, not a safetensors file/],
  ];

  it.each(cases)('%s', async (_label, make, rule) => {
    const dir = tempDir();
    const file = make(dir);
    const message = await rejection(file);
    expect(message).toContain(file);
    expect(message).toMatch(rule);
  });

  it('quotes at most 80 characters of a hostile value, with its full length', async () => {
    const dir = tempDir();
    const dtype = 'x'.repeat(5_000_000);
    const name = `model.diffusion_model.${'n'.repeat(1_000_000)}`;
    const file = rawFile(dir, 'm.safetensors', { [name]: { dtype, shape: [2], data_offsets: [0, 8] } }, f32([1, 2]));
    const message = await rejection(file);
    expect(message).toContain(`tensor "${name.slice(0, 79)}… (1000024 characters) has unknown dtype "${'x'.repeat(79)}… (5000002 characters);`);
    expect(message.length).toBeLessThan(file.length + 400);
  });
});
