import { BF16_VALUES, F16_VALUES, type FloatDtype } from './dtype.js';
import type { ElementwiseMethod, TensorJob } from './methods/types.js';

/** Stored elements as a loop reads them: raw half / bfloat16 bits, float32 or float64 values. */
export type ElementArray = Uint16Array | Float32Array | Float64Array;

/** Applies a method's formula to `count` elements of the inputs, writing float32 results to `out`. */
export type ElementLoop = (
  a: ElementArray,
  b: ElementArray,
  c: ElementArray | undefined,
  out: Float32Array,
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

const compiled = new Map<string, ElementLoop>();

/**
 * The loop for a method and the storage types of its inputs. Decoding through a table, the
 * formula and the store happen in one pass, and each generated loop only ever sees one set of
 * array types, which V8 compiles to tight machine code; a shared loop over decoded float32
 * copies costs three times as much (bench/merge.ts). The expression comes from the method
 * definitions in methods/, never from user input.
 */
export function elementLoop(method: ElementwiseMethod, dtypes: readonly FloatDtype[], parameterNames: readonly string[]): ElementLoop {
  const key = `${method.id}|${dtypes.join(',')}|${parameterNames.join(',')}`;
  let loop = compiled.get(key);
  if (!loop) {
    const bad = parameterNames.find((p) => !/^[A-Za-z_$][\w$]*$/.test(p) || p === 'i' || p.length === 1);
    if (bad !== undefined) throw new Error(`${method.id}: parameter name "${bad}" cannot be a loop variable`);
    const names = ['a', 'b', 'c'].slice(0, dtypes.length);
    const source = [
      '"use strict";',
      'return function elementLoop(A, B, C, out, count, parameters) {',
      ...parameterNames.map((p) => `  const ${p} = parameters[${JSON.stringify(p)}];`),
      '  for (let i = 0; i < count; i++) {',
      ...names.map((v, k) => `    const ${v} = ${READ[dtypes[k]](v.toUpperCase())};`),
      `    out[i] = ${method.expression};`,
      '  }',
      '};',
    ].join('\n');
    loop = new Function('F16', 'BF16', source)(F16_VALUES, BF16_VALUES) as ElementLoop;
    compiled.set(key, loop);
  }
  return loop;
}

/** The typed view the loop for `dtype` reads (`bytes` must be aligned to the element size). */
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

export function elementStep(method: ElementwiseMethod, job: TensorJob, dtypes: readonly FloatDtype[]): ElementStep {
  const parameters = method.parameters(job);
  return { loop: elementLoop(method, dtypes, Object.keys(parameters)), parameters };
}
