/** One ask of this session: the optimizer's time for it and the trials it proposed. */
export interface AskTime {
  /** Id of the first trial proposed. */
  firstTrial: number;
  count: number;
  seconds: number;
}

/** Recent asks whose trend the optimizer's future time per proposal is read from. */
const TREND_WINDOW = 20;

/**
 * Seconds until the budget is spent. Time per trial is evaluation time plus the optimizer's time
 * per proposal, and the latter grows as trials accrue (a Gaussian process refits on every
 * observation), so a session's average time per trial underestimates what is left. The two are
 * projected apart: evaluation time per trial stays this session's; the time per proposal follows
 * the linear trend of the recent asks, summed over the trials still to propose (a line's sum is
 * its value at the middle times the count).
 */
export function estimateRemaining(session: {
  /** Wall seconds of this session so far. */
  elapsed: number;
  /** Trials finished in this session. */
  finished: number;
  /** Trials still to finish, asked or not. */
  remaining: number;
  /** The next trial's id. */
  issued: number;
  /** Trials still to ask for. */
  toPropose: number;
  /** This session's asks, oldest first. */
  asks: readonly AskTime[];
}): number {
  if (session.remaining <= 0) return 0;
  if (session.finished <= 0) return NaN;
  const proposing = session.asks.reduce((sum, a) => sum + a.seconds, 0);
  const evaluationPerTrial = Math.max(0, session.elapsed - proposing) / session.finished;
  const middle = session.issued + (session.toPropose - 1) / 2;
  const perProposal = session.toPropose > 0 ? Math.max(0, trendAt(session.asks.slice(-TREND_WINDOW), middle)) : 0;
  return session.remaining * evaluationPerTrial + session.toPropose * perProposal;
}

/** The least-squares line through (trial id, seconds per proposal) of `asks`, at trial `x`. */
function trendAt(asks: readonly AskTime[], x: number): number {
  if (asks.length === 0) return 0;
  const points = asks.map((a) => ({ x: a.firstTrial + (a.count - 1) / 2, y: a.seconds / a.count }));
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return my;
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return my + slope * (x - mx);
}
