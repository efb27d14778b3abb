/**
 * Folds a coordinate into [0, 1] by reflection at the faces (x → −x below 0, x → 2 − x above 1,
 * repeated): the bound handling of the Gaussian samplers (PGPE, CMA-ES). Unlike clipping, it piles
 * no probability onto the faces, and the reflected density stays smooth inside the cube.
 */
export function reflect(x: number): number {
  const y = ((x % 2) + 2) % 2;
  return y <= 1 ? y : 2 - y;
}
