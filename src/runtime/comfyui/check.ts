import { isPlainObject } from '../../util/json.js';
import { closest } from '../../util/suggest.js';
import { BackendError } from '../errors.js';
import type { ComfyClient } from './client.js';

/** What a run needs from a ComfyUI server. */
export interface ComfyNeeds {
  classes: readonly string[];
  checkpoints: readonly string[];
  samplers: readonly string[];
  schedulers: readonly string[];
}

/** Health check: GET /system_stats answers with the server's devices. */
export async function comfyHealth(client: ComfyClient, signal: AbortSignal): Promise<void> {
  const stats = await client.getJson('/system_stats', signal);
  if (!isPlainObject(stats) || !isPlainObject(stats.system)) throw new BackendError(`${client.url}/system_stats: not a ComfyUI server (no "system" in the reply)`, 'rejected');
}

/**
 * Everything the run needs that the server lacks, one line each: node classes (custom nodes not
 * installed, or a build too old), checkpoints it does not list, samplers and schedulers it does
 * not offer. Empty when the server is ready.
 */
export async function missingOnServer(client: ComfyClient, needs: ComfyNeeds, signal: AbortSignal): Promise<string[]> {
  await comfyHealth(client, signal);
  const info = await client.getJson('/object_info', signal);
  if (!isPlainObject(info)) throw new BackendError(`${client.url}/object_info: unexpected reply`, 'transient');
  const problems: string[] = [];
  const byRemedy = new Map<string, string[]>();
  for (const c of needs.classes.filter((c) => !(c in info))) {
    const remedy = missingNodeRemedy(c);
    byRemedy.set(remedy, [...(byRemedy.get(remedy) ?? []), c]);
  }
  for (const [remedy, classes] of byRemedy) problems.push(`${client.url} lacks node class${classes.length > 1 ? 'es' : ''} ${classes.join(', ')} (${remedy})`);
  const check = (what: string, node: string, input: string, wanted: readonly string[]) => {
    const options = comboOptions(info[node], input);
    if (options === undefined) return;
    for (const w of new Set(wanted)) {
      if (options.includes(w)) continue;
      // The usual slip is a missing subfolder ("sd15/model.safetensors"), which edit distance misses.
      const hint = options.find((o) => o.replace(/\\/g, '/').endsWith(`/${w}`)) ?? closest(w, options);
      problems.push(`${client.url} has no ${what} "${w}"${hint ? ` (did you mean "${hint}"?)` : ''}${options.length <= 30 ? `; it offers ${options.join(', ')}` : ` among its ${options.length}`}`);
    }
  };
  check('checkpoint', 'CheckpointLoaderSimple', 'ckpt_name', needs.checkpoints);
  check('sampler', 'KSampler', 'sampler_name', needs.samplers);
  check('scheduler', 'KSampler', 'scheduler', needs.schedulers);
  return problems;
}

/** Where ComfyUI's own repository defines the merge nodes, which live outside its core nodes.py. */
const MERGE_NODE_FILES: Readonly<Record<string, string>> = {
  ModelMergeSD1: 'comfy_extras/nodes_model_merging_model_specific.py',
  ModelMergeSD2: 'comfy_extras/nodes_model_merging_model_specific.py',
  ModelMergeSDXL: 'comfy_extras/nodes_model_merging_model_specific.py',
  ModelMergeSubtract: 'comfy_extras/nodes_model_merging.py',
  ModelMergeAdd: 'comfy_extras/nodes_model_merging.py',
  CLIPMergeSimple: 'comfy_extras/nodes_model_merging.py',
  CLIPMergeSubtract: 'comfy_extras/nodes_model_merging.py',
  CLIPMergeAdd: 'comfy_extras/nodes_model_merging.py',
};

/** What to do about a node class the server lacks, by where the class comes from. */
function missingNodeRemedy(classType: string): string {
  if (classType === 'SaveImageWebsocket') {
    // An example node in ComfyUI's custom_nodes/, loaded like any custom node.
    return 'ComfyUI ships it as custom_nodes/websocket_image_save.py: restore that file, or with --disable-all-custom-nodes add --whitelist-custom-nodes websocket_image_save.py; or, with the built-in graph, set runtime.comfyui.output: history';
  }
  const file = MERGE_NODE_FILES[classType];
  if (file !== undefined) return `defined in ComfyUI's ${file}: update ComfyUI; a current build lacking it failed to import that file, and its start-up log says why`;
  return 'not a node of this ComfyUI build: install the custom node that provides it, or update ComfyUI';
}

/** The choices of a combo input: `[[...options]]` on most builds, `["COMBO", {options}]` on newer ones. */
export function comboOptions(nodeInfo: unknown, input: string): string[] | undefined {
  if (!isPlainObject(nodeInfo) || !isPlainObject(nodeInfo.input) || !isPlainObject(nodeInfo.input.required)) return undefined;
  const spec = nodeInfo.input.required[input];
  if (!Array.isArray(spec)) return undefined;
  if (Array.isArray(spec[0])) return spec[0].map(String);
  if (spec[0] === 'COMBO' && isPlainObject(spec[1]) && Array.isArray(spec[1].options)) return spec[1].options.map(String);
  return undefined;
}
