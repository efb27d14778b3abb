/**
 * A pickle reader that only rebuilds data: numbers, strings, bytes, tuples, lists, dicts, and the
 * handful of torch globals a state dict is made of. It is a stack machine like Python's, but a
 * GLOBAL never resolves to code: it becomes a name checked against an allowlist, and REDUCE
 * (Python's "call this") is only interpreted for the allowlisted rebuild functions, whose effect
 * is re-implemented here as plain data. Any other global, and any opcode that would construct an
 * arbitrary object, is refused with its name and byte offset: the same contract as torch's
 * weights-only loader, with nothing to escape into because nothing is ever called.
 */

export class PickleRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickleRefusal';
  }
}

export type Element = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** torch's legacy storage class names, which torch.save still writes for every dtype. */
export const STORAGE_TYPES: Readonly<Record<string, Element>> = Object.freeze({
  DoubleStorage: 'F64', FloatStorage: 'F32', HalfStorage: 'F16', BFloat16Storage: 'BF16',
  LongStorage: 'I64', IntStorage: 'I32', ShortStorage: 'I16', CharStorage: 'I8', ByteStorage: 'U8', BoolStorage: 'BOOL',
});

export class Tuple {
  constructor(readonly items: readonly PickleValue[]) {}
}

export class PickleDict {
  readonly entries = new Map<PickleValue, PickleValue>();
}

/** A persistent-id reference to `<archive>/data/<key>`. */
export class StorageRef {
  constructor(readonly element: Element, readonly key: string, readonly location: string, readonly numel: number) {}
}

export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: readonly number[],
    readonly stride: readonly number[],
  ) {}
}

/** A global that is harmless to name (see INERT_GLOBALS) and what was built from it; never interpreted. */
export class Opaque {
  constructor(readonly global: string) {}
}

export class GlobalName {
  constructor(readonly qualified: string) {}
}

export type PickleValue = null | boolean | number | bigint | string | Uint8Array | PickleValue[] | Tuple | PickleDict | StorageRef | TensorRef | Opaque | GlobalName;

const ORDERED_DICT = 'collections.OrderedDict';
const REBUILD_TENSOR = 'torch._utils._rebuild_tensor_v2';
const REBUILD_PARAMETER = 'torch._utils._rebuild_parameter';
const REBUILDERS = new Set([ORDERED_DICT, REBUILD_TENSOR, REBUILD_PARAMETER]);

/**
 * Globals that legacy training checkpoints (PyTorch Lightning's, like Stable Diffusion 1.x's)
 * carry beside the weights: a callback object, numpy scalars. They are kept as opaque markers so
 * those files open; what they would construct is never needed and never built.
 */
const INERT_GLOBALS = new Set([
  'pytorch_lightning.callbacks.model_checkpoint.ModelCheckpoint',
  'numpy.core.multiarray.scalar',
  'numpy.dtype',
  '_codecs.encode',
]);

const MARK = Symbol('mark');
type Slot = PickleValue | typeof MARK;

/** Limits that keep a hostile pickle from costing more than its size in time or memory. */
const MAX_INT_BYTES = 16;
const MAX_DIMS = 64;

const NAMES: Record<number, string> = {
  0x69: 'INST', 0x6f: 'OBJ', 0x81: 'NEWOBJ', 0x92: 'NEWOBJ_EX', 0x82: 'EXT1', 0x83: 'EXT2', 0x84: 'EXT4', 0x50: 'PERSID',
  0x4c: 'LONG', 0x53: 'STRING', 0x46: 'FLOAT',
  0x8f: 'EMPTY_SET', 0x90: 'ADDITEMS', 0x91: 'FROZENSET', 0x96: 'BYTEARRAY8', 0x97: 'NEXT_BUFFER', 0x98: 'READONLY_BUFFER',
};

/** Reads one pickle; `bytes` is the whole `data.pkl`. */
export function readPickle(bytes: Uint8Array): PickleValue {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const stack: Slot[] = [];
  const marks: number[] = [];
  const memo = new Map<number, PickleValue>();
  const latin1 = new TextDecoder('latin1');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let p = 0;

  const fail = (at: number, message: string): never => {
    throw new PickleRefusal(`pickle byte ${at}: ${message}`);
  };
  const need = (n: number, at: number): void => {
    if (n < 0 || p + n > bytes.length) fail(at, `needs ${n} more bytes, but the pickle ends at byte ${bytes.length}`);
  };
  const u8 = (at: number) => (need(1, at), bytes[p++]);
  const u16 = (at: number) => (need(2, at), (p += 2), dv.getUint16(p - 2, true));
  const u32 = (at: number) => (need(4, at), (p += 4), dv.getUint32(p - 4, true));
  const u64 = (at: number): number => {
    need(8, at);
    const v = dv.getBigUint64(p, true);
    p += 8;
    // Any length this large already fails `need`, so clamping keeps the message honest without a bigint path.
    return v > BigInt(bytes.length) ? bytes.length + 1 : Number(v);
  };
  const take = (n: number, at: number): Uint8Array => (need(n, at), (p += n), bytes.subarray(p - n, p));
  const text = (n: number, at: number): string => {
    const raw = take(n, at);
    try {
      return utf8.decode(raw);
    } catch {
      return fail(at, 'string is not valid UTF-8');
    }
  };
  const line = (at: number): string => {
    const end = bytes.indexOf(0x0a, p);
    if (end < 0) fail(at, 'a text argument is not terminated by a newline');
    const s = latin1.decode(bytes.subarray(p, end));
    p = end + 1;
    return s;
  };
  const decimal = (s: string, at: number): number => {
    if (!/^-?\d{1,15}$/.test(s)) fail(at, `${JSON.stringify(s.slice(0, 20))} is not an integer`);
    return Number(s);
  };
  const rawUnicode = (s: string, at: number): string =>
    s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_, short: string | undefined, long: string | undefined) => {
      const code = parseInt(short ?? long!, 16);
      return code <= 0x10ffff ? String.fromCodePoint(code) : fail(at, `escape \\U${long} is not a code point`);
    });
  const pop = (at: number): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail(at, 'pops from an empty stack');
    const v = stack.pop()!;
    return v as PickleValue;
  };
  const top = (at: number): PickleValue => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) fail(at, 'reads an empty stack');
    return stack[stack.length - 1] as PickleValue;
  };
  const popMark = (at: number): PickleValue[] => {
    const m = marks.pop();
    if (m === undefined) fail(at, 'no MARK to pop to');
    const items = stack.splice(m!) as PickleValue[];
    if (stack[stack.length - 1] !== MARK) fail(at, 'MARK is missing from the stack');
    stack.pop();
    return items;
  };
  const global = (qualified: string, at: number): PickleValue => {
    if (REBUILDERS.has(qualified)) return new GlobalName(qualified);
    if (qualified.startsWith('torch.') && Object.hasOwn(STORAGE_TYPES, qualified.slice(6))) return new GlobalName(qualified);
    if (INERT_GLOBALS.has(qualified)) return new Opaque(qualified);
    return fail(at, `refuses global "${qualified}": only tensors, storages and plain containers are rebuilt (this is what a pickle uses to run code; autombw never runs it)`);
  };
  const setItems = (dict: PickleValue, items: PickleValue[], at: number): void => {
    if (dict instanceof Opaque) return;
    if (!(dict instanceof PickleDict)) fail(at, `sets items on a ${describe(dict)}, not a dict`);
    if (items.length % 2 !== 0) fail(at, 'SETITEMS has an odd number of values');
    for (let i = 0; i < items.length; i += 2) (dict as PickleDict).entries.set(items[i], items[i + 1]);
  };
  const append = (list: PickleValue, items: PickleValue[], at: number): void => {
    if (!Array.isArray(list)) fail(at, `appends to a ${describe(list)}, not a list`);
    for (const item of items) (list as PickleValue[]).push(item);
  };

  while (true) {
    const at = p;
    const op = u8(at);
    switch (op) {
      case 0x80: u8(at); break; // PROTO
      case 0x95: u64(at); break; // FRAME: a length hint only
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) fail(at, `STOP with ${stack.length} values on the stack`);
        return stack[0] as PickleValue;
      case 0x28: marks.push(stack.length + 1); stack.push(MARK); break; // MARK
      case 0x30: pop(at); break; // POP
      case 0x31: popMark(at); break; // POP_MARK
      case 0x32: stack.push(top(at)); break; // DUP
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break; // NEWTRUE
      case 0x89: stack.push(false); break; // NEWFALSE
      case 0x4a: need(4, at); stack.push(dv.getInt32(p, true)); p += 4; break; // BININT
      case 0x4b: stack.push(u8(at)); break; // BININT1
      case 0x4d: stack.push(u16(at)); break; // BININT2
      case 0x8a: stack.push(long(take(u8(at), at), at, fail)); break; // LONG1
      case 0x8b: stack.push(long(take(u32(at), at), at, fail)); break; // LONG4
      case 0x47: need(8, at); stack.push(dv.getFloat64(p, false)); p += 8; break; // BINFLOAT
      case 0x58: stack.push(text(u32(at), at)); break; // BINUNICODE
      case 0x8c: stack.push(text(u8(at), at)); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text(u64(at), at)); break; // BINUNICODE8
      case 0x55: stack.push(latin1.decode(take(u8(at), at))); break; // SHORT_BINSTRING
      case 0x54: stack.push(latin1.decode(take(u32(at), at))); break; // BINSTRING
      case 0x43: stack.push(take(u8(at), at).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32(at), at).slice()); break; // BINBYTES
      case 0x8e: stack.push(take(u64(at), at).slice()); break; // BINBYTES8
      case 0x29: stack.push(new Tuple([])); break; // EMPTY_TUPLE
      case 0x74: stack.push(new Tuple(popMark(at))); break; // TUPLE
      case 0x85: stack.push(new Tuple([pop(at)])); break; // TUPLE1
      case 0x86: { const b = pop(at); const a = pop(at); stack.push(new Tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(at); const b = pop(at); const a = pop(at); stack.push(new Tuple([a, b, c])); break; } // TUPLE3
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x6c: stack.push(popMark(at)); break; // LIST
      case 0x61: { const v = pop(at); append(top(at), [v], at); break; } // APPEND
      case 0x65: { const items = popMark(at); append(top(at), items, at); break; } // APPENDS
      case 0x7d: stack.push(new PickleDict()); break; // EMPTY_DICT
      case 0x64: { const d = new PickleDict(); setItems(d, popMark(at), at); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(at); const k = pop(at); setItems(top(at), [k, v], at); break; } // SETITEM
      case 0x75: { const items = popMark(at); setItems(top(at), items, at); break; } // SETITEMS
      case 0x71: memo.set(u8(at), top(at)); break; // BINPUT
      case 0x72: memo.set(u32(at), top(at)); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top(at)); break; // MEMOIZE
      // Protocol 0's text forms, so that an old pickle's refusal names its global rather than its first opcode.
      case 0x70: memo.set(decimal(line(at), at), top(at)); break; // PUT
      case 0x56: stack.push(rawUnicode(line(at), at)); break; // UNICODE
      case 0x49: { const s = line(at); stack.push(s === '01' ? true : s === '00' ? false : decimal(s, at)); break; } // INT
      case 0x68: case 0x6a: case 0x67: { // BINGET, LONG_BINGET, GET
        const index = op === 0x68 ? u8(at) : op === 0x6a ? u32(at) : decimal(line(at), at);
        if (!memo.has(index)) fail(at, `memo entry ${index} was never stored`);
        stack.push(memo.get(index)!);
        break;
      }
      case 0x63: { const module = line(at); const name = line(at); stack.push(global(`${module}.${name}`, at)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop(at);
        const module = pop(at);
        if (typeof module !== 'string' || typeof name !== 'string') fail(at, 'STACK_GLOBAL needs two strings');
        stack.push(global(`${module as string}.${name as string}`, at));
        break;
      }
      case 0x51: stack.push(persistent(pop(at), at, fail)); break; // BINPERSID
      case 0x52: { const args = pop(at); const fn = pop(at); stack.push(reduce(fn, args, at, fail)); break; } // REDUCE
      case 0x81: { // NEWOBJ: only for inert classes, which stay opaque
        pop(at);
        const cls = pop(at);
        if (!(cls instanceof Opaque)) fail(at, `refuses NEWOBJ of ${describe(cls)}: only tensors, storages and plain containers are rebuilt`);
        stack.push(new Opaque((cls as Opaque).global));
        break;
      }
      case 0x62: { // BUILD: state for an object; torch adds it to OrderedDicts (_metadata) and tensors, none of which autombw needs
        pop(at);
        const target = top(at);
        if (!(target instanceof PickleDict || target instanceof TensorRef || target instanceof Opaque)) fail(at, `refuses BUILD on a ${describe(target)}`);
        break;
      }
      default:
        fail(at, `refuses opcode ${NAMES[op] ?? `0x${op.toString(16).padStart(2, '0')}`}: not one torch.save writes for a state dict`);
    }
  }
}

function long(raw: Uint8Array, at: number, fail: (at: number, m: string) => never): number | bigint {
  if (raw.length > MAX_INT_BYTES) fail(at, `integer of ${raw.length} bytes is larger than a checkpoint needs`);
  let v = 0n;
  for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
  if (raw.length > 0 && raw[raw.length - 1] & 0x80) v -= 1n << BigInt(raw.length * 8);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** torch.save's persistent id: ('storage', storage_type, key, location, numel). */
function persistent(pid: PickleValue, at: number, fail: (at: number, m: string) => never): StorageRef {
  const items = pid instanceof Tuple ? pid.items : [];
  const [tag, type, key, location, numel] = items;
  if (items.length !== 5 || tag !== 'storage') return fail(at, `persistent id ${describe(pid)} is not a torch storage reference`);
  if (!(type instanceof GlobalName) || !type.qualified.startsWith('torch.') || !Object.hasOwn(STORAGE_TYPES, type.qualified.slice(6))) {
    return fail(at, `storage type ${describe(type)} is not a torch storage class`);
  }
  if (typeof key !== 'string' || !/^\w+$/.test(key)) return fail(at, `storage key ${describe(key)} is not a plain name`);
  if (typeof location !== 'string') return fail(at, 'storage location is not a string');
  if (!isCount(numel)) return fail(at, `storage size ${describe(numel)} is not a count`);
  return new StorageRef(STORAGE_TYPES[type.qualified.slice(6)], key, location, numel);
}

function reduce(fn: PickleValue, args: PickleValue, at: number, fail: (at: number, m: string) => never): PickleValue {
  if (fn instanceof Opaque) return new Opaque(fn.global);
  if (!(fn instanceof GlobalName) || !REBUILDERS.has(fn.qualified)) return fail(at, `refuses to call ${describe(fn)}`);
  if (!(args instanceof Tuple)) return fail(at, `${fn.qualified} is called with ${describe(args)}, not a tuple`);
  const a = args.items;
  switch (fn.qualified) {
    case ORDERED_DICT: {
      const dict = new PickleDict();
      if (a.length === 0) return dict;
      return fail(at, `${ORDERED_DICT} is called with ${a.length} arguments; torch.save passes none`);
    }
    case REBUILD_PARAMETER: {
      if (a.length < 1 || !(a[0] instanceof TensorRef)) return fail(at, `${REBUILD_PARAMETER} is called without a tensor`);
      return a[0];
    }
    default: {
      // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
      const [storage, offset, size, stride] = a;
      if (a.length < 6 || a.length > 7) return fail(at, `${REBUILD_TENSOR} is called with ${a.length} arguments, expected 6 or 7`);
      if (!(storage instanceof StorageRef)) return fail(at, `${REBUILD_TENSOR} is called with ${describe(storage)} for its storage`);
      if (!isCount(offset)) return fail(at, `tensor storage offset ${describe(offset)} is not a count`);
      const shape = dims(size);
      const strides = dims(stride);
      if (!shape || !strides || shape.length !== strides.length) return fail(at, `tensor size ${describe(size)} and stride ${describe(stride)} are not matching tuples of counts`);
      return new TensorRef(storage, offset, shape!, strides!);
    }
  }
}

function dims(value: PickleValue): number[] | undefined {
  if (!(value instanceof Tuple) || value.items.length > MAX_DIMS || !value.items.every(isCount)) return undefined;
  return value.items as number[];
}

function isCount(value: PickleValue): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

export function describe(value: PickleValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (value instanceof GlobalName || value instanceof Opaque) return `"${value instanceof GlobalName ? value.qualified : value.global}"`;
  if (value instanceof Tuple) return 'a tuple';
  if (value instanceof PickleDict) return 'a dict';
  if (value instanceof TensorRef) return 'a tensor';
  if (value instanceof StorageRef) return 'a storage';
  if (value instanceof Uint8Array) return 'bytes';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}
