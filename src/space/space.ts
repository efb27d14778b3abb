import type { ConfigIssue } from '../config/issues.js';
import { getPreset, PRESETS, type BlockPreset } from './presets.js';
import { closest } from '../util/suggest.js';

/** A range as written in the experiment: `[min, max]` or `{min, max, step}`. */
export type RangeSpec = [number, number] | { min: number; max: number; step?: number };

export interface SpaceConfig {
  preset: string;
  /** Default range of every free block. */
  bounds: [number, number];
  /** Per-block (or per-group) ranges, overriding `bounds`. */
  ranges?: Record<string, RangeSpec>;
  /** Blocks held at a fixed weight; the optimizer never sees them. */
  freeze?: Record<string, number>;
  /** One variable driving several blocks. */
  groups?: Record<string, string[]>;
  /** Quantization step for every variable (a range may set its own). */
  step?: number;
}

/** One dimension the optimizer searches. */
export interface Variable {
  name: string;
  /** The blocks this variable sets (one, or a group's members). */
  blocks: readonly string[];
  min: number;
  max: number;
  step?: number;
}

const DECIMALS = 1e10;

/**
 * Maps the optimizer's unit cube onto named block weights and back. Variables appear in preset
 * order; a group takes the position of its first member.
 */
export class SearchSpace {
  readonly preset: BlockPreset;
  readonly variables: readonly Variable[];
  readonly frozen: Readonly<Record<string, number>>;

  private constructor(preset: BlockPreset, variables: Variable[], frozen: Record<string, number>) {
    this.preset = preset;
    this.variables = variables;
    this.frozen = frozen;
  }

  /** Builds the space or throws a SpaceConfigError listing every problem found. */
  static fromConfig(config: SpaceConfig): SearchSpace {
    const issues = checkSpaceConfig(config);
    if (issues.length > 0) throw new SpaceConfigError(issues);
    const preset = getPreset(config.preset)!;
    const freeze = config.freeze ?? {};
    const groups = config.groups ?? {};
    const groupOf = new Map<string, string>();
    for (const [name, members] of Object.entries(groups)) for (const b of members) groupOf.set(b, name);

    const variables: Variable[] = [];
    const seenGroups = new Set<string>();
    for (const block of preset.blocks) {
      if (block in freeze) continue;
      const group = groupOf.get(block);
      if (group !== undefined) {
        if (seenGroups.has(group)) continue;
        seenGroups.add(group);
        variables.push(makeVariable(group, preset.blocks.filter((b) => groupOf.get(b) === group), config));
      } else {
        variables.push(makeVariable(block, [block], config));
      }
    }
    return new SearchSpace(preset, variables, { ...freeze });
  }

  get dim(): number {
    return this.variables.length;
  }

  get names(): string[] {
    return this.variables.map((v) => v.name);
  }

  /** Weight of one variable at unit coordinate `u`, quantized to its step. */
  valueOf(index: number, u: number): number {
    const v = this.variables[index];
    const clamped = Math.min(1, Math.max(0, u));
    let value = v.min + clamped * (v.max - v.min);
    if (v.step !== undefined) {
      value = v.min + Math.round((value - v.min) / v.step) * v.step;
      value = Math.min(v.max, Math.max(v.min, value));
    }
    return Math.round(value * DECIMALS) / DECIMALS;
  }

  /** Unit coordinate of a variable's weight (inverse of valueOf for on-grid values). */
  unitOf(index: number, value: number): number {
    const v = this.variables[index];
    return v.max === v.min ? 0 : (value - v.min) / (v.max - v.min);
  }

  /** Moves a unit-cube point onto the grid the weights are quantized to (identity without steps). */
  snap(x: readonly number[]): number[] {
    this.checkDim(x);
    return x.map((u, i) => {
      const v = this.variables[i];
      const c = Math.min(1, Math.max(0, u));
      return v.step === undefined ? c : this.unitOf(i, this.valueOf(i, c));
    });
  }

  /** Named weights for every block of the preset, in preset order. */
  toWeights(x: readonly number[]): Record<string, number> {
    this.checkDim(x);
    const byBlock = new Map<string, number>();
    this.variables.forEach((v, i) => {
      const value = this.valueOf(i, x[i]);
      for (const b of v.blocks) byBlock.set(b, value);
    });
    const weights: Record<string, number> = {};
    for (const b of this.preset.blocks) weights[b] = b in this.frozen ? this.frozen[b] : byBlock.get(b)!;
    return weights;
  }

  /**
   * Unit-cube point for a recipe (warm starts, imports). Members of a group must agree; weights
   * outside a variable's range are refused rather than clipped, since that would change the recipe.
   */
  fromWeights(weights: Readonly<Record<string, number>>): number[] {
    return this.variables.map((v, i) => {
      const values = v.blocks.map((b) => {
        const w = weights[b];
        if (typeof w !== 'number' || !Number.isFinite(w)) throw new Error(`recipe has no weight for block ${b}`);
        return w;
      });
      if (values.some((w) => Math.abs(w - values[0]) > 1e-9)) {
        throw new Error(`group ${v.name} needs equal weights for ${v.blocks.join(', ')}, got ${values.join(', ')}`);
      }
      const w = values[0];
      if (w < v.min - 1e-9 || w > v.max + 1e-9) throw new Error(`weight ${w} for ${v.name} is outside its range [${v.min}, ${v.max}]`);
      return Math.min(1, Math.max(0, this.unitOf(i, w)));
    });
  }

  private checkDim(x: readonly number[]): void {
    if (x.length !== this.dim) throw new Error(`point has ${x.length} coordinates, space has ${this.dim} variables`);
  }
}

export class SpaceConfigError extends Error {
  constructor(readonly issues: ConfigIssue[]) {
    super(issues.map((i) => i.message).join('; '));
    this.name = 'SpaceConfigError';
  }
}

function rangeOf(spec: RangeSpec): { min: number; max: number; step?: number } {
  return Array.isArray(spec) ? { min: spec[0], max: spec[1] } : spec;
}

function makeVariable(name: string, blocks: string[], config: SpaceConfig): Variable {
  const own = config.ranges?.[name];
  let r: { min: number; max: number; step?: number };
  if (own !== undefined) r = rangeOf(own);
  else if (blocks.length > 1 && blocks.some((b) => config.ranges?.[b] !== undefined)) r = rangeOf(config.ranges![blocks[0]]);
  else r = { min: config.bounds[0], max: config.bounds[1] };
  const step = r.step ?? config.step;
  return step === undefined ? { name, blocks, min: r.min, max: r.max } : { name, blocks, min: r.min, max: r.max, step };
}

/** What to tell a user who named a block the preset does not have, with the closest real name. */
export function unknownBlockMessage(name: string, preset: BlockPreset): string {
  const hint = closest(name, preset.blocks);
  return `unknown block "${name}" for preset ${preset.id}${hint ? ` (did you mean "${hint}"?)` : ''}; blocks are ${preset.blocks.join(', ')}`;
}

/** Every semantic problem of a space section, each located by its path under `space`. */
export function checkSpaceConfig(config: SpaceConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const at = (...p: Array<string | number>) => ['space', ...p];
  const preset = getPreset(config.preset);
  if (!preset) {
    const hint = closest(config.preset, Object.keys(PRESETS));
    issues.push({ path: at('preset'), message: `unknown preset "${config.preset}"; expected one of ${Object.keys(PRESETS).join(', ')}${hint ? ` (did you mean "${hint}"?)` : ''}` });
    return issues;
  }
  const known = new Set(preset.blocks);
  const unknownBlock = (name: string) => unknownBlockMessage(name, preset);
  const checkRange = (lo: number, hi: number, path: Array<string | number>, step?: number) => {
    if (!(lo < hi)) issues.push({ path, message: `range [${lo}, ${hi}] must have min < max` });
    else if (step !== undefined) checkStep(lo, hi, step, path);
  };
  const checkStep = (lo: number, hi: number, step: number, path: Array<string | number>) => {
    if (!(step > 0)) {
      issues.push({ path, message: `step must be > 0, got ${step}` });
      return;
    }
    const cells = (hi - lo) / step;
    if (Math.abs(cells - Math.round(cells)) > 1e-6) {
      issues.push({ path, message: `step ${step} does not divide the range [${lo}, ${hi}] into whole steps` });
    }
  };

  checkRange(config.bounds[0], config.bounds[1], at('bounds'), config.step);
  if (config.step !== undefined && !(config.step > 0)) issues.push({ path: at('step'), message: `step must be > 0, got ${config.step}` });

  const freeze = config.freeze ?? {};
  for (const block of Object.keys(freeze)) {
    if (!known.has(block)) issues.push({ path: at('freeze', block), message: unknownBlock(block) });
  }

  const groups = config.groups ?? {};
  const memberOf = new Map<string, string>();
  for (const [name, members] of Object.entries(groups)) {
    if (known.has(name)) issues.push({ path: at('groups', name), message: `group name "${name}" is a block name; choose another name` });
    if (members.length < 2) issues.push({ path: at('groups', name), message: `group "${name}" needs at least 2 blocks, got ${members.length}` });
    members.forEach((b, i) => {
      if (!known.has(b)) issues.push({ path: at('groups', name, i), message: unknownBlock(b) });
      else if (b in freeze) issues.push({ path: at('groups', name, i), message: `block ${b} is frozen and cannot also be in group "${name}"` });
      else if (memberOf.has(b)) issues.push({ path: at('groups', name, i), message: `block ${b} is already in group "${memberOf.get(b)}"` });
      else memberOf.set(b, name);
    });
  }

  const ranges = config.ranges ?? {};
  for (const [name, spec] of Object.entries(ranges)) {
    const r = rangeOf(spec);
    const path = at('ranges', name);
    if (name in groups) {
      checkRange(r.min, r.max, path, r.step ?? config.step);
      continue;
    }
    if (!known.has(name)) {
      issues.push({ path, message: `${unknownBlock(name)} (or a group name)` });
      continue;
    }
    if (name in freeze) issues.push({ path, message: `block ${name} is frozen; a range for it has no effect` });
    checkRange(r.min, r.max, path, r.step ?? config.step);
  }
  for (const [name, members] of Object.entries(groups)) {
    if (name in ranges) continue;
    const specs = members.filter((b) => ranges[b] !== undefined).map((b) => JSON.stringify(rangeOf(ranges[b])));
    if (specs.length > 0 && (specs.length !== members.length || new Set(specs).size > 1)) {
      issues.push({ path: at('groups', name), message: `members of group "${name}" have different ranges; set ranges.${name} for the group` });
    }
  }

  const free = preset.blocks.filter((b) => !(b in freeze));
  if (free.length === 0) issues.push({ path: at('freeze'), message: 'every block is frozen; nothing is left to search' });
  return issues;
}
