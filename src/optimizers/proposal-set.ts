import { pointKey, type ProposeContext } from './base.js';

/**
 * The points one `propose` call has produced so far. ProposeContext.isTaken knows pending and
 * observed trials but not the batch being built, so an optimizer asked for several points checks
 * here to keep them distinct.
 */
export class ProposalSet {
  private readonly keys = new Set<string>();

  constructor(
    private readonly isTaken: ProposeContext['isTaken'],
    private readonly snap: (x: readonly number[]) => number[],
  ) {}

  /** True when the snapped point is pending, observed, or already in this batch. */
  taken(x: readonly number[]): boolean {
    const s = this.snap(x);
    return this.isTaken(s) || this.keys.has(pointKey(s));
  }

  /** Records the point and returns it snapped, as the base optimizer will register it. */
  add(x: readonly number[]): number[] {
    const s = this.snap(x);
    this.keys.add(pointKey(s));
    return s;
  }
}
