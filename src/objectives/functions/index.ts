import { closest } from '../../util/suggest.js';
import { fewBlocks } from './few-blocks.js';
import {
  ackley,
  griewank,
  levy,
  rastrigin,
  schwefel,
  SCHWEFEL_MINIMIZER,
  STYBLINSKI_TANG_MINIMIZER,
  STYBLINSKI_TANG_TERM_MINIMUM,
  styblinskiTang,
} from './multimodal.js';
import { shiftedFamily } from './shifted.js';
import type { BenchmarkFamily, BenchmarkFunction } from './types.js';
import { ellipsoid, rosenbrock, sphere } from './unimodal.js';

export type { BenchmarkFamily, BenchmarkFunction } from './types.js';
export { withNoise } from './noise.js';

const zero = () => 0;

/**
 * The benchmark suite: each classical function on its classical domain width, mapped affinely from
 * [0,1]^d and shifted so that its optimum is interior and off-centre (see shifted.ts). Values are
 * −f, to be maximized; every optimum value is 0 except Styblinski–Tang's, 39.166…·d.
 */
const FAMILIES: BenchmarkFamily[] = [
  shiftedFamily({ name: 'sphere', description: 'Shifted sphere on [-5.12, 5.12]^d.', noiseSd: 20, width: 10.24, minimizer: 0, minimum: zero, f: sphere, phase: 0 }),
  shiftedFamily({ name: 'ellipsoid', description: 'Shifted ellipsoid (condition 1e6) on [-5.12, 5.12]^d.', noiseSd: 1.6e6, width: 10.24, minimizer: 0, minimum: zero, f: ellipsoid, phase: 0.1 }),
  shiftedFamily({ name: 'rosenbrock', description: 'Shifted Rosenbrock on [-5, 10]^d.', noiseSd: 3.5e5, width: 15, minimizer: 1, minimum: zero, f: rosenbrock, phase: 0.2 }),
  shiftedFamily({ name: 'ackley', description: 'Shifted Ackley on [-32.768, 32.768]^d.', noiseSd: 1, width: 65.536, minimizer: 0, minimum: zero, f: ackley, phase: 0.3 }),
  shiftedFamily({ name: 'rastrigin', description: 'Shifted Rastrigin on [-5.12, 5.12]^d.', noiseSd: 35, width: 10.24, minimizer: 0, minimum: zero, f: rastrigin, phase: 0.4 }),
  shiftedFamily({ name: 'levy', description: 'Shifted Levy on [-10, 10]^d.', noiseSd: 30, width: 20, minimizer: 1, minimum: zero, f: levy, phase: 0.5 }),
  shiftedFamily({
    name: 'styblinski-tang',
    description: 'Shifted Styblinski–Tang on [-5, 5]^d.',
    noiseSd: 600,
    width: 10,
    minimizer: STYBLINSKI_TANG_MINIMIZER,
    minimum: (d) => STYBLINSKI_TANG_TERM_MINIMUM * d,
    f: styblinskiTang,
    phase: 0.6,
  }),
  shiftedFamily({ name: 'griewank', description: 'Shifted Griewank on [-600, 600]^d.', noiseSd: 75, width: 1200, minimizer: 0, minimum: zero, f: griewank, phase: 0.7 }),
  shiftedFamily({
    name: 'schwefel',
    description: 'Schwefel on [-500, 500]^d, shifted by at most 28% of the width: further out its terms fall below the optimum.',
    noiseSd: 600,
    width: 1000,
    minimizer: SCHWEFEL_MINIMIZER,
    minimum: zero,
    f: schwefel,
    placement: { distance: [0.28, 0.4], sides: 'high' },
    phase: 0.8,
  }),
  shiftedFamily({
    name: 'few-blocks',
    description: 'Only 5 coordinates matter (2, 8, 13, 18, 24 at d = 27), coupled along a chain, with ripples; on [-2, 2] shifted.',
    noiseSd: 1.1,
    width: 4,
    minimizer: 0,
    minimum: zero,
    f: fewBlocks,
    phase: 0.9,
  }),
];

export const BENCHMARK_FUNCTIONS: Readonly<Record<string, BenchmarkFamily>> = Object.fromEntries(FAMILIES.map((f) => [f.name, f]));

/** The named function at dimension `dim` (27 blocks of SD1 by default). */
export function getBenchmarkFunction(name: string, dim = 27): BenchmarkFunction {
  const family = BENCHMARK_FUNCTIONS[name];
  if (!family) {
    const hint = closest(name, Object.keys(BENCHMARK_FUNCTIONS));
    throw new Error(`unknown benchmark function "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; known: ${Object.keys(BENCHMARK_FUNCTIONS).join(', ')}`);
  }
  return family.create(dim);
}
