import type { ScorerKindName, ScorerSection } from './config.js';
import { builtinScorerKind } from './kinds/builtin.js';
import { commandScorerKind } from './kinds/command.js';
import type { ScorerKind } from './kinds/kind.js';
import { manualScorerKind } from './kinds/manual.js';
import { onnxScorerKind } from './kinds/onnx.js';

/** Every `kind` of the `scorers` list. */
export const SCORER_KINDS: { readonly [K in ScorerKindName]: ScorerKind<Extract<ScorerSection, { kind: K }>> } = {
  onnx: onnxScorerKind,
  command: commandScorerKind,
  manual: manualScorerKind,
  builtin: builtinScorerKind,
};

/** The kind of a scorer section, typed for that section. */
export function scorerKind<S extends ScorerSection>(section: S): ScorerKind<S> {
  return SCORER_KINDS[section.kind] as unknown as ScorerKind<S>;
}
