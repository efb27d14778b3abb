import type { SpaceConfig } from '../space/space.js';
import type { DesignKind } from '../optimizers/types.js';
import type { JsonObject } from '../util/json.js';

/** An experiment after validation and resolution: every default filled, every include inlined. */
export interface ExperimentConfig {
  name?: string;
  description?: string;
  seed: number;
  space: SpaceConfig;
  /** The objective section as its kind resolved it (paths relative to the experiment file). */
  objective: JsonObject & { kind: string };
  optimizer: {
    kind: string;
    initial: { design: DesignKind; n: number };
    /** Warm-start recipes as named weights of the space's preset. */
    warm_start: Array<{ weights: Record<string, number> }>;
    /** With `baselines: true`: A alone, B alone and the uniform 0.5 merge, evaluated first (absent otherwise, so older run hashes hold). */
    baselines?: Array<{ name: string; weights: Record<string, number> }>;
    options: JsonObject;
  };
  stop: {
    budget: number;
    /** Seconds; a property of the session, not of the experiment, so not in the run hash. */
    time_limit?: number;
    patience?: number;
    min_delta: number;
    target?: number;
  };
  output: { dir: string; progress: 'auto' | 'bar' | 'plain' | 'none' };
}
