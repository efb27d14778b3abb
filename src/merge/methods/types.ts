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
 * Merges float32 element ranges. `out` may be the same array as `a`; inputs are scratch and may
 * be overwritten. `c` is present exactly when the method needs model C.
 */
export type Kernel = (a: Float32Array, b: Float32Array, c: Float32Array | undefined, out: Float32Array) => void;

export interface MergeMethod {
  readonly id: MergeMethodId;
  /** One line for help texts. */
  readonly formula: string;
  readonly needsC: boolean;
  /** Which MethodOptions the method reads (and so records in the recipe). */
  readonly uses: ReadonlyArray<keyof MethodOptions>;
  /** Draws random numbers, so the seed is part of its recipe. */
  readonly random: boolean;
  /**
   * True when calling one tensor's kernel on consecutive element ranges, in order, equals calling
   * it once on the whole tensor; the streaming merge then works in bounded chunks.
   */
  readonly elementwise: boolean;
  /** A kernel for one tensor; stateful kernels (DARE's random stream) carry state across calls. */
  kernel(job: TensorJob): Kernel;
}
