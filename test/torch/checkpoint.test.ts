import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../src/config/issues.js';
import { TorchCheckpoint } from '../../src/torch/checkpoint.js';
import { readPickle } from '../../src/torch/pickle.js';
import { tempDir } from '../support/tmp.js';
import { HEADS, LAION_V1, PickleBytes, f32, stateDictPickle, storedZip, torchArchive } from '../support/torch-archive.js';

const MLP_KEYS = ['layers.0', 'layers.2', 'layers.4', 'layers.6', 'layers.7'].flatMap((l) => [`${l}.weight`, `${l}.bias`]);

async function load(bytes: Uint8Array, name = 'model.ckpt') {
  const file = path.join(tempDir(), name);
  writeFileSync(file, bytes);
  const checkpoint = await TorchCheckpoint.open(file);
  try {
    const values: Record<string, number[]> = {};
    for (const t of checkpoint.tensors) {
      const data = await checkpoint.read(t);
      values[t.name] = Array.from(new Float32Array(data.buffer, data.byteOffset, data.length / 4));
    }
    return { file, tensors: checkpoint.tensors, skipped: checkpoint.skipped, values };
  } finally {
    await checkpoint.close();
  }
}

async function refusal(bytes: Uint8Array): Promise<string> {
  const file = path.join(tempDir(), 'bad.ckpt');
  writeFileSync(file, bytes);
  const error = await TorchCheckpoint.open(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserInputError);
  expect((error as Error).message).toContain(file);
  return (error as Error).message;
}

describe('published aesthetic heads (torch.save zip archives)', () => {
  it('reads LAION v1 as Linear(768→1): weight [1, 768] and bias [1]', async () => {
    const checkpoint = await TorchCheckpoint.open(LAION_V1);
    try {
      expect(checkpoint.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual([
        ['weight', 'F32', [1, 768]],
        ['bias', 'F32', [1]],
      ]);
      // The value Python's zipfile + struct.unpack('<f') gives for archive/data/1.
      expect(new Float32Array((await checkpoint.read(checkpoint.tensors[1])).buffer)[0]).toBeCloseTo(3.5293717, 6);
    } finally {
      await checkpoint.close();
    }
  });

  it.skipIf(!existsSync(HEADS)).each(['sac+logos+ava1-l14-linearMSE.pth', 'chadscorer.pth'])('reads %s as the 768→1024→128→64→16→1 MLP (cuda:0 storages included)', async (name) => {
    const checkpoint = await TorchCheckpoint.open(path.join(HEADS, name));
    try {
      expect(checkpoint.tensors.map((t) => t.name)).toEqual(MLP_KEYS);
      expect(checkpoint.tensors.filter((t) => t.name.endsWith('weight')).map((t) => t.shape)).toEqual([[1024, 768], [128, 1024], [64, 128], [16, 64], [1, 16]]);
      for (const t of checkpoint.tensors) expect((await checkpoint.read(t)).length).toBe(t.byteLength);
    } finally {
      await checkpoint.close();
    }
  });
});

describe('PyTorch zip checkpoints built as torch.save writes them', () => {
  const weight = { name: 'model.diffusion_model.w', storage: 'FloatStorage', key: '0', shape: [2, 3] };
  const bias = { name: 'model.diffusion_model.b', storage: 'FloatStorage', key: '1', shape: [3] };
  const storages = { '0': f32([1, 2, 3, 4, 5, 6]), '1': f32([7, 8, 9]) };

  it('reads a state dict', async () => {
    const { values } = await load(torchArchive(stateDictPickle([weight, bias]), storages));
    expect(values).toEqual({ 'model.diffusion_model.w': [1, 2, 3, 4, 5, 6], 'model.diffusion_model.b': [7, 8, 9] });
  });

  it('takes the weights of a Lightning training checkpoint from its state_dict, past its ModelCheckpoint callback', async () => {
    const { tensors, skipped } = await load(torchArchive(stateDictPickle([weight, bias], { lightning: true }), storages));
    expect(tensors.map((t) => t.name)).toEqual([weight.name, bias.name]);
    expect(skipped).toEqual([]);
  });

  it('reads zip64 records and an archive folder named after the file', async () => {
    const { values } = await load(torchArchive(stateDictPickle([weight]), storages, { zip64: true, name: 'v1-5-pruned' }));
    expect(values[weight.name]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('gathers a transposed view in row-major order', async () => {
    const view = { ...weight, shape: [3, 2], stride: [1, 3] };
    const { values } = await load(torchArchive(stateDictPickle([view]), storages));
    expect(values[weight.name]).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('reads a view at an offset into a shared storage', async () => {
    const tail = { ...bias, key: '0', shape: [2], offset: 4, numel: 6 };
    const { values } = await load(torchArchive(stateDictPickle([weight, tail]), storages));
    expect(values[bias.name]).toEqual([5, 6]);
  });

  it('maps each storage class to its dtype', async () => {
    const specs = ['HalfStorage', 'BFloat16Storage', 'DoubleStorage', 'LongStorage', 'ByteStorage'].map((storage, i) => ({ name: `t${i}`, storage, key: String(i), shape: [1] }));
    const sizes = [2, 2, 8, 8, 1];
    const file = path.join(tempDir(), 'types.pt');
    writeFileSync(file, torchArchive(stateDictPickle(specs), Object.fromEntries(sizes.map((s, i) => [String(i), new Uint8Array(s)]))));
    const checkpoint = await TorchCheckpoint.open(file);
    expect(checkpoint.tensors.map((t) => t.dtype)).toEqual(['F16', 'BF16', 'F64', 'I64', 'U8']);
    await checkpoint.close();
  });

  it('refuses a view that reaches past its storage', async () => {
    const message = await refusal(torchArchive(stateDictPickle([{ ...weight, offset: 1 }]), storages));
    expect(message).toMatch(/tensor "model.diffusion_model.w" .* does not fit its storage of 6 elements/);
  });

  it('refuses a zero stride that would make one element into billions', async () => {
    const message = await refusal(torchArchive(stateDictPickle([{ ...bias, shape: [65536, 65536], stride: [0, 0], numel: 3 }]), storages));
    expect(message).toContain('does not fit its storage of 3 elements');
  });

  it('refuses a storage entry whose size disagrees with the pickle', async () => {
    const message = await refusal(torchArchive(stateDictPickle([weight]), { '0': f32([1, 2]) }));
    expect(message).toContain('storage 0 holds 8 bytes, but the pickle says 6 F32 elements (24 bytes)');
  });

  it('refuses a tensor whose storage is missing from the archive', async () => {
    expect(await refusal(torchArchive(stateDictPickle([weight]), {}))).toContain('refers to storage 0, which the archive lacks');
  });

  it('refuses a compressed entry, saying torch.save never writes one', async () => {
    const zip = torchArchive(stateDictPickle([weight]), storages);
    const central = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt16LE(8, central + 10);
    expect(await refusal(zip)).toContain('is compressed (method 8)');
  });

  it('refuses the pre-1.6 bare-pickle format by name', async () => {
    expect(await refusal(stateDictPickle([weight]))).toContain('format before PyTorch 1.6');
  });

  it('refuses a file that is not a zip', async () => {
    expect(await refusal(Buffer.from('not a checkpoint at all, just text'))).toContain('no end-of-central-directory record');
  });

  it('refuses an archive without data.pkl', async () => {
    expect(await refusal(storedZip([{ name: 'archive/data/0', data: f32([1]) }]))).toContain('no <name>/data.pkl');
  });
});

/**
 * Pickles that run a command when Python's pickle.load reads them, made with
 * `pickle.dumps({'state_dict': {'w': Evil()}}, protocol=P)` where Evil.__reduce__ returns the call.
 */
const MALICIOUS: Array<[string, string, string]> = [
  ['os.system, protocol 0', 'posix.system', '286470300a5673746174655f646963740a70310a286470320a56770a70330a63706f7369780a73797374656d0a70340a28566563686f2070776e65640a70350a7470360a5270370a73732e'],
  ['builtins.eval, protocol 2', '__builtin__.eval', '80027d7100580a00000073746174655f6469637471017d71025801000000777103635f5f6275696c74696e5f5f0a6576616c0a710458250000005f5f696d706f72745f5f28276f7327292e73797374656d28276563686f2070776e65642729710585710652710773732e'],
  ['subprocess.Popen, protocol 4 (STACK_GLOBAL)', 'subprocess.Popen', '80049546000000000000007d948c0a73746174655f64696374947d948c0177948c0a73756270726f63657373948c05506f70656e9493945d94288c046563686f948c0570776e656494658594529473732e'],
];

describe('pickles that would run code', () => {
  it.each(MALICIOUS)('refuses %s inside a checkpoint, naming %s', async (_, global, hex) => {
    const message = await refusal(torchArchive(Buffer.from(hex, 'hex'), {}));
    expect(message).toContain(`refuses global "${global}"`);
    expect(message).toMatch(/pickle byte \d+/);
  });

  it('refuses REDUCE of an allowlisted class that is not a rebuild function', () => {
    const p = new PickleBytes().proto().global('torch', 'FloatStorage').op(0x29, 0x52, 0x2e);
    expect(() => readPickle(p.bytes())).toThrow('refuses to call "torch.FloatStorage"');
  });

  it('refuses opcodes that construct arbitrary objects, by name', () => {
    // INST: protocol 0's "import module.name and call it with the marked arguments".
    expect(() => readPickle(Buffer.from("(S'echo'\nios\nsystem\n.", 'latin1'))).toThrow(/refuses opcode (STRING|INST)/);
    expect(() => readPickle(Uint8Array.from([0x80, 2, 0x28, 0x69]))).toThrow('refuses opcode INST');
    expect(() => readPickle(Uint8Array.from([0x80, 2, 0x82, 1]))).toThrow('refuses opcode EXT1');
  });
});
