/**
 * Default size of the initial design, by optimizer family. Model-based optimizers need a
 * space-filling start to fit their model; local searches need a few starting points to pick
 * the best from; pure sampling and the coordinate baseline need none.
 */
export function defaultInitialSize(kind: string, dim: number, budget: number): number {
  switch (kind) {
    case 'gp-bo':
    case 'turbo':
      // About one point per dimension, but never more than an eighth of the budget.
      return Math.min(budget, Math.max(8, Math.min(dim + 1, Math.ceil(budget / 8))));
    case 'hill-climbing':
    case 'stochastic-hill-climbing':
    case 'simulated-annealing':
    case 'random-restart-hill-climbing':
      return Math.min(budget, 4);
    default:
      return 0;
  }
}
