import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { schemaIssues, schemasDir } from '../config/schema.js';
import { formatPath, UserInputError, type ConfigIssue } from '../config/issues.js';
import type { Penalty } from './aggregate.js';
import type { CombineMode } from './combine.js';
import { PREPROCESS_PRESETS, type PreprocessSpec, type ResizeKernel } from './preprocess.js';
import type { TallyMode } from './tally.js';
import type { OutputTransform } from './transform.js';

/**
 * The `scorer` section of an experiment (schemas/scoring.schema.json), typed as it is after the
 * schema filled its defaults. Keys keep the YAML spelling so a section can be passed through as is.
 */
export interface ScoringSection {
  scorers: ScorerSection[];
  combine: CombineMode;
  tally: TallyMode;
  penalty: Penalty;
}

export type ScorerSection = OnnxScorerSection | CommandScorerSection | ManualScorerSection | BuiltinScorerSection;
export type ScorerKindName = ScorerSection['kind'];

interface CommonSection {
  name?: string;
  weight: number;
  transform: OutputTransform;
}

export interface OnnxScorerSection extends CommonSection {
  kind: 'onnx';
  model?: string;
  encoder?: string;
  head?: string;
  text_encoder?: string;
  encoder_output?: string;
  normalize: boolean;
  tokenizer?: TokenizerSection;
  preprocess: string | CustomPreprocessSection;
  batch: number;
  provider: 'cpu' | 'cuda' | 'auto';
  device: number;
  threads: number;
}

export interface TokenizerSection {
  vocab?: string;
  merges: string;
  context_length: number;
  padding: 'end-of-text' | 'zero';
}

export interface CustomPreprocessSection {
  size: number | [number, number];
  resize: 'crop' | 'stretch';
  shortest_side?: number;
  kernel: ResizeKernel;
  rescale: number;
  mean: [number, number, number];
  std: [number, number, number];
  channels: 'rgb' | 'bgr';
}

export interface CommandScorerSection extends CommonSection {
  kind: 'command';
  command: string[];
  cwd: string;
  timeout: number | string;
  batch: number;
  env: Record<string, string>;
}

export interface ManualScorerSection extends CommonSection {
  kind: 'manual';
  interface: 'web' | 'terminal';
  port: number;
  min: number;
  max: number;
  step: number;
  ratings?: string;
}

export interface BuiltinScorerSection extends CommonSection {
  kind: 'builtin';
  model: 'demo';
}

let validator: ValidateFunction | undefined;

function scoringValidator(): ValidateFunction {
  if (validator) return validator;
  // The experiment validator's options, so a section is filled the same way; verbose gives the
  // error descriptions the schemas that suggest keys ("did you mean") need.
  const ajv = new Ajv2020({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true, verbose: true });
  ajv.addSchema(JSON.parse(readFileSync(path.join(schemasDir(), 'scoring.schema.json'), 'utf8')));
  validator = ajv.getSchema('scoring.schema.json#/$defs/scorer')!;
  return validator;
}

/**
 * Checks a scorer section against the schema and the rules a schema cannot state, and fills defaults
 * on a copy. Issue paths are relative to the section.
 */
export function validateScoringSection(value: unknown): { section: ScoringSection; issues: ConfigIssue[] } {
  const data: unknown = structuredClone(value);
  const validate = scoringValidator();
  const issues = validate(data) ? checkScoringSection(data as ScoringSection) : schemaIssues(validate.errors ?? [], data);
  return { section: data as ScoringSection, issues };
}

/** The section typed and filled, or a UserInputError listing every problem under `at`. */
export function parseScoringSection(value: unknown, at: ReadonlyArray<string | number> = ['scorer']): ScoringSection {
  const { section, issues } = validateScoringSection(value);
  if (issues.length > 0) throw configError(issues, at);
  return section;
}

export function configError(issues: readonly ConfigIssue[], at: ReadonlyArray<string | number>): UserInputError {
  const lines = issues.map((i) => `${formatPath([...at, ...i.path])}: ${i.message}`);
  return new UserInputError(lines.length === 1 ? lines[0] : `${lines.length} problems in the scorer section`, lines);
}

/** Rules beyond the schema: which model files go together, sane rating scales, unique names. */
export function checkScoringSection(section: ScoringSection): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  section.scorers.forEach((s, i) => {
    const at = (...rest: Array<string | number>) => ['scorers', i, ...rest];
    if (s.kind === 'onnx') {
      if ((s.model === undefined) === (s.encoder === undefined)) {
        issues.push({ path: at(), message: 'give either `model` (image → score) or `encoder` with `head` or `text_encoder`' });
      } else if (s.model !== undefined && s.encoder_output !== undefined) {
        issues.push({ path: at('encoder_output'), message: '`encoder_output` applies to `encoder`, not to `model`' });
      } else if (s.encoder !== undefined && (s.head === undefined) === (s.text_encoder === undefined)) {
        issues.push({ path: at(), message: '`encoder` needs exactly one of `head` (embedding → score) or `text_encoder` (cosine with the prompt)' });
      } else if (s.head !== undefined && s.tokenizer !== undefined) {
        issues.push({ path: at('tokenizer'), message: 'an encoder with a head takes no prompt; remove `tokenizer` or use `text_encoder`' });
      }
      if (typeof s.preprocess === 'object' && s.preprocess.resize === 'crop' && s.preprocess.shortest_side !== undefined) {
        const [w, h] = sizeOf(s.preprocess);
        if (s.preprocess.shortest_side < Math.max(w, h)) {
          issues.push({ path: at('preprocess', 'shortest_side'), message: `must be at least ${Math.max(w, h)} to crop ${w}×${h}` });
        }
      }
    }
    if (s.kind === 'manual') {
      if (!(s.min < s.max)) issues.push({ path: at('max'), message: `must be greater than min (${s.min})` });
      else if (s.step > s.max - s.min) issues.push({ path: at('step'), message: `must not exceed max − min (${s.max - s.min})` });
    }
  });
  const explicit = section.scorers.map((s) => s.name).filter((n): n is string => n !== undefined);
  explicit.forEach((n, i) => {
    if (explicit.indexOf(n) !== i) issues.push({ path: ['scorers', section.scorers.findLastIndex((s) => s.name === n), 'name'], message: `"${n}" names two scorers` });
  });
  return issues;
}

function sizeOf(p: CustomPreprocessSection): [number, number] {
  return typeof p.size === 'number' ? [p.size, p.size] : p.size;
}

/** The preprocessing a scorer section asks for. */
export function preprocessSpec(p: OnnxScorerSection['preprocess']): PreprocessSpec {
  if (typeof p === 'string') return PREPROCESS_PRESETS[p];
  const [width, height] = sizeOf(p);
  return {
    width,
    height,
    resize: p.resize,
    shortestSide: p.shortest_side ?? Math.max(width, height),
    kernel: p.kernel,
    scale: p.rescale,
    mean: p.mean,
    std: p.std,
    channels: p.channels,
  };
}

/**
 * The journal name of every scorer: its `name`, else the stem of its deciding file (head, model,
 * text encoder), the built-in model or the kind; repeated names get -2, -3, …
 */
export function scorerNames(section: ScoringSection): string[] {
  const taken = new Set(section.scorers.map((s) => s.name).filter((n): n is string => n !== undefined));
  return section.scorers.map((s) => {
    if (s.name !== undefined) return s.name;
    const base = defaultName(s);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
    taken.add(name);
    return name;
  });
}

function defaultName(s: ScorerSection): string {
  switch (s.kind) {
    case 'onnx': {
      const file = s.head ?? s.model ?? s.text_encoder;
      return file ? path.basename(file).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_.-]/g, '-') || 'onnx' : 'onnx';
    }
    case 'builtin':
      return s.model;
    default:
      return s.kind;
  }
}
