import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SafetensorsReader } from '../../src/merge/safetensors/reader.js';
import { TorchCheckpoint } from '../../src/torch/checkpoint.js';
import { runMain } from '../report/run-main.js';
import { tempDir } from '../support/tmp.js';
import { LAION_V1, stateDictPickle, torchArchive } from '../support/torch-archive.js';

describe('autombw convert', () => {
  it('writes every tensor of a real .pth to safetensors with its name, dtype, shape and bytes', async () => {
    const out = path.join(tempDir(), 'head.safetensors');
    const { code, stdout } = await runMain(['convert', LAION_V1, '-o', out]);
    expect(code).toBe(0);
    expect(stdout).toContain('2 tensors');
    const source = await TorchCheckpoint.open(LAION_V1);
    const converted = await SafetensorsReader.open(out);
    try {
      expect(converted.tensors.map((t) => [t.name, t.dtype, t.shape])).toEqual(source.tensors.map((t) => [t.name, t.dtype, t.shape]));
      for (const t of source.tensors) expect(Buffer.from(await converted.read(converted.get(t.name)!))).toEqual(Buffer.from(await source.read(t)));
    } finally {
      await source.close();
      await converted.close();
    }
  });

  it('converts the state_dict of a Lightning .ckpt, as legacy SD1 checkpoints are', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'sd.ckpt');
    const spec = { name: 'model.diffusion_model.out.2.bias', storage: 'HalfStorage', key: '0', shape: [2] };
    writeFileSync(input, torchArchive(stateDictPickle([spec], { lightning: true }), { '0': Uint8Array.from([0x00, 0x3c, 0x00, 0xc0]) }));
    const { code } = await runMain(['convert', input, '-o', path.join(dir, 'sd.safetensors')]);
    expect(code).toBe(0);
    const reader = await SafetensorsReader.open(path.join(dir, 'sd.safetensors'));
    expect(reader.tensors.map((t) => [t.name, t.dtype])).toEqual([[spec.name, 'F16']]);
    expect(Array.from(await reader.read(reader.tensors[0]))).toEqual([0x00, 0x3c, 0x00, 0xc0]);
    await reader.close();
  });

  it('refuses a checkpoint whose pickle would run code, with exit 2 and no output file', async () => {
    const dir = tempDir();
    const input = path.join(dir, 'evil.ckpt');
    // pickle.dumps({'state_dict': {'w': Evil()}}, protocol=2) with Evil.__reduce__ = (eval, (...,))
    const pickle = Buffer.from('80027d7100580a00000073746174655f6469637471017d71025801000000777103635f5f6275696c74696e5f5f0a6576616c0a710458250000005f5f696d706f72745f5f28276f7327292e73797374656d28276563686f2070776e65642729710585710652710773732e', 'hex');
    writeFileSync(input, torchArchive(pickle, {}));
    const { code, stderr } = await runMain(['convert', input, '-o', path.join(dir, 'out.safetensors')]);
    expect(code).toBe(2);
    expect(stderr).toContain('refuses global "__builtin__.eval"');
    expect(readdirSync(dir)).toEqual(['evil.ckpt']);
  });

  it('does not replace an existing output without --force', async () => {
    const dir = tempDir();
    const out = path.join(dir, 'head.safetensors');
    writeFileSync(out, 'keep me');
    const { code, stderr } = await runMain(['convert', LAION_V1, '-o', out]);
    expect(code).toBe(2);
    expect(stderr).toContain('already exists; pass --force');
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    expect((await runMain(['convert', LAION_V1, '-o', out, '--force'])).code).toBe(0);
    expect(existsSync(out)).toBe(true);
  });

  it('asks for a .safetensors output', async () => {
    const { code, stderr } = await runMain(['convert', LAION_V1, '-o', path.join(tempDir(), 'x.ckpt')]);
    expect(code).toBe(2);
    expect(stderr).toContain('must be a .safetensors file');
  });
});
