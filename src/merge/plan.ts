import { UserInputError } from '../config/issues.js';
import type { BlockPreset } from '../space/presets.js';
import { closest } from '../util/suggest.js';
import { isFloatDtype, type Dtype } from './dtype.js';
import type { MergeMethod } from './methods/types.js';
import { clip } from './safetensors/excerpt.js';

export interface KeyInfo {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
}

/** What happens to one key of model A. */
export type KeyAction =
  | { kind: 'merge'; key: string; block: string; alpha: number }
  /** Written from model A unchanged (float tensors converted to the output precision). */
  | { kind: 'copy'; key: string; reason: string }
  | { kind: 'drop'; key: string; reason: string };

/** Keys that did not merge normally, by cause, for the report and the CLI's warnings. */
export interface PlanNotes {
  /** Not in the preset's key map: copied from A. */
  unmatched: string[];
  /** A block key missing in B (or in C when the method needs C): copied from A. */
  missingInOthers: string[];
  /** Present in B but not in A: not written, since A is the base of the output's key set. */
  onlyInB: string[];
  /** A block key whose shape differs between the models (e.g. an inpainting conv_in): copied from A. */
  shapeMismatch: string[];
  /** A block key stored as integers or bools: copied from A. */
  nonFloat: string[];
}

export interface MergePlan {
  /** One action per key of A, in A's data order. */
  actions: KeyAction[];
  notes: PlanNotes;
}

/** Checks that `weights` names every block of the preset, and nothing else, with finite numbers. */
export function checkWeights(preset: BlockPreset, weights: Readonly<Record<string, number>>): void {
  const problems: string[] = [];
  for (const name of Object.keys(weights)) {
    if (!preset.blocks.includes(name)) {
      const hint = closest(name, preset.blocks);
      problems.push(`unknown block "${name}" for preset ${preset.id}${hint ? ` (did you mean "${hint}"?)` : ''}`);
    }
  }
  const missing = preset.blocks.filter((b) => !(b in weights));
  if (missing.length > 0) problems.push(`no weight for block${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of preset ${preset.id}`);
  for (const b of preset.blocks) {
    if (b in weights && !Number.isFinite(weights[b])) problems.push(`weight of ${b} is not a finite number: ${weights[b]}`);
  }
  if (problems.length > 0) throw new UserInputError(`recipe does not fit preset ${preset.id}: ${problems[0]}`, problems);
}

/**
 * Decides every key of model A. Block keys merge when every model the method reads has them with
 * the same shape and a float type; otherwise A's tensor is kept and the cause noted.
 */
export function planMerge(
  preset: BlockPreset,
  method: MergeMethod,
  weights: Readonly<Record<string, number>>,
  models: { a: readonly KeyInfo[]; b: readonly KeyInfo[]; c?: readonly KeyInfo[] },
): MergePlan {
  checkWeights(preset, weights);
  const others = [new Map(models.b.map((t) => [t.name, t]))];
  if (method.needsC) {
    if (!models.c) throw new Error(`${method.id} needs model C`);
    others.push(new Map(models.c.map((t) => [t.name, t])));
  }
  const notes: PlanNotes = { unmatched: [], missingInOthers: [], onlyInB: [], shapeMismatch: [], nonFloat: [] };
  const actions: KeyAction[] = [];
  const copy = (key: string, reason: string, list?: string[]) => {
    actions.push({ kind: 'copy', key, reason });
    list?.push(key);
  };
  for (const t of models.a) {
    const target = preset.mapKey(t.name);
    if (!target) {
      copy(t.name, `not in preset ${preset.id}'s key map`, notes.unmatched);
      continue;
    }
    if (target.kind === 'drop') {
      actions.push({ kind: 'drop', key: t.name, reason: target.reason });
      continue;
    }
    if (target.kind === 'copy-a') {
      copy(t.name, target.reason);
      continue;
    }
    const counterparts = others.map((m) => m.get(t.name));
    if (counterparts.some((o) => o === undefined)) copy(t.name, 'missing in another model', notes.missingInOthers);
    else if (!isFloatDtype(t.dtype) || counterparts.some((o) => !isFloatDtype(o!.dtype))) copy(t.name, 'not a float tensor', notes.nonFloat);
    else if (counterparts.some((o) => !sameShape(o!.shape, t.shape))) copy(t.name, 'shapes differ between models', notes.shapeMismatch);
    else actions.push({ kind: 'merge', key: t.name, block: target.block, alpha: weights[target.block] });
  }
  const inA = new Set(models.a.map((t) => t.name));
  for (const t of models.b) if (!inA.has(t.name) && preset.mapKey(t.name)?.kind !== 'drop') notes.onlyInB.push(t.name);
  return { actions, notes };
}

/** Human-readable warnings for the notes that change the result (empty when the merge was clean). */
export function describeNotes(notes: PlanNotes): string[] {
  const lines: string[] = [];
  const list = (keys: string[]) => keys.slice(0, 5).map((k) => clip(k)).join(', ') + (keys.length > 5 ? `, … (${keys.length} in all)` : '');
  if (notes.unmatched.length) lines.push(`${notes.unmatched.length} key(s) the preset does not know were copied from model A: ${list(notes.unmatched)}`);
  if (notes.missingInOthers.length) lines.push(`${notes.missingInOthers.length} key(s) missing in model B or C were copied from model A: ${list(notes.missingInOthers)}`);
  if (notes.shapeMismatch.length) lines.push(`${notes.shapeMismatch.length} key(s) with different shapes were copied from model A: ${list(notes.shapeMismatch)}`);
  if (notes.nonFloat.length) lines.push(`${notes.nonFloat.length} non-float key(s) were copied from model A: ${list(notes.nonFloat)}`);
  if (notes.onlyInB.length) lines.push(`${notes.onlyInB.length} key(s) only in model B are not in the output: ${list(notes.onlyInB)}`);
  return lines;
}

function sameShape(x: readonly number[], y: readonly number[]): boolean {
  return x.length === y.length && x.every((d, i) => d === y[i]);
}
