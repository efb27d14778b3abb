import { SingleBar } from 'cli-progress';
import type { Command } from '../command.js';
import { parseCommandArgs } from '../args.js';
import { UserInputError } from '../../config/issues.js';
import { mergeCheckpoints, type MergeProgress, type ModelSlot } from '../../merge/merge.js';
import { MERGE_METHODS, MERGE_METHOD_IDS } from '../../merge/methods/index.js';
import { DEFAULT_METHOD_OPTIONS } from '../../merge/methods/types.js';
import { autoV2, modelSha256 } from '../../merge/model-hash.js';
import { readRunRecipe } from '../../merge/run-recipe.js';
import { OUTPUT_DTYPES, type OutputDtype } from '../../merge/dtype.js';
import { convertRecipe, parseRecipeString, readRecipeFile, type Recipe } from '../../space/recipe.js';
import { getPreset, PRESETS } from '../../space/presets.js';

export const mergeCommand: Command = {
  name: 'merge',
  help: `Usage: autombw merge [RUN_DIR] -o out.safetensors [options]

The recipe comes from one of:
  RUN_DIR               a run directory (runs/<hash>/): its best recipe; models, method
                        and method options from its merge objective unless given below
  --recipe FILE         a recipe JSON {"preset": "...", "weights": {"IN00": 0.5, ...}}
                        (a best.json works too)
  --weights TEXT        block weights: JSON, NAME=VALUE pairs ("IN00=0.5,IN01=0.3,..."),
                        or a string of values: 26 (SD1) or 20 (SDXL) in supermerger
                        order, 27 in auto-MBW-rt order, or one per block of --preset
  --preset ID           the recipe's block preset (${Object.keys(PRESETS).join(', ')});
                        a recipe of another preset is converted to it

Models (.safetensors, or PyTorch .ckpt/.pt/.pth read without running their pickle):
  --a FILE  --b FILE  [--c FILE]   C is the common base for add-difference, ties, dare

Merge:
  --method ID           ${MERGE_METHOD_IDS.map((id) => `${id}: ${MERGE_METHODS[id].formula}`).join('\n                        ')}
                        (default weighted-sum; α is the block's weight)
  --dtype D             ${OUTPUT_DTYPES.join(', ')} for every float tensor (default f16)
  --density X           ties: fraction of each task vector kept (default ${DEFAULT_METHOD_OPTIONS.density})
  --drop P              dare: drop probability (default ${DEFAULT_METHOD_OPTIONS.dropRate})
  --seed N              dare: random seed, an integer from 0 to 2^53 − 1 (default 0)
  -o, --output FILE     the merged checkpoint (.safetensors); never one of the inputs
  --force               replace an existing output file
  --cache-dir DIR       where model hashes are cached (default: the user cache directory)

The output's metadata records the recipe, the method, the input files' SHA-256 and,
from a run, the run hash. The file appears only when complete.

Exit codes: 0 written, 1 failed, 2 bad input, 130 interrupted (Ctrl-C or SIGTERM;
the temporary file is removed).`,

  async run(argv) {
    const { values, positionals } = parseCommandArgs('merge', argv, {
      run: { type: 'string' },
      recipe: { type: 'string' },
      weights: { type: 'string' },
      preset: { type: 'string' },
      a: { type: 'string' },
      b: { type: 'string' },
      c: { type: 'string' },
      method: { type: 'string' },
      dtype: { type: 'string' },
      density: { type: 'string' },
      drop: { type: 'string' },
      seed: { type: 'string' },
      output: { type: 'string', short: 'o' },
      force: { type: 'boolean' },
      'cache-dir': { type: 'string' },
    });
    if (values.help) return (console.log(this.help), 0);
    if (positionals.length > 1) throw new UserInputError(`autombw merge: one run directory at most, got ${positionals.join(' ')}`);
    const runDir = values.run ?? positionals[0];
    const sources = [runDir !== undefined && 'a run directory', values.recipe !== undefined && '--recipe', values.weights !== undefined && '--weights'].filter(Boolean);
    if (sources.length !== 1) {
      throw new UserInputError(`autombw merge: give the recipe one way: a run directory, --recipe or --weights${sources.length ? ` (got ${sources.join(' and ')})` : ''}`);
    }
    if (!values.output) throw new UserInputError('autombw merge: name the output file with -o out.safetensors');

    const fromRun = runDir !== undefined ? readRunRecipe(runDir) : undefined;
    let recipe: Recipe;
    if (fromRun) recipe = fromRun.recipe;
    else if (values.recipe !== undefined) recipe = readRecipeArgument(values.recipe);
    else recipe = parseWeightsArgument(values.weights!, values.preset);
    if (values.preset !== undefined && recipe.preset === '') recipe = { ...recipe, preset: values.preset };
    if (values.preset !== undefined && recipe.preset !== values.preset) {
      if (!getPreset(values.preset)) throw new UserInputError(`unknown preset "${values.preset}"; expected one of ${Object.keys(PRESETS).join(', ')}`);
      const converted = convertOrRefuse(recipe, values.preset);
      converted.warnings.forEach((w) => console.error(`warning: ${w}`));
      recipe = converted.recipe;
    }

    const method = values.method ?? fromRun?.method ?? 'weighted-sum';
    const models: Partial<Record<ModelSlot, string>> = {
      a: values.a ?? fromRun?.models.a,
      b: values.b ?? fromRun?.models.b,
      c: values.c ?? fromRun?.models.c,
    };
    if (!models.a || !models.b) throw new UserInputError('autombw merge: name models A and B with --a and --b');
    const needsC = MERGE_METHODS[method as keyof typeof MERGE_METHODS]?.needsC;
    if (needsC && !models.c) throw new UserInputError(`autombw merge: method ${method} needs the base model C (--c)`);
    if (needsC === false && models.c) console.error(`warning: method ${method} does not use model C; ignoring ${models.c}`);
    const slots: ModelSlot[] = needsC ? ['a', 'b', 'c'] : ['a', 'b'];
    const dtype = values.dtype ?? 'f16';
    if (!OUTPUT_DTYPES.includes(dtype as OutputDtype)) throw new UserInputError(`autombw merge: --dtype must be one of ${OUTPUT_DTYPES.join(', ')}, got "${dtype}"`);

    // Parsed before hashing, which takes minutes on large checkpoints.
    const seed = values.seed !== undefined ? parseSeed(values.seed) : fromRun?.seed;
    const options = {
      density: values.density !== undefined ? parseNumber('--density', values.density) : fromRun?.options.density,
      dropRate: values.drop !== undefined ? parseNumber('--drop', values.drop) : fromRun?.options.dropRate,
    };

    const sha256: Partial<Record<ModelSlot, string>> = {};
    for (const slot of slots) {
      try {
        sha256[slot] = await modelSha256(models[slot]!, values['cache-dir'] ? { cacheDir: values['cache-dir'] } : {});
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const which = `(model ${slot.toUpperCase()})`;
        if (e instanceof UserInputError) throw new UserInputError(`${e.message} ${which}`);
        throw new UserInputError(code === 'ENOENT' ? `${models[slot]}: no such file ${which}` : `${models[slot]}: ${(e as Error).message}`);
      }
    }

    const bar = process.stderr.isTTY ? new SingleBar({ format: 'merging [{bar}] {percentage}% | {value}/{total} tensors | {key}', hideCursor: true, stream: process.stderr }) : undefined;
    const onProgress = (p: MergeProgress) => {
      if (p.tensorsDone === 1) bar?.start(p.tensorsTotal, 0, { key: '' });
      bar?.update(p.tensorsDone, { key: p.key.length > 48 ? `…${p.key.slice(-47)}` : p.key });
    };
    // Ctrl-C or SIGTERM stops between chunks and removes the temporary file instead of leaving it behind.
    const interrupt = new AbortController();
    const onSignal = () => interrupt.abort();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let report;
    try {
      report = await mergeCheckpoints({
        models: { a: models.a, b: models.b, ...(needsC ? { c: models.c } : {}) },
        method,
        weights: recipe.weights,
        ...(recipe.preset ? { preset: recipe.preset } : {}),
        dtype: dtype as OutputDtype,
        output: values.output,
        overwrite: values.force ?? false,
        seed,
        options,
        provenance: { sha256, ...(fromRun ? { runHash: fromRun.runHash } : {}) },
        onProgress,
        signal: interrupt.signal,
      });
    } catch (e) {
      if (!interrupt.signal.aborted) throw e;
      bar?.stop();
      console.error(`interrupted; ${values.output} was not written`);
      return 130;
    } finally {
      bar?.stop();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }

    report.removedTemporaries.forEach((t) => console.error(`removed ${t.file}, left by process ${t.pid}, which no longer runs`));
    report.warnings.forEach((w) => console.error(`warning: ${w}`));
    const inputs = slots.map((s) => `${s.toUpperCase()} ${models[s]} [${autoV2(sha256[s]!)}]`).join(', ');
    console.log(`${report.output}: ${report.method}, preset ${report.preset}, ${report.dtype}, ${report.architecture ?? 'unknown architecture'}`);
    console.log(`  from ${inputs}`);
    console.log(`  ${report.tensors} tensors (${report.merged} merged, ${report.copied} copied from A; ${report.dropped} dropped), ${(report.bytes / 1e9).toFixed(2)} GB in ${report.seconds.toFixed(1)} s`);
    return 0;
  },
};

function readRecipeArgument(file: string): Recipe {
  try {
    return readRecipeFile(file);
  } catch (e) {
    throw new UserInputError((e as Error).message);
  }
}

function convertOrRefuse(recipe: Recipe, preset: string) {
  try {
    return convertRecipe(recipe, preset);
  } catch (e) {
    throw new UserInputError(`autombw merge: ${(e as Error).message}`);
  }
}

/**
 * --weights: JSON or NAME=VALUE pairs (preset from --preset, else the preset whose blocks are
 * exactly the names given), or a plain list of values (order of --preset when the count fits it,
 * else the supermerger or auto-MBW-rt order by count).
 */
export function parseWeightsArgument(text: string, preset: string | undefined): Recipe {
  const trimmed = text.trim();
  let named: Record<string, number> | undefined;
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (e) {
      throw new UserInputError(`--weights: not valid JSON (${(e as Error).message})`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UserInputError('--weights: expected a JSON object of block weights');
    named = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, typeof v === 'number' ? v : NaN]));
  } else if (trimmed.includes('=')) {
    named = Object.fromEntries(trimmed.split(/[,\s]+/).filter(Boolean).map((pair) => {
      const [k, v, extra] = pair.split('=');
      if (extra !== undefined || !k || v === undefined) throw new UserInputError(`--weights: "${pair}" is not NAME=VALUE`);
      return [k.trim(), parseNumber(`--weights ${k}`, v)];
    }));
  }
  if (named) {
    for (const [k, v] of Object.entries(named)) if (!Number.isFinite(v)) throw new UserInputError(`--weights: ${k} is not a finite number`);
    const names = Object.keys(named).sort().join(',');
    const id = preset ?? Object.values(PRESETS).find((p) => [...p.blocks].sort().join(',') === names)?.id;
    if (!id) throw new UserInputError('--weights: the block names match no preset exactly; name one with --preset');
    return { preset: id, weights: named };
  }
  const values = trimmed.split(',').map((s) => s.trim()).filter(Boolean);
  const fixed = preset !== undefined ? getPreset(preset) : undefined;
  if (fixed && values.length === fixed.blocks.length) {
    return { preset: fixed.id, weights: Object.fromEntries(fixed.blocks.map((b, i) => [b, parseNumber(`--weights ${b}`, values[i])])) };
  }
  try {
    return parseRecipeString(trimmed, values.length === 27 ? 'mbw-rt' : 'supermerger');
  } catch (e) {
    throw new UserInputError(`--weights: ${(e as Error).message}`);
  }
}

/** Digits only: Number() would take "1.5", "1e3", "0x10" or a value past 2^53 that reads back as another seed. */
function parseSeed(text: string): number {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(v)) {
    throw new UserInputError(`--seed: "${text}" is not an integer from 0 to ${Number.MAX_SAFE_INTEGER} (2^53 − 1)`);
  }
  return v;
}

function parseNumber(option: string, text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v)) throw new UserInputError(`${option}: "${text}" is not a number`);
  return v;
}
