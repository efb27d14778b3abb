import type { Linear, PatchEncoder } from './onnx-builder.js';

/**
 * Plain-TypeScript forward passes of the test models in onnx-builder.ts, in float64: the independent
 * computation that onnxruntime's results are checked against.
 */

export function linear(l: Linear, x: ArrayLike<number>): number[] {
  return Array.from({ length: l.outDim }, (_, o) => {
    let s = l.b[o];
    for (let i = 0; i < l.inDim; i++) s += x[i] * l.w[i * l.outDim + o];
    return s;
  });
}

export function mlp(layers: readonly Linear[], x: ArrayLike<number>, relu: boolean): number[] {
  let h: ArrayLike<number> = x;
  layers.forEach((l, i) => {
    const y = linear(l, h);
    h = relu && i < layers.length - 1 ? y.map((v) => Math.max(0, v)) : y;
  });
  return Array.from(h);
}

/** One image, CHW `size`×`size`: patchify conv → ReLU → global mean → projection. */
export function patchEncode(e: PatchEncoder, image: ArrayLike<number>, size: number): number[] {
  const cells = size / e.patch;
  const pooled = Array.from({ length: e.channels }, (_, k) => {
    let total = 0;
    for (let py = 0; py < cells; py++) {
      for (let px = 0; px < cells; px++) {
        let s = e.convBias[k];
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < e.patch; y++) {
            for (let x = 0; x < e.patch; x++) {
              s += e.conv[((k * 3 + c) * e.patch + y) * e.patch + x] * image[c * size * size + (py * e.patch + y) * size + px * e.patch + x];
            }
          }
        }
        total += Math.max(0, s);
      }
    }
    return total / (cells * cells);
  });
  return linear(e.proj, pooled);
}

export function normalize(v: readonly number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

export function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, x, i) => s + x * b[i], 0);
}

export const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
