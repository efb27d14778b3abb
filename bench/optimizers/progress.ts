import type { Job, JobResult } from './jobs.js';

/**
 * Progress with an ETA that knows optimizers differ in cost: the remaining jobs are priced at the
 * mean time of finished jobs of the same optimizer; until one has finished, at its time per run in
 * `prior` (a past result file), else at the mean of all finished jobs.
 */
export class Progress {
  private finished = 0;
  private failed = 0;
  private lastPrint = 0;
  private readonly started = performance.now();
  private readonly seconds = new Map<string, number[]>();
  private readonly remaining = new Map<string, number>();

  private readonly total: number;

  constructor(
    jobs: readonly Job[],
    private readonly slots: number,
    private readonly prior: Readonly<Record<string, number>> = {},
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {
    this.total = jobs.length;
    for (const j of jobs) this.remaining.set(j.contender.name, (this.remaining.get(j.contender.name) ?? 0) + 1);
  }

  done(job: Job, result: JobResult): void {
    this.finished++;
    if (result.error) {
      this.failed++;
      this.out.write(`${this.out.isTTY ? '\r\x1b[K' : ''}failed: ${result.optimizer} × ${result.problem} seed ${result.seed}: ${result.error}\n`);
    }
    const name = job.contender.name;
    this.seconds.set(name, [...(this.seconds.get(name) ?? []), result.seconds]);
    this.remaining.set(name, (this.remaining.get(name) ?? 1) - 1);
    const now = performance.now();
    const last = this.finished === this.total;
    if (!this.out.isTTY && !last && now - this.lastPrint < 15_000) return;
    this.lastPrint = now;
    const untimed = [...this.remaining.keys()].filter((name) => !this.seconds.has(name) && this.prior[name] === undefined).length;
    const eta = `ETA ${clock(this.eta())}${untimed ? ` (${untimed} optimizers not timed yet, priced at the mean so far)` : ''}`;
    const line = `[${this.finished}/${this.total}]${this.failed ? ` ${this.failed} failed,` : ''} ${result.optimizer} × ${result.problem} #${result.seed} ${result.seconds.toFixed(1)} s · elapsed ${clock((now - this.started) / 1000)} · ${eta}`;
    this.out.write(this.out.isTTY ? `\r\x1b[K${line}${last ? '\n' : ''}` : `${line}\n`);
  }

  /** Seconds until all jobs are done, assuming the lanes stay busy. */
  eta(): number {
    const all = [...this.seconds.values()].flat();
    const overall = all.length ? mean(all) : 0;
    let work = 0;
    for (const [name, left] of this.remaining) {
      const own = this.seconds.get(name);
      work += left * (own?.length ? mean(own) : (this.prior[name] ?? overall));
    }
    return work / this.slots;
  }
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function clock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}
