import { LocalSearch } from './local-search.js';

/** Hill climbing (GFO defaults): move to the best of each step's neighbours only when it improves. */
export class HillClimbing extends LocalSearch {
  readonly kind = 'hill-climbing';

  protected acceptWorse(): boolean {
    return false;
  }
}
