import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserInputError } from '../config/issues.js';
import type { Architecture, BlockPreset } from '../space/presets.js';
import { detectArchitecture, type Detection } from './architecture.js';
import { choosePreset } from './block-map.js';
import { isFloatDtype, OUTPUT_DTYPES, storageDtype, type FloatDtype, type OutputDtype } from './dtype.js';
import { elementStep, type LoopOutput } from './element-loop.js';
import { describeNotes, planMerge, type KeyAction, type PlanNotes } from './plan.js';
import { recipeMetadata, type MergeRecipe } from './recipe-metadata.js';
import { SafetensorsWriter, type StaleTemporary, type TensorSpec } from './safetensors/writer.js';
import { mergeRng, resolveSpec, tensorJob, type MergeSpec, type ResolvedSpec } from './spec.js';
import { TensorPipe } from './tensor-pipe.js';
import { openTensorSources, type TensorSource } from './tensor-source.js';

export type ModelSlot = 'a' | 'b' | 'c';

export interface MergeProgress {
  tensorsDone: number;
  tensorsTotal: number;
  /** Output data bytes written so far, of bytesTotal. */
  bytesDone: number;
  bytesTotal: number;
  key: string;
}

export interface MergeCheckpointsOptions extends MergeSpec {
  /**
   * Checkpoint paths: safetensors, or PyTorch zip checkpoints (`.ckpt`, `.pt`, `.pth`, `.bin`) read
   * in place without running their pickle. C is read only by methods that need it.
   */
  models: { a: string; b: string; c?: string };
  output: string;
  /** Precision of every float tensor of the output; default f16. Integer tensors are copied as they are. */
  dtype?: OutputDtype;
  /** Replace an existing output file (inputs are never replaced). */
  overwrite?: boolean;
  /** Recorded in the output's metadata. */
  provenance?: { sha256?: Partial<Record<ModelSlot, string>>; runHash?: string };
  /** Further `__metadata__` entries. */
  metadata?: Readonly<Record<string, string>>;
  onProgress?: (progress: MergeProgress) => void;
  /** Aborting stops between chunks; the temporary file is removed. */
  signal?: AbortSignal;
  /** Elements per streamed chunk (memory is a small multiple of this). */
  chunkElements?: number;
}

export interface MergeReport {
  output: string;
  architecture: Architecture | undefined;
  preset: string;
  method: string;
  dtype: OutputDtype;
  tensors: number;
  merged: number;
  copied: number;
  dropped: number;
  /** Size of the output file. */
  bytes: number;
  seconds: number;
  notes: PlanNotes;
  warnings: string[];
  metadata: Record<string, string>;
  /** Temporary files that merges killed outright had left in the output's directory, removed. */
  removedTemporaries: readonly StaleTemporary[];
}

const DEFAULT_CHUNK_ELEMENTS = 1 << 20;
const UNET_PREFIX = 'model.diffusion_model.';

/**
 * Merges checkpoint files into `output`, streaming: tensors are read chunk by chunk with
 * positioned reads, merged in float32 and written in A's key order, so memory stays bounded by
 * the chunk size (whole tensors only for TIES). The output appears under its name only when
 * complete (temporary file, fsync, rename).
 */
export async function mergeCheckpoints(o: MergeCheckpointsOptions): Promise<MergeReport> {
  const started = performance.now();
  const resolved = resolveSpec(o);
  const { method } = resolved;
  const dtype = o.dtype ?? 'f16';
  if (!OUTPUT_DTYPES.includes(dtype)) throw new UserInputError(`unknown output dtype "${dtype}"; expected one of ${OUTPUT_DTYPES.join(', ')}`);
  if (method.needsC && !o.models.c) throw new UserInputError(`merge method ${method.id} needs model C (the common base of A and B)`);
  const slots: ModelSlot[] = method.needsC ? ['a', 'b', 'c'] : ['a', 'b'];
  const files = slots.map((s) => o.models[s]!);
  await checkOutput(o.output, files, o.overwrite ?? false);

  const readers = await openTensorSources(files);
  try {
    const { detection, file } = checkArchitectures(readers, slots, o.preset);
    const preset = choosePreset(o.preset, detection, file);
    const [a, b, c] = readers;
    const plan = planMerge(preset, method, o.weights, { a: a.tensors, b: b.tensors, ...(c ? { c: c.tensors } : {}) });
    checkSomethingMerges(plan.notes, plan.actions, slots);
    const written = plan.actions.filter((x): x is Exclude<KeyAction, { kind: 'drop' }> => x.kind !== 'drop');
    const metadata = { format: 'pt', ...recipeMetadata(recipeOf(o, preset, resolved, dtype, slots)), ...o.metadata };
    const outDtype = storageDtype(dtype);
    const specs: TensorSpec[] = written.map((x) => {
      const t = a.get(x.key)!;
      return { name: t.name, dtype: isFloatDtype(t.dtype) ? outDtype : t.dtype, shape: t.shape };
    });
    await mkdir(path.dirname(path.resolve(o.output)), { recursive: true });
    const writer = await SafetensorsWriter.create(o.output, specs, metadata);
    try {
      await streamTensors(writer, readers, written, resolved, o);
      await writer.commit();
    } catch (e) {
      await writer.abort();
      throw e;
    }
    const count = (kind: KeyAction['kind']) => plan.actions.filter((x) => x.kind === kind).length;
    return {
      output: o.output,
      architecture: detection?.architecture,
      preset: preset.id,
      method: method.id,
      dtype,
      tensors: written.length,
      merged: count('merge'),
      copied: count('copy'),
      dropped: count('drop'),
      bytes: writer.bytesTotal,
      seconds: (performance.now() - started) / 1000,
      notes: plan.notes,
      warnings: describeNotes(plan.notes),
      metadata,
      removedTemporaries: writer.removedStale,
    };
  } finally {
    await Promise.all(readers.map((r) => r.close()));
  }
}

/** Writes every tensor in order: A's bytes for copies, the method's result for merged keys. */
async function streamTensors(
  writer: SafetensorsWriter,
  readers: readonly TensorSource[],
  written: ReadonlyArray<Exclude<KeyAction, { kind: 'drop' }>>,
  resolved: ResolvedSpec,
  o: MergeCheckpointsOptions,
): Promise<void> {
  const { method } = resolved;
  const pipe = new TensorPipe(writer, o.chunkElements ?? DEFAULT_CHUNK_ELEMENTS, o.signal);
  const root = mergeRng(resolved);
  const bytesTotal = writer.entries.length > 0 ? writer.entries[writer.entries.length - 1].end : 0;
  for (let i = 0; i < written.length; i++) {
    const action = written[i];
    const out = writer.entries[i];
    if (action.kind === 'copy') await pipe.chunked([{ reader: readers[0], entry: readers[0].get(action.key)! }], out, undefined);
    else {
      const inputs = readers.map((r) => ({ reader: r, entry: r.get(action.key)! }));
      const job = tensorJob(resolved, root, action.key, action.alpha);
      if (method.kind === 'tensor') await pipe.wholeTensor(inputs, out, method.kernel(job));
      else await pipe.chunked(inputs, out, elementStep(method, job, inputs.map((x) => x.entry.dtype as FloatDtype), out.dtype as LoopOutput));
    }
    o.onProgress?.({ tensorsDone: i + 1, tensorsTotal: written.length, bytesDone: out.end, bytesTotal, key: action.key });
  }
}

/** The recipe the output's metadata records. */
function recipeOf(o: MergeCheckpointsOptions, preset: BlockPreset, resolved: ResolvedSpec, dtype: OutputDtype, slots: readonly ModelSlot[]): MergeRecipe {
  const models = Object.fromEntries(slots.map((s) => {
    const sha256 = o.provenance?.sha256?.[s];
    return [s, { file: path.basename(o.models[s]!), ...(sha256 ? { sha256 } : {}) }];
  })) as MergeRecipe['models'];
  return {
    preset: preset.id,
    presetVersion: preset.version,
    method: resolved.method.id,
    weights: Object.fromEntries(preset.blocks.map((blk) => [blk, o.weights[blk]])),
    dtype,
    ...resolved.recorded,
    models,
    ...(o.provenance?.runHash ? { runHash: o.provenance.runHash } : {}),
  };
}

/**
 * The architecture all inputs share, and the file it was detected in. Every input needs a UNet and,
 * as `autombw blocks` has it, a recognizable SD1, SD2 or SDXL layout unless a preset is named:
 * anything else (a LoRA, a text encoder or VAE alone, a model of another family) has no block keys
 * in common with A, and the "merge" would be A re-encoded.
 */
function checkArchitectures(
  readers: readonly TensorSource[],
  slots: readonly ModelSlot[],
  preset: string | undefined,
): { detection: Detection | undefined; file: string } {
  const detections = readers.map((r, i) => {
    const which = `${r.file} (model ${slots[i].toUpperCase()})`;
    const d = detectArchitecture(r.tensors);
    if (!d && preset === undefined) {
      throw new UserInputError(`${which} is not recognizable as an SD1, SD2 or SDXL checkpoint: it has none of their text encoder or UNet keys (\`autombw blocks ${r.file}\` lists what it has; name a preset if it is one)`);
    }
    if (!r.tensors.some((t) => t.name.startsWith(UNET_PREFIX))) {
      throw new UserInputError(`${which} has no UNet (no ${UNET_PREFIX}* keys): a text encoder or VAE alone cannot be merged block by block`);
    }
    return d;
  });
  const known = detections.findIndex((d) => d !== undefined);
  detections.forEach((d, i) => {
    const first = detections[known]!;
    if (d && d.architecture !== first.architecture) {
      throw new UserInputError(`cannot merge ${readers[known].file} (${first.architecture}) with ${readers[i].file} (${d.architecture}): different architectures`);
    }
  });
  return known < 0 ? { detection: undefined, file: readers[0].file } : { detection: detections[known], file: readers[known].file };
}

/** A merge in which no key merges writes model A re-encoded under a new name: refused, with the causes. */
function checkSomethingMerges(notes: PlanNotes, actions: readonly KeyAction[], slots: readonly ModelSlot[]): void {
  if (actions.some((x) => x.kind === 'merge')) return;
  const others = slots.slice(1).map((s) => s.toUpperCase()).join(' and ');
  const causes = describeNotes(notes);
  const message = `nothing to merge: no key of model A can be merged with model ${others}${causes.length ? `; ${causes[0]}` : ''}`;
  throw new UserInputError(message, [message, ...causes.slice(1)]);
}

async function checkOutput(output: string, inputs: readonly string[], overwrite: boolean): Promise<void> {
  if (path.extname(output).toLowerCase() !== '.safetensors') throw new UserInputError(`output ${output} must be a .safetensors file`);
  const existing = await stat(output).catch(() => undefined);
  if (!existing) return;
  for (const input of inputs) {
    const s = await stat(input).catch(() => undefined);
    const same = s ? s.dev === existing.dev && s.ino === existing.ino : path.resolve(input) === path.resolve(output);
    if (same) throw new UserInputError(`refusing to write the merge over its input ${input}; choose another output file`);
  }
  if (!existing.isFile()) throw new UserInputError(`output ${output} exists and is not a file`);
  if (!overwrite) throw new UserInputError(`output ${output} already exists; pass --force to replace it`);
}
