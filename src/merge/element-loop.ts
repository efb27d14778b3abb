import { BF16_VALUES, F16_VALUES, floatBitsToBf16, floatBitsToF16, type FloatDtype } from './dtype.js';
import type { ElementwiseMethod, TensorJob } from './methods/types.js';

/** Stored elements as a loop reads or writes them: raw half / bfloat16 bits, float32 or float64 values. */
export type ElementArray = Uint16Array | Float32Array | Float64Array;

/** Storage types a loop can write. */
export type LoopOutput = 'F16' | 'BF16' | 'F32';

/**
 * Applies a method's formula to `count` elements of the inputs and stores each result, rounded to
 * float32 and then to the output type, in `out`.
 */
export type ElementLoop = (
  a: ElementArray,
  b: ElementArray,
  c: ElementArray | undefined,
  out: ElementArray,
  count: number,
  parameters: Readonly<Record<string, unknown>>,
) => void;

/** How the generated loop turns element `i` of an input array into its float32 value. */
const READ: Readonly<Record<FloatDtype, (array: string) => string>> = {
  F16: (array) => `F16[${array}[i]]`,
  BF16: (array) => `BF16[${array}[i]]`,
  F32: (array) => `${array}[i]`,
  F64: (array) => `Math.fround(${array}[i])`,
};

/** How it stores a result: half types round the float32 (read back through a one-element scratch) to nearest even. */
const WRITE: Readonly<Record<LoopOutput, (value: string) => string>> = {
  F16: (value) => `SCRATCH[0] = ${value}; out[i] = toF16(SCRATCH_BITS[0]);`,
  BF16: (value) => `SCRATCH[0] = ${value}; out[i] = toBf16(SCRATCH_BITS[0]);`,
  F32: (value) => `out[i] = ${value};`,
};

const SCRATCH = new Float32Array(1);
const SCRATCH_BITS = new Uint32Array(SCRATCH.buffer);
const compiled = new Map<string, ElementLoop>();
const RESERVED = new Set(['a', 'b', 'c', 'i', 'A', 'B', 'C', 'out', 'count', 'parameters', 'F16', 'BF16', 'SCRATCH', 'SCRATCH_BITS', 'toF16', 'toBf16', 'Math']);

/**
 * The loop for a method, the storage types of its inputs and the output type. Decoding through a
 * table, the formula and the rounded store happen in one pass, and each generated loop only ever
 * sees one set of array types, which V8 compiles to tight machine code with the tables and
 * conversions inlined; separate decode, formula and encode passes over float32 copies cost
 * several times as much (bench/merge.ts). The expression comes from the method definitions in
 * methods/, never from user input.
 */
export function elementLoop(method: ElementwiseMethod, dtypes: readonly FloatDtype[], output: LoopOutput, parameterNames: readonly string[]): ElementLoop {
  const key = `${method.id}|${dtypes.join(',')}|${output}|${parameterNames.join(',')}`;
  let loop = compiled.get(key);
  if (!loop) {
    const bad = parameterNames.find((p) => !/^[A-Za-z_$][\w$]*$/.test(p) || RESERVED.has(p));
    if (bad !== undefined) throw new Error(`${method.id}: parameter name "${bad}" clashes with the loop's own names`);
    const names = ['a', 'b', 'c'].slice(0, dtypes.length);
    const source = [
      '"use strict";',
      'return function elementLoop(A, B, C, out, count, parameters) {',
      ...parameterNames.map((p) => `  const ${p} = parameters[${JSON.stringify(p)}];`),
      '  for (let i = 0; i < count; i++) {',
      ...names.map((v, k) => `    const ${v} = ${READ[dtypes[k]](v.toUpperCase())};`),
      `    ${WRITE[output](`(${method.expression})`)}`,
      '  }',
      '};',
    ].join('\n');
    const make = new Function('F16', 'BF16', 'SCRATCH', 'SCRATCH_BITS', 'toF16', 'toBf16', source);
    loop = make(F16_VALUES, BF16_VALUES, SCRATCH, SCRATCH_BITS, floatBitsToF16, floatBitsToBf16) as ElementLoop;
    compiled.set(key, loop);
  }
  return loop;
}

/** The typed view over `bytes` that a loop reads or writes for `dtype` (`bytes` aligned to the element size). */
export function elementView(bytes: Uint8Array, dtype: FloatDtype, count: number): ElementArray {
  switch (dtype) {
    case 'F16':
    case 'BF16':
      return new Uint16Array(bytes.buffer, bytes.byteOffset, count);
    case 'F32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    case 'F64':
      return new Float64Array(bytes.buffer, bytes.byteOffset, count);
  }
}

/** An elementwise method's compiled loop with one tensor's parameters. */
export interface ElementStep {
  loop: ElementLoop;
  parameters: Readonly<Record<string, unknown>>;
}

export function elementStep(method: ElementwiseMethod, job: TensorJob, dtypes: readonly FloatDtype[], output: LoopOutput): ElementStep {
  const parameters = method.parameters(job);
  return { loop: elementLoop(method, dtypes, output, Object.keys(parameters)), parameters };
}
