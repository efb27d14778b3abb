import { sha256Hex } from '../../util/sha256.js';
import { createDemoScorer, demoModelBytes } from '../builtin/demo.js';
import type { BuiltinScorerSection } from '../config.js';
import type { ScorerKind } from './kind.js';

export const builtinScorerKind: ScorerKind<BuiltinScorerSection> = {
  resolve(section) {
    return { section, issues: [] };
  },

  async fingerprint(s) {
    return { kind: 'builtin', model: s.model, sha256: sha256Hex(demoModelBytes()) };
  },

  async create(_s, { name, env }) {
    return createDemoScorer({ name, log: env.log });
  },
};
