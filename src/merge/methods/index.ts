import { addDifference } from './add-difference.js';
import { dare } from './dare.js';
import { ties } from './ties.js';
import type { MergeMethod, MergeMethodId } from './types.js';
import { weightedSum } from './weighted-sum.js';

export const MERGE_METHODS: Readonly<Record<MergeMethodId, MergeMethod>> = Object.freeze({
  'weighted-sum': weightedSum,
  'add-difference': addDifference,
  ties,
  dare,
});

export const MERGE_METHOD_IDS = Object.keys(MERGE_METHODS) as MergeMethodId[];

export function getMergeMethod(id: string): MergeMethod | undefined {
  return Object.prototype.hasOwnProperty.call(MERGE_METHODS, id) ? MERGE_METHODS[id as MergeMethodId] : undefined;
}
