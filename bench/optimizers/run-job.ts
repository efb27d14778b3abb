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

/** The options a user gets by naming the kind and nothing else: the schema's defaults, or {} without a schema. */
export function optionDefaults(kind: string): Record<string, unknown> {
  const file = `${SCHEMAS}${kind}.schema.json`;
  if (!existsSync(file)) return {};
  const schema = JSON.parse(readFileSync(file, 'utf8'));
  delete schema.$id;
  const validate = new Ajv2020({ useDefaults: true, strict: false }).compile(schema);
  const options: Record<string, unknown> = {};
  if (!validate(options)) throw new Error(`${file}: {} is not valid options (${JSON.stringify(validate.errors)})`);
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
