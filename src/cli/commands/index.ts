import type { Command } from '../command.js';

/**
 * Every subcommand, in the order `autombw --help` lists them. Modules load on use, so a quick
 * command never pays for the heavy ones (onnxruntime, sharp) at start-up.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'run', summary: 'run (or continue) an experiment', load: async () => (await import('./run.js')).runCommand },
  { name: 'validate', summary: 'check experiment files without running anything', load: async () => (await import('./validate.js')).validateCommand },
  { name: 'hash', summary: 'print the run hash of an experiment', load: async () => (await import('./hash.js')).hashCommand },
  { name: 'runs', summary: 'list runs', load: async () => (await import('./runs.js')).runsCommand },
  { name: 'compare', summary: 'run several optimizers × seeds on one experiment and compare them', load: async () => (await import('./compare.js')).compareCommand },
  { name: 'report', summary: 'write the HTML report (and SVG/PNG figures) of a run or a comparison', load: async () => (await import('./report.js')).reportCommand },
  { name: 'serve', summary: 'a live web dashboard of the runs and comparisons under a directory', load: async () => (await import('./serve.js')).serveCommand },
  { name: 'reproduce', summary: 're-run a run from its hash and check it gives the same proposals and values', load: async () => (await import('./reproduce.js')).reproduceCommand },
  { name: 'export', summary: 'export a run\'s best recipe (JSON, supermerger, auto-MBW-rt) and its trials (CSV)', load: async () => (await import('./export.js')).exportCommand },
  { name: 'merge', summary: 'write the merged checkpoint of a recipe (a run\'s best, a recipe file or weights)', load: async () => (await import('./merge.js')).mergeCommand },
  { name: 'score', summary: 'score image files with an experiment\'s scorers, or scorers given inline', load: async () => (await import('./score.js')).scoreCommand },
  { name: 'convert', summary: 'convert a PyTorch .ckpt/.pt/.pth checkpoint to safetensors, without running its pickle', load: async () => (await import('./convert.js')).convertCommand },
  { name: 'scorer', summary: 'import a published aesthetic head (.pth) as an ONNX scorer head, without Python', load: async () => (await import('./scorer.js')).scorerCommand },
  { name: 'blocks', summary: 'show how a checkpoint\'s tensors map onto the blocks of a preset', load: async () => (await import('./blocks.js')).blocksCommand },
];
