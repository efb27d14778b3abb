import type { RunData } from '../report/run-data.js';
import { modelObject, serverName, type MergeSection } from '../objectives/merge/config.js';
import { loadPayloads } from '../runtime/payloads/load.js';
import { PAYLOAD_DEFAULTS, type Payload } from '../runtime/payloads/types.js';
import { mergeNodeLayout } from '../runtime/comfyui/merge-inputs.js';
import { buildWorkflow, type ApiWorkflow } from '../runtime/comfyui/workflow.js';
import { getPreset } from '../space/presets.js';
import type { Recipe } from '../space/recipe.js';
import { Rng } from '../util/rng.js';

/**
 * A recipe as a ComfyUI workflow in API format (what "Save (API)" writes and POST /prompt takes):
 * the same graph autombw queues during a run — checkpoint loaders, ModelMergeSD1/SDXL with each
 * input at ComfyUI's ratio 1 − w (ratio is model1 = A's share, w is B's), CLIPMergeSimple when the
 * preset weights the text encoder, add-difference from ComfyUI's own nodes — rendering the run's
 * first payload, with a SaveImage at the end so the result lands in ComfyUI's output folder.
 */
export function comfyWorkflow(recipe: Recipe, run: RunData): { workflow: ApiWorkflow; warnings: string[] } {
  const preset = getPreset(recipe.preset);
  if (!preset) throw new Error(`unknown preset "${recipe.preset}"`);
  const warnings: string[] = [];
  const objective = run.config.objective as unknown as MergeSection | { kind: string };
  const merge = objective.kind === 'merge' ? (objective as MergeSection) : undefined;
  const method = merge?.method ?? 'weighted-sum';
  if (method !== 'weighted-sum' && method !== 'add-difference') {
    throw new Error(`ComfyUI's merge nodes do weighted-sum and add-difference; this run merged with ${method} (use autombw merge to write the checkpoint, then load it in ComfyUI)`);
  }
  let checkpoints = { a: 'model_a.safetensors', b: 'model_b.safetensors', ...(method === 'add-difference' ? { c: 'model_c.safetensors' } : {}) };
  if (merge?.models) {
    const backend = merge.runtime.backend;
    const name = (m: NonNullable<MergeSection['models']>['a']) => serverName(modelObject(m, backend));
    checkpoints = { a: name(merge.models.a), b: name(merge.models.b), ...(merge.models.c !== undefined ? { c: name(merge.models.c) } : {}) };
  } else {
    warnings.push(`the run names no models; the loaders say ${Object.values(checkpoints).join(', ')}: pick your checkpoints in ComfyUI`);
  }
  const payload = firstPayload(merge, run.dir);
  if (!merge) warnings.push('the run has no payloads; the workflow renders a placeholder prompt: edit it in ComfyUI');
  const workflow = buildWorkflow({ layout: mergeNodeLayout(preset), method, checkpoints, weights: recipe.weights, payload, output: 'history' });
  const [last, node] = Object.entries(workflow).at(-1)!;
  workflow[last] = { class_type: 'SaveImage', inputs: { images: node.inputs.images, filename_prefix: 'autombw' } };
  return { workflow, warnings };
}

function firstPayload(merge: MergeSection | undefined, runDir: string): Payload {
  if (merge) {
    // config.resolved.yaml holds the payloads already expanded (wildcards drawn), so any generator reproduces them.
    const { payloads } = loadPayloads(merge.payloads, runDir, Rng.fromSeed(0), []);
    if (payloads.length > 0) return payloads[0];
  }
  return { ...PAYLOAD_DEFAULTS, name: 'placeholder', prompt: 'a photograph' };
}
