import { readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { getBenchmarkFunction } from '../../src/objectives/functions/index.js';
import { defaultInitialSize } from '../../src/optimizers/initial.js';
import { createOptimizer } from '../../src/optimizers/registry.js';
import type { UnitSpace } from '../../src/optimizers/types.js';
import { Rng } from '../../src/util/rng.js';
import type { OptimizeReply, OptimizeRequest } from './protocol.js';

const SCHEMAS = fileURLToPath(new URL('../../schemas/optimizers/', import.meta.url));

/** The benchmark searches the unit cube itself: no ranges, no quantization. */
export function unitSpace(dim: number): UnitSpace {
  return { dim, names: Array.from({ length: dim }, (_, i) => `x${i}`), snap: (x) => [...x] };
}

/**
 * The options a run of `kind` gets: `given` completed by the schema's defaults (what a user gets by
 * naming the kind and nothing else when `given` is empty), checked against the schema.
 */
export function resolveOptions(kind: string, given: Record<string, unknown> = {}): Record<string, unknown> {
  const file = `${SCHEMAS}${kind}.schema.json`;
  if (!existsSync(file)) {
    if (Object.keys(given).length) throw new Error(`${kind} takes no options`);
    return {};
  }
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  delete schema.$id;
  const validate = new Ajv2020({ useDefaults: true, strict: false, allErrors: true }).compile(schema);
  const options = structuredClone(given);
  if (!validate(options)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || 'options'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
    throw new Error(`${kind} options ${JSON.stringify(given)}: ${problems.join('; ')}`);
  }
  return options;
}

/**
 * Runs one registered optimizer on one function with sequential ask(1)/tell. The optimizer is
 * told the largest budget, so the value at a smaller budget comes from a run planned for the larger.
 * Seeds derive from the run seed alone, so optimizers with the same initial design share it.
 */
export function runTsJob(request: OptimizeRequest): OptimizeReply {
  const { dim, seed, budgets } = request;
  const budget = budgets[budgets.length - 1];
  const fn = getBenchmarkFunction(request.function, dim);
  const rng = Rng.fromSeed(`bench-optimizers:${seed}`);
  const noise = rng.derive('noise', request.function);
  const optimizer = createOptimizer(
    request.optimizer,
    {
      space: unitSpace(dim),
      rng: rng.derive('optimizer'),
      budget,
      initial: { design: 'sobol', n: defaultInitialSize(request.optimizer, dim, budget) },
      warmStart: [],
    },
    request.options,
  );

  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const best: number[] = [];
  let bestObserved = -Infinity;
  let bestTrue = -Infinity;
  for (let t = 1; t <= budget; t++) {
    const [trial] = optimizer.ask(1);
    const clean = fn.evaluate(trial.x);
    const observed = request.noise_sd > 0 ? clean + request.noise_sd * noise.normal() : clean;
    optimizer.tell(trial.id, { status: 'ok', value: observed });
    if (observed > bestObserved) {
      bestObserved = observed;
      bestTrue = clean;
    }
    if (budgets.includes(t)) best.push(bestTrue);
  }
  const cpu = process.cpuUsage(cpuStart);
  return { id: request.id, best, seconds: (performance.now() - start) / 1000, cpu_seconds: (cpu.user + cpu.system) / 1e6 };
}
