import type { ObjectiveKind } from './kind.js';
import { commandObjectiveKind } from './command.js';
import { functionObjectiveKind } from './function.js';
import { mergeObjectiveKind } from './merge/index.js';
import { moduleObjectiveKind } from './module.js';
import { surrogateObjectiveKind } from './surrogate.js';

/** Every `objective.kind` of the experiment YAML. */
export const OBJECTIVE_KINDS: Readonly<Record<string, ObjectiveKind>> = {
  function: functionObjectiveKind,
  command: commandObjectiveKind,
  module: moduleObjectiveKind,
  merge: mergeObjectiveKind,
  surrogate: surrogateObjectiveKind,
};

export function objectiveKind(kind: string): ObjectiveKind {
  const k = OBJECTIVE_KINDS[kind];
  if (!k) throw new Error(`objective kind "${kind}" is not available in this build`);
  return k;
}
