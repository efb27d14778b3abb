import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { JsonObject } from '../util/json.js';
import { fromBase, relativeToBase } from '../util/paths.js';
import { sha256File } from '../util/sha256.js';
import type { ObjectiveKind } from './kind.js';
import type { Evaluation, EvaluationContext, Objective } from './types.js';
import { toEvaluation } from './result.js';
import { UserInputError, formatPath, type ConfigIssue } from '../config/issues.js';
import { MAX_MODULE_FILES, moduleClosure, type ModuleClosure } from './module-imports.js';

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
    return { section: { ...section, module }, issues: inspectModule(baseDir, module).issues };
  },
  async fingerprint(section, { baseDir }) {
    // The code defines the objective: its bytes and those of the local files it imports, not their paths, enter the run hash.
    const { module } = section as unknown as ModuleSection;
    const { closure, issues } = inspectModule(baseDir, module);
    if (!closure || issues.length > 0) throw new UserInputError(`${formatPath(issues[0].path)}: ${issues[0].message}`, issues.map((i) => `${formatPath(i.path)}: ${i.message}`));
    const [file, ...imported] = closure.files;
    const fingerprint: JsonObject = { module_sha256: await sha256File(file) };
    // Keyed by path from the module's folder, so moving the experiment folder keeps the hash.
    if (imported.length > 0) fingerprint.imports = Object.fromEntries(await Promise.all(imported.map(async (f) => [path.relative(path.dirname(file), f).split(path.sep).join('/'), await sha256File(f)])));
    return fingerprint;
  },
  semantic({ concurrency: _concurrency, module: _module, ...rest }) {
    return rest; // the module enters by content (fingerprint), not by path
  },
  async preflight(section, { baseDir }) {
    const loaded = await loadEvaluate(section as unknown as ModuleSection, baseDir);
    return 'issue' in loaded ? [loaded.issue] : [];
  },
  async create(section, { baseDir }) {
    const s = section as unknown as ModuleSection;
    const loaded = await loadEvaluate(s, baseDir);
    if ('issue' in loaded) throw new UserInputError(`${formatPath(loaded.issue.path)}: ${loaded.issue.message}`);
    return new ModuleObjective(loaded.fn, `module ${s.module}`, s.concurrency, s.options);
  },
};

/** Imports the module and finds its evaluate function, or says what is wrong with it. */
async function loadEvaluate(s: ModuleSection, baseDir: string): Promise<{ fn: EvaluateFn } | { issue: ConfigIssue }> {
  let mod: Record<string, unknown>;
  try {
    mod = await importModule(fromBase(baseDir, s.module));
  } catch (e) {
    return { issue: { path: ['objective', 'module'], message: `cannot load ${s.module}: ${(e as Error).message.split('\n')[0]}` } };
  }
  const fn = mod[s.export] ?? (s.export === 'evaluate' ? (mod.default as Record<string, unknown> | undefined)?.evaluate : undefined);
  if (typeof fn !== 'function') {
    return { issue: { path: ['objective', 'export'], message: `${s.module} does not export a function "${s.export}" (exports: ${Object.keys(mod).join(', ') || 'none'})` } };
  }
  return { fn: fn as EvaluateFn };
}

/** The module file and its local imports, with what a user must fix: a missing file, a folder, an import that names no file. */
function inspectModule(baseDir: string, module: string): { closure?: ModuleClosure; issues: ConfigIssue[] } {
  const at = ['objective', 'module'];
  const file = fromBase(baseDir, module);
  let stat;
  try {
    stat = statSync(file);
  } catch {
    return { issues: [{ path: at, message: `module not found: ${module} (relative to the experiment file)` }] };
  }
  if (!stat.isFile()) return { issues: [{ path: at, message: `${module} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}, not a module file (.js, .mjs, .ts or .mts)` }] };
  let closure: ModuleClosure;
  try {
    closure = moduleClosure(file);
  } catch (e) {
    return { issues: [{ path: at, message: `cannot read the files ${module} imports: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` }] };
  }
  const issues: ConfigIssue[] = closure.unresolved.map(({ importer, specifier }) => ({
    path: at,
    message: `${relativeToBase(baseDir, importer)} imports "${specifier}", which names no file (tried it as written, with .ts/.js/.mjs/… extensions and as a folder with an index file)`,
  }));
  if (closure.truncated) {
    issues.push({ path: at, message: `${module} imports more than ${MAX_MODULE_FILES} local files; every local file a module imports enters the run hash, so keep the objective small and put shared code in a package` });
  }
  return { closure, issues };
}
