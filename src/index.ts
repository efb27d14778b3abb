/**
 * autombw as a library. This is the whole public surface; everything else in the package is
 * internal and may change between versions. docs/api.md describes each entry with examples.
 */
export { UserInputError } from './config/issues.js';

export { loadExperiment, validateExperiment, runExperiment, type Experiment, type RunEvent, type RunOptions, type RunResult } from './api/experiment.js';
export { defineSpace, createOptimizer, SearchSpace, type SpaceConfig, type OptimizerSettings, type Optimizer, type Proposal } from './api/optimize.js';
export { readRun, readBestRecipe, type JournalEvent, type TrialEvent, type RunRecipe } from './api/runs.js';
export { scoreImages, type ImageScores } from './api/score.js';

export { mergeCheckpoints, type MergeCheckpointsOptions, type MergeReport, type MergeProgress } from './merge/merge.js';
export { convertCheckpoint, type ConvertResult } from './torch/convert.js';
export { TorchCheckpoint, type TorchTensor } from './torch/checkpoint.js';
export { importHead, importHeadToFile, type ImportedHead, type HeadArchitecture } from './scoring/heads/import.js';
export { parseRecipeString, formatRecipeString, type Recipe, type RecipeFormat } from './space/recipe.js';
export { VERSION } from './version.js';
