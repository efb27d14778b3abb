import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { JsonObject } from '../util/json.js';
import { fromBase, relativeToBase } from '../util/paths.js';
import { sha256File } from '../util/sha256.js';
import type { ObjectiveKind } from './kind.js';
import type { Evaluation, EvaluationContext, Objective } from './types.js';
import { toEvaluation } from './result.js';
import { UserInputError } from '../config/issues.js';

interface ModuleSection {
  module: string;
  export: string;
  concurrency: number;
  options: JsonObject;
}

type EvaluateFn = (weights: Readonly<Record<string, number>>, context: EvaluationContext & { options: JsonObject }) => unknown;

/** A user's JavaScript or TypeScript module exporting `evaluate(weights, context)`, sync or async. */
export class ModuleObjective implements Objective {
  readonly kind = 'module';

  constructor(
    private readonly fn: EvaluateFn,
    private readonly label: string,
    readonly concurrency: number,
    private readonly options: JsonObject,
  ) {}

  async evaluate(weights: Readonly<Record<string, number>>, ctx: EvaluationContext): Promise<Evaluation> {
    return toEvaluation(await this.fn(weights, { ...ctx, options: this.options }), this.label);
  }
}

/** Imports a module; TypeScript through tsx, since Node 20 cannot strip types itself. */
async function importModule(file: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(file).href;
  if (/\.(c|m)?ts$/.test(file)) {
    // tsx is an optional peer dependency: only TypeScript objective modules need it.
    const tsx = await import('tsx/esm/api').catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
      throw new Error('a TypeScript module needs tsx: install it beside autombw (npm install tsx), or compile the module to .js');
    });
    return (await tsx.tsImport(url, import.meta.url)) as Record<string, unknown>;
  }
  return (await import(url)) as Record<string, unknown>;
}

export const moduleObjectiveKind: ObjectiveKind = {
  kind: 'module',
  async resolve(section, { baseDir }) {
    const s = section as unknown as ModuleSection;
    const module = relativeToBase(baseDir, s.module);
    const issues = existsSync(fromBase(baseDir, module))
      ? []
      : [{ path: ['objective', 'module'], message: `module not found: ${module} (relative to the experiment file)` }];
    return { section: { ...section, module }, issues };
  },
  async fingerprint(section, { baseDir }) {
    // The code defines the objective: its bytes, not its path, enter the run hash.
    return { module_sha256: await sha256File(fromBase(baseDir, (section as unknown as ModuleSection).module)) };
  },
  semantic({ concurrency: _concurrency, module: _module, ...rest }) {
    return rest; // the module enters by content (fingerprint), not by path
  },
  async create(section, { baseDir }) {
    const s = section as unknown as ModuleSection;
    const file = fromBase(baseDir, s.module);
    let mod: Record<string, unknown>;
    try {
      mod = await importModule(file);
    } catch (e) {
      throw new UserInputError(`objective.module: cannot load ${s.module}: ${(e as Error).message.split('\n')[0]}`);
    }
    const fn = mod[s.export] ?? (s.export === 'evaluate' ? (mod.default as Record<string, unknown> | undefined)?.evaluate : undefined);
    if (typeof fn !== 'function') {
      throw new UserInputError(`objective.module: ${s.module} does not export a function "${s.export}" (exports: ${Object.keys(mod).join(', ') || 'none'})`);
    }
    return new ModuleObjective(fn as EvaluateFn, `module ${s.module}`, s.concurrency, s.options);
  },
};
