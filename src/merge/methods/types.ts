import type { Rng } from '../../util/rng.js';

export type MergeMethodId = 'weighted-sum' | 'add-difference' | 'ties' | 'dare';

/** Method parameters that are not block weights; one value for the whole merge. */
export interface MethodOptions {
  /** TIES: fraction of each task vector's entries kept, by magnitude (0, 1]. */
  density: number;
  /** DARE: probability of dropping each task-vector entry [0, 1). */
  dropRate: number;
}

export const DEFAULT_METHOD_OPTIONS: Readonly<MethodOptions> = Object.freeze({ density: 0.2, dropRate: 0.5 });

/** What a method knows about the tensor it merges. */
export interface TensorJob {
  readonly key: string;
  /** The block weight of the tensor's block. */
  readonly alpha: number;
  readonly options: MethodOptions;
  /** Derived from the merge seed and the key alone, so a tensor's randomness does not depend on order. */
  readonly rng: Rng;
}

/**
 * Merges whole float32 tensors. `out` may be the same array as `a`; inputs are scratch and may be
 * overwritten. `c` is present exactly when the method needs model C.
 */
export type Kernel = (a: Float32Array, b: Float32Array, c: Float32Array | undefined, out: Float32Array) => void;

interface MethodBase {
  readonly id: MergeMethodId;
  /** One line for help texts. */
  readonly formula: string;
  readonly needsC: boolean;
  /** Which MethodOptions the method reads (and so records in the recipe). */
  readonly uses: ReadonlyArray<keyof MethodOptions>;
  /** Draws random numbers, so the seed is part of its recipe. */
  readonly random: boolean;
}

/**
 * A method whose output element depends only on the input elements at the same index, visited in
 * index order: the streaming merge runs it chunk by chunk in bounded memory.
 */
export interface ElementwiseMethod extends MethodBase {
  readonly kind: 'elementwise';
  /**
   * The per-element formula, a JavaScript expression over the float32 input values `a`, `b`, `c`
   * and the names `parameters` returns. It is compiled into one loop per combination of input
   * storage types (see element-loop.ts), so decoding and arithmetic share a single pass.
   */
  readonly expression: string;
  /** Per-tensor values of the expression's other names; objects (DARE's Rng) keep their state across chunks. */
  parameters(job: TensorJob): Record<string, unknown>;
}

/** A method that needs whole tensors at once (TIES: top-k by magnitude). */
export interface TensorMethod extends MethodBase {
  readonly kind: 'tensor';
  kernel(job: TensorJob): Kernel;
}

export type MergeMethod = ElementwiseMethod | TensorMethod;
