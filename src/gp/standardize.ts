/**
 * Observed values rescaled to mean 0 and standard deviation 1, whatever the scorer returns.
 * Values are halved before centring so that differences of numbers near ±1.8e308 stay finite,
 * and the spread is measured relative to the largest deviation so its squares cannot overflow.
 * Constant values (no spread at all) standardize to zeros instead of dividing by zero.
 */
export function standardize(values: readonly number[]): Float64Array {
  const n = values.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  let centre = 0;
  for (const v of values) centre += v / 2 / n;
  let largest = 0;
  for (let i = 0; i < n; i++) {
    out[i] = values[i] / 2 - centre;
    largest = Math.max(largest, Math.abs(out[i]));
  }
  if (!(largest > 0)) return out.fill(0);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    out[i] /= largest;
    sumSquares += out[i] * out[i];
  }
  // Centring with the rounded mean leaves a residual mean; remove it in the rescaled units.
  let residual = 0;
  for (let i = 0; i < n; i++) residual += out[i] / n;
  const sd = Math.sqrt(Math.max(sumSquares / n - residual * residual, 0));
  if (!(sd > 0)) return out.fill(0);
  for (let i = 0; i < n; i++) out[i] = (out[i] - residual) / sd;
  return out;
}
