import type { JsonValue } from '../../util/json.js';
import { isPlainObject } from '../../util/json.js';
import type { Payload } from '../payloads/types.js';
import { comfyRatio } from './merge-inputs.js';
import type { ApiWorkflow } from './workflow.js';

/**
 * A user's API-format workflow ("Export (API)" in ComfyUI) with `{{placeholders}}` in input
 * values. A string that is exactly one placeholder becomes the typed value (`"{{seed}}"` → 42);
 * placeholders inside longer strings are substituted as text (`"masterpiece, {{prompt}}"`).
 *
 * - `{{ckpt_a}}`, `{{ckpt_b}}`, `{{ckpt_c}}`: checkpoint names
 * - `{{prompt}}`, `{{negative}}`, `{{seed}}`, `{{steps}}`, `{{cfg}}`, `{{sampler}}`,
 *   `{{scheduler}}`, `{{width}}`, `{{height}}`, `{{images}}`: the payload
 * - `{{weight:BLOCK}}`: the recipe's weight of BLOCK (B's share)
 * - `{{ratio:BLOCK}}`: 1 − weight, for ComfyUI merge nodes whose ratio is model1's share
 */
export const PAYLOAD_PLACEHOLDERS = ['prompt', 'negative', 'seed', 'steps', 'cfg', 'sampler', 'scheduler', 'width', 'height', 'images'] as const;
export const CHECKPOINT_PLACEHOLDERS = ['ckpt_a', 'ckpt_b', 'ckpt_c'] as const;

/** Output nodes whose images the client collects. */
export const IMAGE_OUTPUT_CLASSES = ['SaveImageWebsocket', 'PreviewImage', 'SaveImage'] as const;

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)(?::([A-Za-z0-9_]+))?\s*\}\}/g;

export interface TemplateValues {
  checkpoints: { a: string; b: string; c?: string };
  payload: Payload;
  weights: Readonly<Record<string, number>>;
}

/** Every placeholder used, as `name` or `name:arg`. */
export function templatePlaceholders(workflow: ApiWorkflow): string[] {
  const found = new Set<string>();
  const visit = (v: JsonValue) => {
    if (typeof v === 'string') for (const m of v.matchAll(PLACEHOLDER)) found.add(m[2] === undefined ? m[1] : `${m[1]}:${m[2]}`);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (isPlainObject(v)) Object.values(v).forEach(visit);
  };
  for (const node of Object.values(workflow)) visit(node.inputs);
  return [...found].sort();
}

/**
 * Checks a template's shape; returns problems fit for a user (empty when fine). `blocks` are the
 * preset's block names, for `{{weight:…}}` / `{{ratio:…}}`; leave it out to skip that check.
 */
export function checkTemplate(data: unknown, blocks?: readonly string[]): string[] {
  if (!isPlainObject(data)) return ['a workflow template is a JSON object of nodes ({"1": {"class_type": …, "inputs": {…}}, …})'];
  if (Array.isArray(data.nodes) && Array.isArray(data.links)) {
    return ['this is ComfyUI\'s UI format; save the workflow with "Export (API)" instead'];
  }
  const problems: string[] = [];
  for (const [id, node] of Object.entries(data)) {
    if (!isPlainObject(node) || typeof node.class_type !== 'string' || !isPlainObject(node.inputs)) {
      problems.push(`node "${id}" needs "class_type" (a string) and "inputs" (an object)`);
    }
  }
  if (problems.length > 0) return problems;
  const workflow = data as unknown as ApiWorkflow;
  if (!Object.values(workflow).some((n) => (IMAGE_OUTPUT_CLASSES as readonly string[]).includes(n.class_type))) {
    problems.push(`the workflow has no image output node (${IMAGE_OUTPUT_CLASSES.join(', ')}); add SaveImageWebsocket`);
  }
  for (const p of templatePlaceholders(workflow)) {
    const [name, arg] = p.split(':');
    if (arg === undefined) {
      if (!(PAYLOAD_PLACEHOLDERS as readonly string[]).includes(name) && !(CHECKPOINT_PLACEHOLDERS as readonly string[]).includes(name)) {
        problems.push(`unknown placeholder {{${p}}}; known: ${[...CHECKPOINT_PLACEHOLDERS, ...PAYLOAD_PLACEHOLDERS].join(', ')}, weight:BLOCK, ratio:BLOCK`);
      }
    } else if (name !== 'weight' && name !== 'ratio') {
      problems.push(`unknown placeholder {{${p}}}; only weight:BLOCK and ratio:BLOCK take an argument`);
    } else if (blocks !== undefined && !blocks.includes(arg)) {
      problems.push(`placeholder {{${p}}} names no block of the preset (${blocks.join(', ')})`);
    }
  }
  return problems;
}

/** The template with every placeholder replaced. */
export function fillTemplate(template: ApiWorkflow, values: TemplateValues): ApiWorkflow {
  const value = (name: string, arg: string | undefined): JsonValue => {
    if (arg !== undefined) {
      const w = values.weights[arg];
      if (typeof w !== 'number') throw new Error(`recipe has no weight for block ${arg}`);
      return name === 'ratio' ? comfyRatio(w) : w;
    }
    if (name === 'ckpt_a') return values.checkpoints.a;
    if (name === 'ckpt_b') return values.checkpoints.b;
    if (name === 'ckpt_c') {
      if (values.checkpoints.c === undefined) throw new Error('the workflow uses {{ckpt_c}} but models.c is not set');
      return values.checkpoints.c;
    }
    return values.payload[name as (typeof PAYLOAD_PLACEHOLDERS)[number]];
  };
  const fill = (v: JsonValue): JsonValue => {
    if (typeof v === 'string') {
      const whole = /^\{\{\s*([A-Za-z_]+)(?::([A-Za-z0-9_]+))?\s*\}\}$/.exec(v);
      if (whole) return value(whole[1], whole[2]);
      return v.replace(PLACEHOLDER, (_, name: string, arg: string | undefined) => String(value(name, arg)));
    }
    if (Array.isArray(v)) return v.map(fill);
    if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x as JsonValue)]));
    return v;
  };
  return Object.fromEntries(Object.entries(template).map(([id, node]) => [id, { ...node, inputs: fill(node.inputs) as Record<string, JsonValue> }]));
}
