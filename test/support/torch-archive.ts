import { fileURLToPath } from 'node:url';

/**
 * Writes PyTorch zip checkpoints the way torch.save does (protocol-2 pickle in `<name>/data.pkl`,
 * one STORED entry per storage under `<name>/data/<key>`, data aligned to 64 bytes), so tests can
 * build the layouts real files have (Lightning training checkpoints, views, zip64) without torch.
 * The opcode sequence follows the disassembly of real torch.save output (see the scorer heads in
 * ../shared/data/scorer-heads/).
 */

/** The published heads (../shared beside the repository, or AUTOMBW_SCORER_HEADS); the 4 KB LAION v1 head is also a fixture. */
export const HEADS = process.env.AUTOMBW_SCORER_HEADS ?? fileURLToPath(new URL('../../../shared/data/scorer-heads', import.meta.url));
export const LAION_V1 = fileURLToPath(new URL('../fixtures/torch/sa_0_4_vit_l_14_linear.pth', import.meta.url));
export interface TensorSpec {
  name: string;
  /** torch storage class name, e.g. FloatStorage. */
  storage: string;
  key: string;
  shape: number[];
  stride?: number[];
  offset?: number;
  /** Elements in the storage (default: the product of the shape). */
  numel?: number;
}

/** Pickle opcodes, as bytes. */
export class PickleBytes {
  private readonly parts: number[] = [];

  op(...bytes: number[]): this {
    this.parts.push(...bytes);
    return this;
  }
  proto(): this {
    return this.op(0x80, 2);
  }
  global(module: string, name: string): this {
    return this.op(0x63, ...Buffer.from(`${module}\n${name}\n`, 'latin1'));
  }
  str(s: string): this {
    const b = Buffer.from(s, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32LE(b.length);
    return this.op(0x58, ...len, ...b);
  }
  int(n: number): this {
    if (n >= 0 && n < 256) return this.op(0x4b, n);
    if (n >= 0 && n < 65536) return this.op(0x4d, n & 0xff, n >> 8);
    const b = Buffer.alloc(4);
    b.writeInt32LE(n);
    return this.op(0x4a, ...b);
  }
  tuple(items: number[]): this {
    this.op(0x28);
    for (const i of items) this.int(i);
    return this.op(0x74);
  }
  mark(): this {
    return this.op(0x28);
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

function rowMajor(shape: number[]): number[] {
  const stride = shape.map(() => 1);
  for (let d = shape.length - 2; d >= 0; d--) stride[d] = stride[d + 1] * shape[d + 1];
  return stride;
}

/** Appends `OrderedDict()` as torch.save writes it. */
function orderedDict(p: PickleBytes): PickleBytes {
  return p.global('collections', 'OrderedDict').op(0x29, 0x52);
}

/** The pickle of a state dict; `lightning` nests it under "state_dict" beside epoch, global_step and a ModelCheckpoint. */
export function stateDictPickle(tensors: TensorSpec[], options: { lightning?: boolean } = {}): Uint8Array {
  const p = new PickleBytes().proto();
  if (options.lightning) p.op(0x7d).mark().str('epoch').int(6).str('global_step').int(470000).str('state_dict');
  orderedDict(p).mark();
  for (const t of tensors) {
    p.str(t.name).global('torch._utils', '_rebuild_tensor_v2').mark();
    p.mark().str('storage').global('torch', t.storage).str(t.key).str('cpu').int(t.numel ?? t.shape.reduce((a, b) => a * b, 1)).op(0x74, 0x51);
    p.int(t.offset ?? 0).tuple(t.shape).tuple(t.stride ?? rowMajor(t.shape)).op(0x89);
    orderedDict(p).op(0x74, 0x52);
  }
  p.op(0x75); // SETITEMS
  if (options.lightning) {
    // Lightning pickles its callbacks keyed by class: {ModelCheckpoint: {...}} plus an instance built with NEWOBJ.
    p.str('callbacks').op(0x7d).global('pytorch_lightning.callbacks.model_checkpoint', 'ModelCheckpoint').op(0x7d).str('monitor').op(0x4e, 0x73, 0x73);
    p.str('checkpoint_callback').global('pytorch_lightning.callbacks.model_checkpoint', 'ModelCheckpoint').op(0x29, 0x81, 0x7d).str('save_top_k').int(1).op(0x73, 0x62);
    p.op(0x75);
  }
  return p.op(0x2e).bytes();
}

export interface ZipFile {
  name: string;
  data: Uint8Array;
}

/** A STORED zip; `zip64` writes the zip64 records even though the sizes would fit in 32 bits. */
export function storedZip(files: ZipFile[], options: { zip64?: boolean; align?: number } = {}): Buffer {
  const align = options.align ?? 64;
  const chunks: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8');
    const padding = (align - ((offset + 30 + name.length + 4) % align)) % align;
    const extra = Buffer.alloc(4 + padding);
    extra.writeUInt16LE(0x4246, 0); // torch's alignment field ("FB")
    extra.writeUInt16LE(padding, 2);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(options.zip64 ? 45 : 20, 4);
    local.writeUInt32LE(f.data.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    chunks.push(local, name, extra, Buffer.from(f.data));
    let cExtra = Buffer.alloc(0);
    if (options.zip64) {
      cExtra = Buffer.alloc(28);
      cExtra.writeUInt16LE(1, 0);
      cExtra.writeUInt16LE(24, 2);
      cExtra.writeBigUInt64LE(BigInt(f.data.length), 4);
      cExtra.writeBigUInt64LE(BigInt(f.data.length), 12);
      cExtra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(options.zip64 ? 45 : 20, 4);
    c.writeUInt16LE(options.zip64 ? 45 : 20, 6);
    c.writeUInt32LE(options.zip64 ? 0xffffffff : f.data.length, 20);
    c.writeUInt32LE(options.zip64 ? 0xffffffff : f.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt16LE(cExtra.length, 30);
    c.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 42);
    central.push(c, name, cExtra);
    offset += 30 + name.length + extra.length + f.data.length;
  }
  const cd = Buffer.concat(central);
  const tail: Buffer[] = [];
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(files.length), 24);
    record.writeBigUInt64LE(BigInt(files.length), 32);
    record.writeBigUInt64LE(BigInt(cd.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    locator.writeUInt32LE(1, 16);
    tail.push(record, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(options.zip64 ? 0xffff : files.length, 8);
  eocd.writeUInt16LE(options.zip64 ? 0xffff : files.length, 10);
  eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...chunks, cd, ...tail, eocd]);
}

/** A whole checkpoint: the pickle plus one storage entry per distinct key. */
export function torchArchive(pickle: Uint8Array, storages: Record<string, Uint8Array>, options: { zip64?: boolean; name?: string } = {}): Buffer {
  const root = options.name ?? 'archive';
  return storedZip(
    [
      { name: `${root}/data.pkl`, data: pickle },
      ...Object.entries(storages).map(([key, data]) => ({ name: `${root}/data/${key}`, data })),
      { name: `${root}/version`, data: Buffer.from('3\n') },
    ],
    options,
  );
}

export function f32(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}
