/**
 * The scoring module's public surface, for the merge objective and the demo backend:
 *
 *   const panel = await createScorer(section.scorer, baseDir, { runDir, log });
 *   const { value, details } = await panel.judge(payloads, signal);   // details → journal
 *   await panel.close();
 *
 * In ObjectiveKind.resolve / fingerprint, use resolveScoring / fingerprintScoring on the section.
 */
export { createScorer, fingerprintScoring, resolveScoring, type ScorerEnvironment } from './create-scorer.js';
export { ScorerPanel, type PayloadImages, type PanelMember } from './panel.js';
export { aggregate, type ImageResult, type PayloadResult, type Penalty } from './aggregate.js';
export { tally, TALLY_MODES, type TallyMode } from './tally.js';
export { combineScores, COMBINE_MODES, type CombineMode } from './combine.js';
export { createDemoScorer, demoModelBytes, DEMO_FEATURES } from './builtin/demo.js';
export { parseScoringSection, type ScoringSection, type ScorerSection } from './config.js';
export type { ScoredImage, Scorer } from './types.js';
