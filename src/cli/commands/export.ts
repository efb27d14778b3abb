import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { displayPath } from '../../config/source.js';
import { trialsCsv } from '../../export/csv.js';
import { bestRecipe, recipeStrings } from '../../export/recipe.js';
import { comfyWorkflow } from '../../export/comfyui-workflow.js';
import { sdwebAutoMbw } from '../../export/sdweb-auto-mbw.js';
import { supermergerPreset } from '../../export/supermerger-preset.js';
import { readRun } from '../../report/run-data.js';
import { DEFAULT_RUN_ROOTS, findRun } from '../../reproduce/find-run.js';

const FORMATS = ['json', 'supermerger', 'supermerger-preset', 'mbw-rt', 'rbm', 'sdweb-auto-mbw', 'comfyui', 'csv'] as const;
type Format = (typeof FORMATS)[number];

export const exportCommand: Command = {
  name: 'export',
  help: `Usage: autombw export <run dir | run hash | hash prefix> [options]

Exports a run's results:
  json          the best recipe as named JSON {"name", "preset", "weights": {...}, "value",
                "trial", "run"} (merge --recipe and warm starts read it)
  supermerger   the best recipe as a supermerger weight string (26 values SD1, 20 SDXL).
                supermerger has no TIME_EMBED or OUT weight: from an sd1-27 or sd1-28 run
                they fold into IN00 and OUT11 (lossy); search with preset sd1-26 instead
  supermerger-preset  a line for supermerger's presets file (scripts/mbwpresets.txt,
                or its preset editor): name, tab, the 26 values (SD1 only)
  mbw-rt        the best recipe as an auto-MBW-rt recipe.txt line (27 values, SD1 only,
                ending OUT, TIME_EMBED)
  rbm           the best recipe in sd-webui-runtime-block-merge's slider order (27 values,
                SD1 only, ending TIME_EMBED, OUT)
  sdweb-auto-mbw  the best recipe for sdweb-auto-mbw / merge-block-weighted-gui: 25
                weights and base_alpha (SD1 only)
  comfyui       the best recipe as a ComfyUI workflow in API format (drop it onto
                ComfyUI or open it there, or POST it to /prompt): ModelMergeSD1/SDXL
                at ratio 1 − w, rendering the run's first payload
  csv           every trial: id, status, value, origin, timing, error, block weights,
                per-payload scores

Without --format, all are written to <run>/export/ (best.json, best.supermerger.txt,
best.supermerger-preset.txt, best.mbw-rt.txt, best.rbm.txt, best.sdweb-auto-mbw.txt,
best.comfyui-api.json, trials.csv). With --format, that one is printed,
or written to -o FILE. Lossy conversions are reported as warnings on stderr.

Options:
  --format F        ${FORMATS.join(' | ')}
  -o, --output F    write to this file instead of standard output (with --format)
  --runs-dir DIR    where to look a hash up (repeatable; default: ${DEFAULT_RUN_ROOTS.join(', ')})`,

  async run(argv) {
    const { positionals, values } = parseCommandArgs('export', argv, {
      format: { type: 'string' },
      output: { type: 'string', short: 'o' },
      'runs-dir': { type: 'string', multiple: true },
    });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length !== 1) throw new UserInputError('autombw export: give one run directory, run hash or hash prefix');
    const format = values.format as Format | undefined;
    if (format !== undefined && !FORMATS.includes(format)) throw new UserInputError(`autombw export: --format must be one of ${FORMATS.join(', ')}, got "${format}"`);
    if (values.output !== undefined && format === undefined) throw new UserInputError('autombw export: -o needs --format (without it, everything goes to <run>/export/)');

    const run = readRun(findRun(positionals[0], values['runs-dir'] ?? DEFAULT_RUN_ROOTS).dir);
    const exports = new Map<Format, string>();
    exports.set('csv', trialsCsv(run));
    const recipe = bestRecipe(run);
    if (recipe) {
      exports.set('json', `${JSON.stringify(recipe, null, 2)}\n`);
      const derived = [
        ...recipeStrings(recipe),
        attempt('supermerger-preset', () => supermergerPreset(recipe)),
        attempt('sdweb-auto-mbw', () => sdwebAutoMbw(recipe)),
        attempt('comfyui', () => {
          const { workflow, warnings } = comfyWorkflow(recipe, run);
          return { text: JSON.stringify(workflow, null, 2), warnings };
        }),
      ];
      for (const s of derived) {
        if ('error' in s) {
          if (format === s.format) throw new UserInputError(`autombw export: ${s.error}`);
          continue;
        }
        for (const w of s.warnings) if (format === undefined || format === s.format) console.error(`warning: ${s.format}: ${w}`);
        exports.set(s.format, `${s.text}\n`);
      }
    } else if (format !== undefined && format !== 'csv') {
      throw new UserInputError(`autombw export: run ${run.info.hash.slice(0, 12)} has no successful trial, so no best recipe`);
    }

    if (format !== undefined) {
      const text = exports.get(format)!;
      if (values.output !== undefined) writeFileSync(values.output, text);
      else process.stdout.write(text);
      return 0;
    }
    const dir = path.join(run.dir, 'export');
    mkdirSync(dir, { recursive: true });
    const names: Record<Format, string> = { json: 'best.json', supermerger: 'best.supermerger.txt', 'supermerger-preset': 'best.supermerger-preset.txt', 'mbw-rt': 'best.mbw-rt.txt', rbm: 'best.rbm.txt', 'sdweb-auto-mbw': 'best.sdweb-auto-mbw.txt', comfyui: 'best.comfyui-api.json', csv: 'trials.csv' };
    for (const [f, text] of exports) {
      const file = path.join(dir, names[f]);
      writeFileSync(file, text);
      console.log(displayPath(file));
    }
    return 0;
  },
};

/** A format's text and warnings, or the reason it cannot express this recipe. */
function attempt<F extends Format>(format: F, make: () => { text: string; warnings: string[] }): { format: F; text: string; warnings: string[] } | { format: F; error: string } {
  try {
    return { format, ...make() };
  } catch (e) {
    return { format, error: (e as Error).message };
  }
}
