/**
 * The tensor names of an SD1.x checkpoint (LDM layout): the 686 UNet keys and the CLIP-L text
 * encoder's float keys, generated from the architecture instead of shipped as a list. The demo
 * models use them so the merge engine maps, merges and reports them exactly as it would a real
 * checkpoint. (test/runtime/demo.test.ts checks them against the real key list.)
 */

const UNET = 'model.diffusion_model.';
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const wb = (prefix: string) => [`${prefix}.weight`, `${prefix}.bias`];

function resBlock(prefix: string, skip: boolean): string[] {
  return [
    ...wb(`${prefix}.in_layers.0`),
    ...wb(`${prefix}.in_layers.2`),
    ...wb(`${prefix}.emb_layers.1`),
    ...wb(`${prefix}.out_layers.0`),
    ...wb(`${prefix}.out_layers.3`),
    ...(skip ? wb(`${prefix}.skip_connection`) : []),
  ];
}

function spatialTransformer(prefix: string): string[] {
  const t = `${prefix}.transformer_blocks.0`;
  const attention = (n: number) => [...['to_q', 'to_k', 'to_v'].map((p) => `${t}.attn${n}.${p}.weight`), ...wb(`${t}.attn${n}.to_out.0`)];
  return [
    ...wb(`${prefix}.norm`),
    ...wb(`${prefix}.proj_in`),
    ...attention(1),
    ...attention(2),
    ...wb(`${t}.ff.net.0.proj`),
    ...wb(`${t}.ff.net.2`),
    ...wb(`${t}.norm1`),
    ...wb(`${t}.norm2`),
    ...wb(`${t}.norm3`),
    ...wb(`${prefix}.proj_out`),
  ];
}

export function sd1UnetKeys(): string[] {
  const keys: string[] = [...wb('time_embed.0'), ...wb('time_embed.2'), ...wb('input_blocks.0.0')];
  for (const i of [1, 2, 4, 5, 7, 8]) keys.push(...resBlock(`input_blocks.${i}.0`, i === 4 || i === 7), ...spatialTransformer(`input_blocks.${i}.1`));
  for (const i of [3, 6, 9]) keys.push(...wb(`input_blocks.${i}.0.op`));
  for (const i of [10, 11]) keys.push(...resBlock(`input_blocks.${i}.0`, false));
  keys.push(...resBlock('middle_block.0', false), ...spatialTransformer('middle_block.1'), ...resBlock('middle_block.2', false));
  for (const i of range(12)) {
    keys.push(...resBlock(`output_blocks.${i}.0`, true));
    if (i >= 3) keys.push(...spatialTransformer(`output_blocks.${i}.1`));
  }
  keys.push(...wb('output_blocks.2.1.conv'), ...wb('output_blocks.5.2.conv'), ...wb('output_blocks.8.2.conv'));
  keys.push(...wb('out.0'), ...wb('out.2'));
  return keys.map((k) => UNET + k);
}

/** CLIP-L's float tensors (position_ids, an integer buffer, is left out). */
export function sd1TextEncoderKeys(): string[] {
  const tm = 'cond_stage_model.transformer.text_model';
  const layer = (i: number) =>
    ['layer_norm1', 'layer_norm2', 'mlp.fc1', 'mlp.fc2', 'self_attn.k_proj', 'self_attn.out_proj', 'self_attn.q_proj', 'self_attn.v_proj'].flatMap((p) => wb(`${tm}.encoder.layers.${i}.${p}`));
  return [`${tm}.embeddings.position_embedding.weight`, `${tm}.embeddings.token_embedding.weight`, ...range(12).flatMap(layer), ...wb(`${tm}.final_layer_norm`)];
}
