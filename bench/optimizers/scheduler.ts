import { JsonLinesWorker } from './json-lines-worker.js';
import type { Engine, Job, JobResult } from './jobs.js';
import type { OptimizeReply, WorkerRequest } from './protocol.js';

export interface WorkerCommands {
  ts: { command: string; args: string[] };
  optuna: { command: string; args: string[] };
}

/**
 * Runs the jobs on `slots` parallel lanes. Each lane owns (lazily) one worker per engine and runs
 * one job at a time, so at most `slots` processes compute at once whatever the engine mix.
 */
export async function runJobs(
  jobs: readonly Job[],
  slots: number,
  commands: WorkerCommands,
  cwd: string,
  request: (job: Job) => WorkerRequest,
  onDone: (job: Job, result: JobResult) => void,
): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  let next = 0;
  const lane = async (index: number) => {
    const workers = new Map<Engine, JsonLinesWorker>();
    const worker = (engine: Engine) => {
      let w = workers.get(engine);
      if (!w) {
        w = new JsonLinesWorker(`${engine}#${index}`, commands[engine].command, commands[engine].args, cwd);
        workers.set(engine, w);
      }
      return w;
    };
    try {
      while (next < jobs.length) {
        const job = jobs[next++];
        const base = { optimizer: job.contender.name, problem: job.problem.label, seed: job.seed };
        let result: JobResult;
        const start = performance.now();
        try {
          const reply = await worker(job.contender.engine).request<OptimizeReply>(request(job));
          result = reply.error !== undefined || !reply.best
            ? { ...base, seconds: (performance.now() - start) / 1000, error: reply.error ?? 'no result' }
            : { ...base, best: reply.best, seconds: reply.seconds ?? 0, cpuSeconds: reply.cpu_seconds ?? 0 };
        } catch (error) {
          workers.delete(job.contender.engine); // the process is gone; the next job starts a fresh one
          result = { ...base, seconds: (performance.now() - start) / 1000, error: error instanceof Error ? error.message : String(error) };
        }
        results[job.id] = result;
        onDone(job, result);
      }
    } finally {
      for (const w of workers.values()) w.close();
    }
  };
  await Promise.all(Array.from({ length: Math.min(slots, jobs.length) }, (_, i) => lane(i)));
  return results;
}
