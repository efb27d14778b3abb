import type { JsonValue } from '../util/json.js';
import { EvaluationError, type Evaluation } from './types.js';

/**
 * Reads what an evaluator returned — a number, or `{ value, details }` — into an Evaluation.
 * Anything else, and any non-finite value, is a failed trial with the reason recorded.
 */
export function toEvaluation(result: unknown, source: string): Evaluation {
  if (typeof result === 'number') return finite(result, source);
  if (result !== null && typeof result === 'object' && 'value' in result) {
    const { value, details } = result as { value: unknown; details?: JsonValue };
    if (typeof value !== 'number') throw new EvaluationError(`${source} returned a "value" that is not a number: ${preview(value)}`);
    const evaluation = finite(value, source);
    return details === undefined ? evaluation : { ...evaluation, details };
  }
  throw new EvaluationError(`${source} returned ${preview(result)}; expected a number or {"value": number, "details": ...}`);
}

function finite(value: number, source: string): Evaluation {
  if (!Number.isFinite(value)) throw new EvaluationError(`${source} returned a non-finite value (${value})`);
  return { value };
}

export function preview(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
