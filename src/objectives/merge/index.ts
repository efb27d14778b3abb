import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UserInputError, type ConfigIssue } from '../../config/issues.js';
import { modelSha256 } from '../../merge/model-hash.js';
import { createScorer, fingerprintScoring, parseScoringSection, resolveScoring } from '../../scoring/index.js';
import type { SearchSpace } from '../../space/space.js';
import { parseDuration } from '../../util/duration.js';
import type { JsonObject } from '../../util/json.js';
import { fromBase, relativeToBase } from '../../util/paths.js';
import { sha256File, sha256Hex } from '../../util/sha256.js';
import { A1111Backend } from '../../runtime/a1111/backend.js';
import { authHeaders } from '../../runtime/auth.js';
import type { Backend, Endpoint } from '../../runtime/backend.js';
import { EvaluationCache } from '../../runtime/cache.js';
import { ComfyBackend } from '../../runtime/comfyui/backend.js';
import { checkTemplate } from '../../runtime/comfyui/template.js';
import type { ApiWorkflow } from '../../runtime/comfyui/workflow.js';
import { DemoBackend, DEMO_ENDPOINT_URL } from '../../runtime/demo/backend.js';
import { demoModels } from '../../runtime/demo/models.js';
import { ImageStore } from '../../runtime/images.js';
import { loadPayloads } from '../../runtime/payloads/load.js';
import { payloadSetSection } from '../../runtime/payloads/resolve.js';
import type { Payload } from '../../runtime/payloads/types.js';
import { EndpointPool } from '../../runtime/pool.js';
import type { ObjectiveKind, ObjectiveSetting } from '../kind.js';
import { DEFAULT_URLS, modelObject, NEEDS_C, serverName, type MergeSection, type ModelObject } from './config.js';
import { MergeObjective, type Judge } from './objective.js';

/** Bound on each HTTP request to a server (generation is bounded by the evaluation timeout). */
const REQUEST_TIMEOUT_MS = 60_000;
/** Bound on the start-of-run check of every endpoint. */
const PREPARE_TIMEOUT_MS = 60_000;

const SLOTS = ['a', 'b', 'c'] as const;
type Path = Array<string | number>;
const at = (...p: Path): Path => ['objective', ...p];

export const mergeObjectiveKind: ObjectiveKind = {
  kind: 'merge',

  async resolve(section, { baseDir, rng }) {
    const s = structuredClone(section) as unknown as MergeSection;
    const issues: ConfigIssue[] = [];
    resolveModels(s, baseDir, issues);

    const { payloads, issues: payloadIssues } = loadPayloads(s.payloads, baseDir, payloadRng(rng), at('payloads'));
    if (payloadIssues.length === 0) s.payloads = payloadSetSection(payloads);
    issues.push(...payloadIssues);

    const scorer = await resolveScoring(s.scorer, baseDir, at('scorer'));
    s.scorer = scorer.section;
    issues.push(...scorer.issues);

    resolveRuntime(s, baseDir, issues);
    return { section: s as unknown as JsonObject, issues };
  },

  async fingerprint(section, { baseDir }) {
    const s = section as unknown as MergeSection;
    const out: JsonObject = { models: await modelHashes(s, baseDir), scorer: await fingerprintScoring(s.scorer, baseDir) };
    const workflow = s.runtime.backend === 'comfyui' ? s.runtime.comfyui.workflow : undefined;
    if (workflow !== undefined) out.workflow = await sha256File(fromBase(baseDir, workflow));
    return out;
  },

  semantic(section) {
    // Models, scorer files and the workflow template enter by content (fingerprint); servers,
    // timeouts, retries, caching and saved images are operational and may change between sessions.
    const s = section as unknown as MergeSection;
    const r = s.runtime;
    const runtime: JsonObject = { backend: r.backend };
    if (r.backend === 'a1111') runtime.precision = r.a1111.precision;
    if (r.backend === 'demo') runtime.size = r.demo.size;
    return { method: s.method, method_options: { ...s.method_options }, payloads: s.payloads as unknown as JsonObject, runtime };
  },

  checkSpace(section, space) {
    return spaceIssues(section as unknown as MergeSection, space);
  },

  async create(section, { baseDir, rng, runDir, space, log }) {
    const s = section as unknown as MergeSection;
    const r = s.runtime;
    const spaceProblems = spaceIssues(s, space);
    if (spaceProblems.length > 0) throw new UserInputError(spaceProblems[0].message, spaceProblems.map((i) => i.message));
    const { payloads, issues } = loadPayloads(s.payloads, baseDir, payloadRng(rng), at('payloads'));
    if (issues.length > 0) throw new UserInputError(issues[0].message, issues.map((i) => i.message));

    const judge = await createJudge(s.scorer, baseDir, runDir, log);
    let backend: Backend | undefined;
    try {
      backend = createBackend(s, baseDir, space, payloads, log);
      const endpoints = buildEndpoints(s, baseDir);
      const pool = new EndpointPool(endpoints, { deadAfter: r.dead_after, recheckMs: parseDuration(r.recheck) * 1000, health: (e, sig) => backend!.health(e, sig), log });
      await prepareEndpoints(backend, pool);
      const models = await modelHashes(s, baseDir);
      const methodOptions = { density: s.method_options.density, drop_rate: s.method_options.drop_rate, seed: s.method_options.seed };
      const cacheDir = r.cache.dir !== undefined ? fromBase(baseDir, r.cache.dir) : path.join(path.dirname(runDir), 'cache');
      return new MergeObjective({
        backend,
        pool,
        payloads,
        judge,
        images: new ImageStore(runDir, r.save_images),
        cache: r.cache.enabled ? new EvaluationCache(cacheDir) : undefined,
        cacheIdentity: {
          models,
          method: s.method,
          ...(s.method === 'ties' || s.method === 'dare' ? { method_options: methodOptions } : {}),
          preset: { id: space.preset.id, version: space.preset.version },
          backend: backend.identity,
          scorer: await judge.fingerprint(),
        },
        blocks: space.preset.blocks,
        recipeInfo: { preset: space.preset.id, method: s.method },
        timeoutMs: parseDuration(r.timeout) * 1000,
        retries: r.retries,
        backoffMs: parseDuration(r.backoff) * 1000,
      });
    } catch (e) {
      await Promise.allSettled([judge.close(), backend?.close()]);
      throw e;
    }
  },
};

/** The scorer panel, scoring one payload's images at a time; the section's tally and penalty aggregate them. */
async function createJudge(section: JsonObject, baseDir: string, runDir: string, log: (line: string) => void): Promise<Judge> {
  const { tally, penalty } = parseScoringSection(section, at('scorer'));
  const panel = await createScorer(section, baseDir, { runDir, log });
  return {
    aggregate: { tally, penalty },
    judge: (images, signal) => panel.scoreImages(images, signal),
    fingerprint: () => panel.fingerprint(),
    close: () => panel.close(),
  };
}

/** Wildcards are drawn from the experiment seed, in a stream of their own. */
function payloadRng(rng: ObjectiveSetting['rng']) {
  return rng.derive('objective', 'payloads');
}

function resolveModels(s: MergeSection, baseDir: string, issues: ConfigIssue[]): void {
  const backend = s.runtime.backend;
  if (backend === 'demo') {
    if (s.models !== undefined) issues.push({ path: at('models'), message: 'backend demo brings its own models (A, B and a base C); remove objective.models' });
    return;
  }
  if (s.models === undefined) {
    issues.push({ path: at(), message: `missing required key "models": the checkpoints a and b to merge (backend ${backend})` });
    return;
  }
  const needsC = NEEDS_C.includes(s.method);
  if (needsC && s.models.c === undefined) issues.push({ path: at('models'), message: `method ${s.method} needs models.c, the common base of a and b` });
  if (!needsC && s.models.c !== undefined) issues.push({ path: at('models', 'c'), message: `models.c is only read by ${NEEDS_C.join(', ')}; method is ${s.method}` });
  if (backend === 'comfyui' && (s.method === 'ties' || s.method === 'dare')) {
    issues.push({ path: at('method'), message: `ComfyUI's built-in nodes cannot express ${s.method}; use weighted-sum or add-difference, or backend a1111` });
  }
  const models = s.models as Record<string, ModelObject>;
  for (const slot of SLOTS) {
    const input = s.models[slot];
    if (input === undefined) continue;
    const model = { ...modelObject(input, backend) };
    const where = typeof input === 'string' ? at('models', slot) : at('models', slot, 'path');
    if (model.path !== undefined) {
      model.path = relativeToBase(baseDir, model.path);
      if (!existsSync(fromBase(baseDir, model.path))) issues.push({ path: where, message: `file not found: ${model.path} (relative to the experiment file)` });
    } else if (backend === 'a1111') {
      issues.push({ path: at('models', slot), message: 'backend a1111 merges the files on this machine: give the checkpoint\'s path' });
    } else if (model.name === undefined) {
      issues.push({ path: at('models', slot), message: 'give the checkpoint\'s name on the server (or its path here)' });
    }
    models[slot] = model;
  }
}

function resolveRuntime(s: MergeSection, baseDir: string, issues: ConfigIssue[]): void {
  const r = s.runtime;
  for (const key of ['timeout', 'backoff', 'recheck'] as const) {
    try {
      parseDuration(r[key]);
    } catch (e) {
      issues.push({ path: at('runtime', key), message: (e as Error).message });
    }
  }
  if (r.backend === 'demo' && r.endpoints.length > 0) issues.push({ path: at('runtime', 'endpoints'), message: 'backend demo runs in this process; remove runtime.endpoints' });
  r.endpoints.forEach((e, i) => {
    try {
      const url = new URL(e.url);
      e.url = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      issues.push({ path: at('runtime', 'endpoints', i, 'url'), message: `not a URL: ${e.url}` });
    }
    if (e.models_dir !== undefined) e.models_dir = localDir(baseDir, e.models_dir, at('runtime', 'endpoints', i, 'models_dir'), issues);
  });
  if (r.a1111.models_dir !== undefined) r.a1111.models_dir = localDir(baseDir, r.a1111.models_dir, at('runtime', 'a1111', 'models_dir'), issues);
  if (r.backend === 'a1111' && r.a1111.models_dir === undefined && (r.endpoints.length === 0 || r.endpoints.some((e) => e.models_dir === undefined))) {
    issues.push({ path: at('runtime', 'a1111'), message: 'backend a1111 needs models_dir: the web UI\'s checkpoint directory, where each recipe is written (a tmpfs is best)' });
  }
  if (r.cache.dir !== undefined) r.cache.dir = relativeToBase(baseDir, r.cache.dir);
  if (r.comfyui.workflow !== undefined) {
    r.comfyui.workflow = relativeToBase(baseDir, r.comfyui.workflow);
    const where = at('runtime', 'comfyui', 'workflow');
    if (r.backend !== 'comfyui') issues.push({ path: where, message: `a workflow template is for backend comfyui; backend is ${r.backend}` });
    else {
      const loaded = readTemplate(fromBase(baseDir, r.comfyui.workflow));
      issues.push(...loaded.problems.map((message) => ({ path: where, message: `${r.comfyui.workflow}: ${message}` })));
    }
  }
}

/** A directory on this machine, kept absolute when written so (a tmpfs mount), else relative to the experiment. */
function localDir(baseDir: string, dir: string, where: Path, issues: ConfigIssue[]): string {
  const resolved = path.isAbsolute(dir) ? dir : relativeToBase(baseDir, dir);
  const absolute = path.isAbsolute(dir) ? dir : fromBase(baseDir, resolved);
  if (!existsSync(absolute) || !statSync(absolute).isDirectory()) issues.push({ path: where, message: `directory not found: ${absolute}` });
  return resolved;
}

function readTemplate(file: string): { workflow?: ApiWorkflow; problems: string[] } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return { problems: [code === 'ENOENT' ? 'file not found' : `not JSON: ${(e as Error).message}`] };
  }
  const problems = checkTemplate(data);
  return problems.length > 0 ? { problems } : { workflow: data as ApiWorkflow, problems };
}

/** Content hashes of the models; a ComfyUI model known only by name is keyed by its name. */
async function modelHashes(s: MergeSection, baseDir: string): Promise<JsonObject> {
  const needsC = NEEDS_C.includes(s.method);
  if (s.runtime.backend === 'demo') {
    const { sha256 } = demoModels();
    return { a: sha256.a, b: sha256.b, ...(needsC ? { c: sha256.c } : {}) };
  }
  const out: JsonObject = {};
  for (const slot of SLOTS) {
    const input = s.models?.[slot];
    if (input === undefined) continue;
    const m = modelObject(input, s.runtime.backend);
    out[slot] = m.sha256?.toLowerCase() ?? (m.path !== undefined ? await modelSha256(fromBase(baseDir, m.path)) : { name: m.name! });
  }
  return out;
}

/**
 * What the backend needs that only the space knows: the architecture, and ComfyUI's [0, 1] ratios.
 * The loader asks this of every experiment, so `autombw validate` finds what a run would refuse.
 */
function spaceIssues(s: MergeSection, space: SearchSpace): ConfigIssue[] {
  const preset = space.preset;
  const backend = at('runtime', 'backend');
  if (s.runtime.backend === 'demo' && !preset.architectures.includes('sd1')) {
    return [{ path: backend, message: `backend demo has SD1 models; preset ${preset.id} is for ${preset.architectures.join('/')}: use sd1-27, sd1-26 or sd1-28` }];
  }
  if (s.runtime.backend !== 'comfyui' || s.runtime.comfyui.workflow !== undefined) return [];
  const outside = [
    ...space.variables.filter((v) => v.min < 0 || v.max > 1).map((v) => `${v.name} [${v.min}, ${v.max}]`),
    ...Object.entries(space.frozen).filter(([, w]) => w < 0 || w > 1).map(([b, w]) => `${b} = ${w}`),
  ];
  if (outside.length === 0) return [];
  return [
    {
      path: backend,
      message: `ComfyUI's merge nodes take ratios in [0, 1], so block weights must stay in [0, 1]; outside: ${outside.join(', ')}. Narrow space.bounds/ranges, or use backend a1111.`,
    },
  ];
}

function createBackend(s: MergeSection, baseDir: string, space: SearchSpace, payloads: readonly Payload[], log: (line: string) => void): Backend {
  const r = s.runtime;
  const methodOptions = { density: s.method_options.density, dropRate: s.method_options.drop_rate };
  if (r.backend === 'demo') {
    return new DemoBackend({ preset: space.preset, method: s.method, methodOptions, mergeSeed: s.method_options.seed, size: r.demo.size });
  }
  const models = Object.fromEntries(SLOTS.filter((slot) => s.models![slot] !== undefined).map((slot) => [slot, modelObject(s.models![slot]!, r.backend)])) as Record<'a' | 'b' | 'c', ModelObject>;
  if (r.backend === 'comfyui') {
    const workflow = r.comfyui.workflow;
    let template: { workflow: ApiWorkflow; sha256: string } | undefined;
    if (workflow !== undefined) {
      const file = fromBase(baseDir, workflow);
      const loaded = readTemplate(file);
      const problems = loaded.problems.length > 0 ? loaded.problems : checkTemplate(loaded.workflow, space.preset.blocks);
      if (problems.length > 0) throw new UserInputError(`${workflow}: ${problems[0]}`, problems.map((p) => `${workflow}: ${p}`));
      template = { workflow: loaded.workflow!, sha256: sha256Hex(readFileSync(file)) };
    }
    return new ComfyBackend({
      preset: space.preset,
      method: s.method as 'weighted-sum' | 'add-difference',
      checkpoints: { a: serverName(models.a), b: serverName(models.b), ...(models.c ? { c: serverName(models.c) } : {}) },
      output: r.comfyui.output,
      ...(template ? { template } : {}),
      payloads,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
  }
  const file = (m: ModelObject) => fromBase(baseDir, m.path!);
  return new A1111Backend({
    preset: space.preset,
    method: s.method,
    methodOptions,
    mergeSeed: s.method_options.seed,
    models: { a: file(models.a), b: file(models.b), ...(models.c ? { c: file(models.c) } : {}) },
    sha256: Object.fromEntries(Object.entries(models).filter(([, m]) => m.sha256 !== undefined).map(([k, m]) => [k, m.sha256!])) as { a: string; b: string },
    precision: r.a1111.precision,
    payloads,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    generationTimeoutMs: parseDuration(r.timeout) * 1000,
    log,
  });
}

function buildEndpoints(s: MergeSection, baseDir: string): Endpoint[] {
  const r = s.runtime;
  if (r.backend === 'demo') return [{ url: DEMO_ENDPOINT_URL, concurrency: r.demo.concurrency, headers: {} }];
  const sections = r.endpoints.length > 0 ? r.endpoints : [{ url: DEFAULT_URLS[r.backend], concurrency: 2, auth_scheme: 'bearer' as const, auth_header: 'Authorization' }];
  const dir = (d: string | undefined) => (d === undefined ? undefined : path.isAbsolute(d) ? d : fromBase(baseDir, d));
  return sections.map((e) => {
    const modelsDir = dir((e as { models_dir?: string }).models_dir ?? r.a1111.models_dir);
    return { url: e.url, concurrency: e.concurrency, headers: authHeaders(e, e.url), ...(modelsDir !== undefined ? { modelsDir } : {}) };
  });
}

/**
 * Checks every endpoint at the start. Anything a reachable server lacks is a configuration error
 * (with every missing piece named); an unreachable server is taken out of the pool to be
 * re-checked, unless none can be reached at all.
 */
async function prepareEndpoints(backend: Backend, pool: EndpointPool): Promise<void> {
  const signal = AbortSignal.timeout(PREPARE_TIMEOUT_MS);
  const results = await Promise.allSettled(pool.endpoints.map((e) => backend.prepare(e, signal)));
  const problems: string[] = [];
  const unreachable: string[] = [];
  results.forEach((r) => {
    if (r.status === 'fulfilled') problems.push(...r.value);
  });
  if (problems.length > 0) throw new UserInputError(`${problems.length} problem(s) with the ${backend.kind} server(s): ${problems[0]}`, problems);
  const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ endpoint: pool.endpoints[i], reason: (r.reason as Error).message }] : []));
  if (failures.length === pool.endpoints.length) {
    // Reasons of HTTP failures name the URL they requested already.
    const unreachable = failures.map(({ endpoint, reason }) => (reason.startsWith(endpoint.url) ? reason : `${endpoint.url}: ${reason}`));
    const message = `no ${backend.kind} server could be reached: ${unreachable.join('; ')}`;
    throw new UserInputError(message, unreachable.length === 1 ? [message] : [`no ${backend.kind} server could be reached:`, ...unreachable.map((u) => `  ${u}`)]);
  }
  // Taken out only once the run goes on: out of the pool, recipes wait for them to come back.
  for (const { endpoint, reason } of failures) pool.takeOut(endpoint, reason);
}

