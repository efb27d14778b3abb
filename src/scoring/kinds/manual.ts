import path from 'node:path';
import type { ManualScorerSection } from '../config.js';
import { fromBase, relativeToBase } from '../../util/paths.js';
import { ManualScorer } from '../manual/manual-scorer.js';
import { RatingsStore } from '../manual/ratings-store.js';
import { TerminalRater } from '../manual/terminal-rater.js';
import { WebRater } from '../manual/web-rater.js';
import type { ScorerKind } from './kind.js';

export const manualScorerKind: ScorerKind<ManualScorerSection> = {
  resolve(section, baseDir) {
    return { section: section.ratings !== undefined ? { ...section, ratings: relativeToBase(baseDir, section.ratings) } : section, issues: [] };
  },

  async fingerprint(s) {
    // Where ratings are typed or kept does not change them; the scale does.
    return { kind: 'manual', min: s.min, max: s.max, step: s.step };
  },

  async create(s, { name, baseDir, env }) {
    const scale = { min: s.min, max: s.max, step: s.step };
    const file = s.ratings !== undefined ? fromBase(baseDir, s.ratings) : env.runDir !== undefined ? path.join(env.runDir, 'ratings.jsonl') : undefined;
    const store = await RatingsStore.open(file);
    if (file && store.size > 0) env.log(`manual scorer: ${store.size} earlier rating(s) loaded from ${file}`);
    const rater = s.interface === 'web' ? new WebRater(scale, s.port, env.log) : new TerminalRater(scale, env.terminal.input, env.terminal.output);
    return new ManualScorer(name, scale, store, rater);
  },
};
