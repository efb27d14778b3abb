/**
 * Folds a coordinate into [0, 1] by reflection at the faces (x → −x below 0, x → 2 − x above 1,
 * repeated): PGPE's bound handling. Unlike clipping, it piles no probability onto the faces.
 * (CMA-ES redraws instead: see src/optimizers/cma-es.ts.)
 */
export function reflect(x: number): number {
  const y = ((x % 2) + 2) % 2;
  return y <= 1 ? y : 2 - y;
}
