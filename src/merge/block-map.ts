import { UserInputError } from '../config/issues.js';
import { DEFAULT_PRESET, getPreset, PRESETS, type Architecture, type BlockPreset } from '../space/presets.js';
import { closest } from '../util/suggest.js';
import type { Detection } from './architecture.js';

/** The preset used when the user names none: the project default for SD1/SD2, the only SDXL one for SDXL. */
function defaultPresetFor(architecture: Architecture): BlockPreset {
  const preferred = getPreset(DEFAULT_PRESET)!;
  if (preferred.architectures.includes(architecture)) return preferred;
  return Object.values(PRESETS).find((p) => p.architectures.includes(architecture))!;
}

/**
 * The preset to map a checkpoint with: the named one (checked against the detected
 * architecture) or the default for the architecture. `file` names the checkpoint in messages.
 */
export function choosePreset(id: string | undefined, detection: Detection | undefined, file: string): BlockPreset {
  if (id === undefined) {
    if (!detection) throw new UserInputError(`${file}: cannot tell whether this is an SD1, SD2 or SDXL checkpoint; name a preset (${Object.keys(PRESETS).join(', ')})`);
    return defaultPresetFor(detection.architecture);
  }
  const preset = getPreset(id);
  if (!preset) {
    const hint = closest(id, Object.keys(PRESETS));
    throw new UserInputError(`unknown preset "${id}"${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${Object.keys(PRESETS).join(', ')}`);
  }
  if (detection && !preset.architectures.includes(detection.architecture)) {
    throw new UserInputError(`${file} is an ${detection.architecture} checkpoint (${detection.evidence}) but preset ${preset.id} is for ${preset.architectures.join('/')}`);
  }
  return preset;
}

export interface BlockCount {
  name: string;
  tensors: number;
  parameters: number;
}

export interface BlockSummary {
  preset: BlockPreset;
  /** Every block of the preset, in preset order (zero counts included: a block no key maps to is worth seeing). */
  blocks: BlockCount[];
  /** Keys under a policy instead of a block, grouped by the policy's reason. */
  copied: BlockCount[];
  dropped: BlockCount[];
  /** Keys the preset does not know; the merge copies them from model A. */
  unmatched: string[];
}

/** Tensor and parameter counts per block of `preset` for the given tensors. */
export function summarizeBlocks(preset: BlockPreset, tensors: ReadonlyArray<{ name: string; shape: readonly number[] }>): BlockSummary {
  const blocks = new Map(preset.blocks.map((b) => [b, { name: b, tensors: 0, parameters: 0 }]));
  const copied = new Map<string, BlockCount>();
  const dropped = new Map<string, BlockCount>();
  const unmatched: string[] = [];
  const add = (into: Map<string, BlockCount>, name: string, shape: readonly number[]) => {
    const count = into.get(name) ?? { name, tensors: 0, parameters: 0 };
    count.tensors++;
    count.parameters += shape.reduce((n, d) => n * d, 1);
    into.set(name, count);
  };
  for (const t of tensors) {
    const target = preset.mapKey(t.name);
    if (!target) unmatched.push(t.name);
    else if (target.kind === 'block') add(blocks, target.block, t.shape);
    else add(target.kind === 'copy-a' ? copied : dropped, target.reason, t.shape);
  }
  return { preset, blocks: [...blocks.values()], copied: [...copied.values()], dropped: [...dropped.values()], unmatched };
}
