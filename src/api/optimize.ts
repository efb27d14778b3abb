import { UserInputError, formatPath } from '../config/issues.js';
import { schemaIssues, schemaValidator } from '../config/schema.js';
import { defaultInitialSize } from '../optimizers/initial.js';
import { createOptimizer as create, OPTIMIZERS } from '../optimizers/registry.js';
import type { InitialDesignConfig, Optimizer as Inner, Trial as InnerTrial } from '../optimizers/types.js';
import { SearchSpace, SpaceConfigError, type SpaceConfig } from '../space/space.js';
import { Rng } from '../util/rng.js';

export type { SpaceConfig };
export { SearchSpace };

/** A search space from code: the same fields as an experiment's `space:` section. */
export function defineSpace(config: SpaceConfig): SearchSpace {
  try {
    return SearchSpace.fromConfig(config);
  } catch (e) {
    if (e instanceof SpaceConfigError) throw new UserInputError(`invalid space: ${e.issues.map((i) => `${formatPath(['space', ...i.path])}: ${i.message}`).join('; ')}`, e.issues.map((i) => `${formatPath(['space', ...i.path])}: ${i.message}`));
    throw e;
  }
}

export interface OptimizerSettings {
  /** One of the experiment schema's `optimizer.kind` values (gp-bo, turbo, random, …). */
  kind: string;
  /** `optimizer.options` for that kind; validated and defaulted by its schema. */
  options?: Record<string, unknown>;
  /** Everything random derives from it, as in an experiment (`seed:`). */
  seed?: number | string;
  /** Total evaluations planned (`stop.budget`): optimizers size their initial design and schedule by it. */
  budget: number;
  /** The initial design before the optimizer proper (default: as in an experiment, sized by kind, dimension and budget). */
  initial?: InitialDesignConfig;
}

/** A proposal: its id (for `tell`) and the block weights to evaluate. */
export interface Proposal {
  readonly id: number;
  readonly weights: Readonly<Record<string, number>>;
}

/** The ask/tell contract the CLI's run loop uses, in block weights. Direction is always maximize. */
export interface Optimizer {
  readonly kind: string;
  ask(n?: number): Proposal[];
  /** A value to maximize, or an Error for a trial that failed (the optimizer avoids it). */
  tell(id: number, result: number | Error): void;
  /** The weights the optimizer would answer with now, once something was told. */
  recommend(): Record<string, number> | undefined;
}

/** An optimizer over `space`, seeded like an experiment with the same seed, kind and options. */
export function createOptimizer(space: SearchSpace, settings: OptimizerSettings): Optimizer {
  if (!Object.hasOwn(OPTIMIZERS, settings.kind)) {
    throw new UserInputError(`unknown optimizer kind "${settings.kind}"; expected one of ${Object.keys(OPTIMIZERS).join(', ')}`);
  }
  const options = structuredClone(settings.options ?? {});
  const validate = schemaValidator(`optimizers/${settings.kind}.schema.json`);
  if (!validate(options)) {
    const issues = schemaIssues(validate.errors ?? [], options).map((i) => `optimizer.options${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
    throw new UserInputError(issues.join('; '), issues);
  }
  const inner: Inner = create(
    settings.kind,
    {
      space,
      rng: Rng.fromSeed(settings.seed ?? 0).derive('optimizer'),
      budget: settings.budget,
      initial: settings.initial ?? { design: 'sobol', n: defaultInitialSize(settings.kind, space.dim, settings.budget) },
      warmStart: [],
    },
    options,
  );
  const proposal = (t: InnerTrial): Proposal => ({ id: t.id, weights: space.toWeights(t.x) });
  return {
    kind: inner.kind,
    ask: (n = 1) => inner.ask(n).map(proposal),
    tell: (id, result) => inner.tell(id, result instanceof Error ? { status: 'failed', error: result.message } : { status: 'ok', value: result }),
    recommend: () => {
      const x = inner.recommend();
      return x ? space.toWeights(x) : undefined;
    },
  };
}
