import { UserInputError } from '../config/issues.js';
import { detectArchitecture } from './architecture.js';
import { choosePreset } from './block-map.js';
import { elementStep } from './element-loop.js';
import { planMerge, type KeyInfo, type PlanNotes } from './plan.js';
import { mergeRng, resolveSpec, tensorJob, type MergeSpec } from './spec.js';

export interface FloatTensor {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

export type TensorMap = ReadonlyMap<string, FloatTensor>;

export interface MergeTensorsOptions extends MergeSpec {
  models: { a: TensorMap; b: TensorMap; c?: TensorMap };
}

/**
 * The merge of mergeCheckpoints on tensors held in memory (small models, such as the demo
 * backend's): same methods, key policy and per-key randomness, float32 results. Inputs are not
 * modified; copied and merged tensors are new arrays.
 */
export function mergeTensors(o: MergeTensorsOptions): { tensors: Map<string, FloatTensor>; preset: string; notes: PlanNotes } {
  const resolved = resolveSpec(o);
  const { method } = resolved;
  if (method.needsC && !o.models.c) throw new UserInputError(`merge method ${method.id} needs model C (the common base of A and B)`);
  const infos = (m: TensorMap): KeyInfo[] => [...m].map(([name, t]) => {
    if (t.data.length !== t.shape.reduce((n, d) => n * d, 1)) throw new Error(`tensor "${name}" has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    return { name, dtype: 'F32', shape: t.shape };
  });
  const a = infos(o.models.a);
  const preset = choosePreset(o.preset, detectArchitecture(a), 'model A');
  const plan = planMerge(preset, method, o.weights, { a, b: infos(o.models.b), ...(o.models.c ? { c: infos(o.models.c) } : {}) });
  const root = mergeRng(resolved);
  const tensors = new Map<string, FloatTensor>();
  for (const action of plan.actions) {
    if (action.kind === 'drop') continue;
    const source = o.models.a.get(action.key)!;
    if (action.kind === 'copy') {
      tensors.set(action.key, { shape: [...source.shape], data: source.data.slice() });
      continue;
    }
    const job = tensorJob(resolved, root, action.key, action.alpha);
    const b = o.models.b.get(action.key)!.data;
    const c = method.needsC ? o.models.c!.get(action.key)!.data : undefined;
    const out = new Float32Array(source.data.length);
    if (method.kind === 'tensor') {
      out.set(source.data);
      method.kernel(job)(out, b.slice(), c, out); // the kernel uses its first two inputs as scratch
    } else {
      const { loop, parameters } = elementStep(method, job, c ? ['F32', 'F32', 'F32'] : ['F32', 'F32'], 'F32');
      loop(source.data, b, c, out, out.length, parameters);
    }
    tensors.set(action.key, { shape: [...source.shape], data: out });
  }
  return { tensors, preset: preset.id, notes: plan.notes };
}
