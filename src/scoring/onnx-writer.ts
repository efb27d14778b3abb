/**
 * A minimal ONNX ModelProto encoder: enough protobuf to write small inference graphs (float and
 * int64 initializers, nodes with scalar/list attributes, typed inputs and outputs). It exists so the
 * built-in demo scorer and the tests can make real ONNX models without Python; field numbers follow
 * onnx/onnx.proto (IR version 8).
 */

export type ElementType = 'float32' | 'int64';
/** A dimension: a fixed size, or a symbolic name (e.g. the batch `N`). */
export type Dim = number | string;

export interface ValueInfo {
  name: string;
  type: ElementType;
  shape: readonly Dim[];
}

export interface Initializer {
  name: string;
  dims: readonly number[];
  /** Float32 values, or integers for an int64 tensor. */
  values: Float32Array | readonly number[];
  type?: ElementType;
}

export type AttributeValue = number | readonly number[] | string | { ints: readonly number[] } | { floats: readonly number[] };

export interface NodeSpec {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  /** Integers are written as INT, other numbers as FLOAT; use `{ ints }`/`{ floats }` to force a list type. */
  attributes?: Readonly<Record<string, AttributeValue>>;
}

export interface GraphSpec {
  name: string;
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
  initializers?: readonly Initializer[];
  nodes: readonly NodeSpec[];
  /** Default opset 17: supported by every onnxruntime in use and by torch.onnx exports. */
  opset?: number;
}

const ELEMENT_CODE: Record<ElementType, number> = { float32: 1, int64: 7 };
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

/** Serializes a graph to ONNX bytes, loadable by `InferenceSession.create(bytes)`. */
export function encodeModel(graph: GraphSpec): Uint8Array {
  const model = new Message();
  model.varint(1, 8); // ir_version
  model.string(2, 'autombw');
  model.message(7, encodeGraph(graph));
  const opset = new Message();
  opset.string(1, '');
  opset.varint(2, graph.opset ?? 17);
  model.message(8, opset);
  return model.bytes();
}

function encodeGraph(graph: GraphSpec): Message {
  const g = new Message();
  graph.nodes.forEach((node, i) => g.message(1, encodeNode(node, `${node.op}_${i}`)));
  g.string(2, graph.name);
  for (const init of graph.initializers ?? []) g.message(5, encodeTensor(init));
  for (const input of graph.inputs) g.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) g.message(12, encodeValueInfo(output));
  return g;
}

function encodeNode(node: NodeSpec, name: string): Message {
  const n = new Message();
  for (const input of node.inputs) n.string(1, input);
  for (const output of node.outputs) n.string(2, output);
  n.string(3, name);
  n.string(4, node.op);
  for (const [key, value] of Object.entries(node.attributes ?? {})) n.message(5, encodeAttribute(key, value));
  return n;
}

function encodeAttribute(name: string, value: AttributeValue): Message {
  const a = new Message();
  a.string(1, name);
  if (typeof value === 'string') {
    a.bytesField(4, new TextEncoder().encode(value));
    a.varint(20, ATTR_STRING);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value)) {
      a.varint(3, value);
      a.varint(20, ATTR_INT);
    } else {
      a.float32(2, value);
      a.varint(20, ATTR_FLOAT);
    }
  } else if ('floats' in value) {
    for (const f of value.floats) a.float32(7, f);
    a.varint(20, ATTR_FLOATS);
  } else {
    const ints = 'ints' in value ? value.ints : value;
    for (const i of ints) a.varint(8, i);
    a.varint(20, ATTR_INTS);
  }
  return a;
}

function encodeTensor(init: Initializer): Message {
  const t = new Message();
  for (const d of init.dims) t.varint(1, d);
  const type = init.type ?? 'float32';
  t.varint(2, ELEMENT_CODE[type]);
  t.string(8, init.name);
  const count = init.dims.reduce((a, b) => a * b, 1);
  if (init.values.length !== count) {
    throw new Error(`initializer ${init.name}: ${init.values.length} values for dims [${init.dims.join(', ')}]`);
  }
  t.bytesField(9, type === 'float32' ? float32Bytes(init.values) : int64Bytes(init.values));
  return t;
}

function encodeValueInfo(info: ValueInfo): Message {
  const shape = new Message();
  for (const d of info.shape) {
    const dim = new Message();
    if (typeof d === 'number') dim.varint(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new Message();
  tensorType.varint(1, ELEMENT_CODE[info.type]);
  tensorType.message(2, shape);
  const type = new Message();
  type.message(1, tensorType);
  const v = new Message();
  v.string(1, info.name);
  v.message(2, type);
  return v;
}

function float32Bytes(values: Float32Array | readonly number[]): Uint8Array {
  const f = values instanceof Float32Array ? values : Float32Array.from(values);
  const out = new Uint8Array(f.length * 4);
  const view = new DataView(out.buffer);
  f.forEach((x, i) => view.setFloat32(i * 4, x, true));
  return out;
}

function int64Bytes(values: Float32Array | readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const view = new DataView(out.buffer);
  Array.from(values).forEach((x, i) => view.setBigInt64(i * 8, BigInt(x), true));
  return out;
}

/** Protobuf wire format: varints (wire type 0), 32-bit floats (5) and length-delimited fields (2). */
class Message {
  private readonly chunks: Uint8Array[] = [];

  varint(field: number, value: number): void {
    this.tag(field, 0);
    this.rawVarint(BigInt.asUintN(64, BigInt(value)));
  }

  float32(field: number, value: number): void {
    this.tag(field, 5);
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.chunks.push(b);
  }

  string(field: number, value: string): void {
    this.bytesField(field, new TextEncoder().encode(value));
  }

  bytesField(field: number, value: Uint8Array): void {
    this.tag(field, 2);
    this.rawVarint(BigInt(value.length));
    this.chunks.push(value);
  }

  message(field: number, value: Message): void {
    this.bytesField(field, value.bytes());
  }

  bytes(): Uint8Array {
    const total = this.chunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const c of this.chunks) {
      out.set(c, offset);
      offset += c.length;
    }
    return out;
  }

  private tag(field: number, wireType: number): void {
    this.rawVarint(BigInt((field << 3) | wireType));
  }

  private rawVarint(value: bigint): void {
    const out: number[] = [];
    let v = value;
    do {
      let byte = Number(v & 0x7fn);
      v >>= 7n;
      if (v > 0n) byte |= 0x80;
      out.push(byte);
    } while (v > 0n);
    this.chunks.push(Uint8Array.from(out));
  }
}
