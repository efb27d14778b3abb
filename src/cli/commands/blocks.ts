import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { detectArchitecture } from '../../merge/architecture.js';
import { choosePreset, summarizeBlocks, type BlockCount } from '../../merge/block-map.js';
import { readRecipeMetadata } from '../../merge/recipe-metadata.js';
import { SafetensorsReader } from '../../merge/safetensors/reader.js';
import { PRESETS } from '../../space/presets.js';

export const blocksCommand: Command = {
  name: 'blocks',
  help: `Usage: autombw blocks <model.safetensors> [--preset ID] [--json]

Prints the detected architecture (sd1, sd2, sdxl), the tensor and parameter counts of every
block of the preset, the keys kept from model A or dropped by policy (VAE, scheduler, EMA),
and every key the preset does not map (a merge copies those from model A). Only the header
is read.

Options:
  --preset ID   ${Object.keys(PRESETS).join(', ')} (default: sd1-27 for SD1/SD2, sdxl-20 for SDXL)
  --json        machine-readable output`,

  async run(argv) {
    const { values, positionals } = parseCommandArgs('blocks', argv, { preset: { type: 'string' }, json: { type: 'boolean' } });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw blocks: give exactly one .safetensors file');
    const file = positionals[0];
    const reader = await SafetensorsReader.open(file);
    try {
      const detection = detectArchitecture(reader.tensors);
      const preset = choosePreset(values.preset, detection, file);
      const summary = summarizeBlocks(preset, reader.tensors);
      const recipe = readRecipeMetadata(reader.metadata);
      if (values.json) {
        console.log(JSON.stringify({
          file,
          architecture: detection?.architecture ?? null,
          evidence: detection?.evidence ?? null,
          inpainting: detection?.inpainting ?? false,
          preset: preset.id,
          preset_version: preset.version,
          blocks: summary.blocks,
          copied: summary.copied,
          dropped: summary.dropped,
          unmatched: summary.unmatched,
          ...(recipe ? { recipe } : {}),
        }, null, 2));
        return 0;
      }
      const lines = [
        `${file}: ${reader.tensors.length} tensors, ${formatCount(reader.tensors.reduce((n, t) => n + t.shape.reduce((m, d) => m * d, 1), 0))} parameters`,
        `architecture: ${detection ? `${detection.architecture}${detection.inpainting ? ' (inpainting)' : ''}, from ${detection.evidence}` : 'unknown'}`,
        `preset: ${preset.id} v${preset.version} (${preset.description})`,
        ...(recipe ? [`merged by autombw: ${recipe.method} of ${recipe.models.a.file} and ${recipe.models.b.file}, preset ${recipe.preset}${recipe.runHash ? `, run ${recipe.runHash.slice(0, 12)}` : ''}`] : []),
        '',
        ...table('block', summary.blocks),
      ];
      if (summary.copied.length) lines.push('', ...table('kept from model A', summary.copied));
      if (summary.dropped.length) lines.push('', ...table('dropped', summary.dropped));
      lines.push('', summary.unmatched.length === 0
        ? 'unmatched keys: none'
        : `unmatched keys (${summary.unmatched.length}; a merge copies them from model A):\n${summary.unmatched.map((k) => `  ${k}`).join('\n')}`);
      console.log(lines.join('\n'));
      return 0;
    } finally {
      await reader.close();
    }
  },
};

function table(title: string, rows: readonly BlockCount[]): string[] {
  const width = Math.max(title.length, ...rows.map((r) => r.name.length));
  return [
    `${title.padEnd(width)}  ${'tensors'.padStart(7)}  ${'parameters'.padStart(13)}`,
    ...rows.map((r) => `${r.name.padEnd(width)}  ${String(r.tensors).padStart(7)}  ${formatCount(r.parameters).padStart(13)}`),
  ];
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
