import { existsSync, rmSync } from 'node:fs';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { HashedExperiment } from '../config/load.js';
import { createOptimizer } from '../optimizers/registry.js';
import type { Optimizer, Outcome, Trial } from '../optimizers/types.js';
import { objectiveKind } from '../objectives/kinds.js';
import type { Evaluation, Objective } from '../objectives/types.js';
import { Rng } from '../util/rng.js';
import { VERSION } from '../version.js';
import { JournalCorruptError, JournalWriter, readJournal, type JournalEvent, type StopReason, type TrialEvent } from './journal.js';
import { RunLock } from './lock.js';
import { RunDir } from './run-dir.js';
import { RunStats } from './stats.js';
import type { ProgressReporter } from './progress.js';
import { liveSchedule, recordedSchedule } from './schedule.js';

export interface RunControls {
  /** Aborted: stop asking for new trials, let evaluations in flight finish. */
  stop?: AbortSignal;
  /** Aborted: interrupt evaluations in flight too (they stay pending and are redone on resume). */
  abort?: AbortSignal;
  progress: ProgressReporter;
  /** Puts something in front of the run's objective (compare: an evaluation cache shared by its runs). */
  wrapObjective?: (objective: Objective) => Objective;
  /**
   * Ask and tell in the order these journal events did (reproduce): the run then proposes the
   * recorded points whatever its concurrency and whatever order its evaluations finish in.
   */
  followJournal?: readonly JournalEvent[];
}

export interface RunResult {
  runDir: string;
  hash: string;
  reason: StopReason;
  finished: number;
  failed: number;
  best: TrialEvent | undefined;
  /** Trials finished in this session (0 when the run was already complete). */
  newTrials: number;
  resumed: boolean;
}

/** Everything a run needs from an experiment, built the same way for a new and a resumed run. */
export function buildOptimizer(experiment: HashedExperiment): Optimizer {
  const { config, space } = experiment;
  return createOptimizer(
    config.optimizer.kind,
    {
      space,
      rng: Rng.fromSeed(config.seed).derive('optimizer'),
      budget: config.stop.budget,
      initial: config.optimizer.initial,
      warmStart: config.optimizer.warm_start.map((w) => space.fromWeights(w.weights)),
      baselines: (config.optimizer.baselines ?? []).map((b) => space.fromWeights(b.weights)),
    },
    config.optimizer.options,
  );
}

/**
 * Runs (or resumes) an experiment: ask → evaluate → tell, keeping `objective.concurrency`
 * evaluations in flight and journaling every step before acting on it. The optimizer is rebuilt
 * by replaying the journal, so a resumed run proposes exactly what an uninterrupted one would.
 */
export async function runExperiment(experiment: HashedExperiment, controls: RunControls): Promise<RunResult> {
  const { config, space } = experiment;
  const runDir = new RunDir(config.output.dir, experiment.hash);
  const fresh = !existsSync(runDir.dir);
  runDir.prepare(experiment);
  const lock = RunLock.acquire(runDir.lock);
  let objective: Objective | undefined;
  let journal: JournalWriter | undefined;
  // An objective that ends the process (a module calling process.exit(0), or awaiting what nothing
  // will settle, which empties the event loop) must not pass for a finished run: the session is
  // journaled as stopped by an error and the exit code made nonzero.
  const onExit = () => {
    if (!process.exitCode) process.exitCode = 1;
    try {
      journal?.append({ type: 'stop', time: new Date().toISOString(), reason: 'error' });
    } catch {
      // the process ends regardless; the journal keeps every trial appended before
    }
    lock.release();
    process.stderr.write(`autombw: the process ended in the middle of run ${experiment.hash.slice(0, 12)} (did the objective call process.exit(), or leave a promise that never settles?); the journaled trials are kept and running the experiment again resumes the run\n`);
  };
  process.on('exit', onExit);
  try {
    runDir.removeStaleTemporaries();
    const optimizer = buildOptimizer(experiment);
    const stats = new RunStats(config.stop.min_delta);
    const { events, lines } = readJournal(runDir.journal);
    const previous = replay(events, optimizer, stats, (i, e) => new JournalCorruptError(runDir.journal, lines[i], e.message));
    const resumed = events.length > 0;
    const finishedBefore = stats.finished;
    const queue: Trial[] = [...optimizer.pending.values()].sort((a, b) => a.id - b.id);

    const budget = config.stop.budget;
    const conditionMet = (): StopReason | undefined => {
      if (config.stop.target !== undefined && stats.best && stats.best.value! >= config.stop.target) return 'target';
      if (config.stop.patience !== undefined && stats.sinceImprovement >= config.stop.patience) return 'patience';
      if (stats.finished >= budget) return 'budget';
      return undefined;
    };
    const already = conditionMet();
    const result = (reason: StopReason): RunResult => ({
      runDir: runDir.dir,
      hash: experiment.hash,
      reason,
      finished: stats.finished,
      failed: stats.failed,
      best: stats.best,
      newTrials: stats.finished - finishedBefore,
      resumed,
    });
    if (already) {
      // A session killed (or interrupted) after journaling the last trial never closed the run:
      // best.json and the stop that tells readers (compare, reports) it finished. A session that
      // only closes it does that now.
      const last = events.at(-1);
      if (last?.type !== 'stop' || last.reason === 'interrupted') {
        if (stats.best) writeBest(runDir, experiment, optimizer, stats);
        journal = new JournalWriter(runDir.journal);
        journal.append({ type: 'start', time: new Date().toISOString(), hash: experiment.hash, session: previous.sessions + 1, version: VERSION });
        journal.append({ type: 'stop', time: new Date().toISOString(), reason: already });
      }
      controls.progress.message(`run ${experiment.hash.slice(0, 12)} is already complete (${already}); ${stats.finished} trials`);
      return result(already);
    }

    objective = await objectiveKind(config.objective.kind).create(config.objective, {
      baseDir: experiment.baseDir,
      rng: Rng.fromSeed(config.seed),
      runDir: runDir.dir,
      space,
      log: (line) => controls.progress.message(line),
    });
    if (controls.wrapObjective) objective = controls.wrapObjective(objective);
    journal = new JournalWriter(runDir.journal);
    const sessionStart = Date.now();
    journal.append({ type: 'start', time: new Date().toISOString(), hash: experiment.hash, session: previous.sessions + 1, version: VERSION, concurrency: objective.concurrency });
    if (previous.concurrency !== undefined && previous.concurrency !== objective.concurrency) {
      controls.progress.message(
        `concurrency is now ${objective.concurrency} (the previous session ran ${previous.concurrency} at once): the optimizer is asked in other batches from here on, so later proposals differ from an uninterrupted run at ${previous.concurrency}; reproduce follows the journaled batches`,
      );
    }
    controls.progress.start({ total: budget, finished: stats.finished, best: stats.best?.value, resumed });

    const sessionAbort = new AbortController();
    const onHardAbort = () => sessionAbort.abort();
    controls.abort?.addEventListener('abort', onHardAbort, { once: true });
    const timeLeft = () => (config.stop.time_limit === undefined ? Infinity : config.stop.time_limit * 1000 - previous.elapsedMs - (Date.now() - sessionStart));

    type Done = { trial: Trial; outcome: Outcome; evaluation?: Evaluation; started: Date; aborted: boolean };
    const evaluating = new Map<number, Promise<Done>>();
    const finished = new Map<number, Done>(); // evaluated, waiting for the schedule to tell them
    const schedule = controls.followJournal
      ? recordedSchedule(controls.followJournal, liveSchedule(objective.concurrency, budget))
      : liveSchedule(objective.concurrency, budget);
    let reason: StopReason | undefined;
    const launch = (trial: Trial) => {
      const started = new Date();
      const weights = space.toWeights(trial.x);
      const promise = objective!
        .evaluate(weights, { trial: trial.id, signal: sessionAbort.signal, runDir: runDir.dir })
        .then(
          (evaluation): Done => ({ trial, outcome: outcomeOf(evaluation), evaluation, started, aborted: false }),
          (err: unknown): Done => ({ trial, outcome: { status: 'failed', error: errorText(err) }, started, aborted: sessionAbort.signal.aborted }),
        );
      evaluating.set(trial.id, promise);
    };

    try {
      let told = false;
      for (;;) {
        // Evaluations that never wait (a function, a synchronous module) would otherwise keep
        // signal handlers from running until the budget is spent.
        await yieldToEventLoop();
        if (reason === undefined) {
          if (controls.stop?.aborted) reason = 'interrupted';
          else if (timeLeft() <= 0) reason = 'time-limit';
        }
        // An interrupted session still asks for the slots its finished trials free, as the
        // uninterrupted run would at that moment; those proposals are journaled and evaluated
        // first on resume, so a resumed run asks the same batches and equals the uninterrupted one.
        if (reason === undefined || (reason === 'interrupted' && told)) {
          for (let n = schedule.askSize(optimizer.pending.size, stats.issued); n > 0; n = schedule.askSize(optimizer.pending.size, stats.issued)) {
            const asking = performance.now();
            const trials = optimizer.ask(n);
            stats.recordAsk(trials, (performance.now() - asking) / 1000);
            journal.append({ type: 'ask', time: new Date().toISOString(), trials });
            schedule.asked(n);
            queue.push(...trials);
          }
        }
        told = false;
        while (reason === undefined && evaluating.size < objective.concurrency && queue.length > 0) launch(queue.shift()!);
        const id = schedule.nextTell([...finished.keys()], evaluating.size === 0);
        if (id === undefined) {
          if (evaluating.size === 0) break;
          const done = await Promise.race(evaluating.values());
          evaluating.delete(done.trial.id);
          // Interrupted, not failed: it stays pending and is redone on resume.
          if (!done.aborted) finished.set(done.trial.id, done);
          continue;
        }
        const done = finished.get(id)!;
        finished.delete(id);
        const event: TrialEvent = {
          type: 'trial',
          time: new Date().toISOString(),
          id: done.trial.id,
          status: done.outcome.status,
          ...(done.outcome.status === 'ok' ? { value: done.outcome.value } : { error: done.outcome.error }),
          weights: space.toWeights(done.trial.x),
          ...(done.evaluation?.details !== undefined ? { details: done.evaluation.details } : {}),
          duration: (Date.now() - done.started.getTime()) / 1000,
          started: done.started.toISOString(),
        };
        journal.append(event);
        optimizer.tell(done.trial.id, done.outcome);
        schedule.told(done.trial.id);
        told = true;
        const improved = stats.record(event);
        if (improved) writeBest(runDir, experiment, optimizer, stats);
        controls.progress.trial(event, stats);
        reason ??= conditionMet();
      }
    } finally {
      controls.abort?.removeEventListener('abort', onHardAbort);
    }
    const final: StopReason = reason ?? (controls.stop?.aborted ? 'interrupted' : conditionMet() ?? 'budget');
    journal.append({ type: 'stop', time: new Date().toISOString(), reason: final });
    if (stats.best) writeBest(runDir, experiment, optimizer, stats);
    controls.progress.stop();
    return result(final);
  } catch (e) {
    // A run that failed before its first journal line (a server down at the pre-flight check)
    // leaves no directory behind to be listed as a run.
    if (fresh && journal === undefined) rmSync(runDir.dir, { recursive: true, force: true });
    throw e;
  } finally {
    process.off('exit', onExit);
    journal?.close();
    await objective?.close?.();
    lock.release();
  }
}

interface ReplaySummary {
  sessions: number;
  /** Wall time spent in earlier sessions, from their first to their last event. */
  elapsedMs: number;
  /** Evaluations the last session that recorded it kept in flight. */
  concurrency: number | undefined;
}

/**
 * Rebuilds optimizer and statistics from journal events, in their original order. An event the
 * optimizer refuses (a trial told twice, an ask it would not have made: a journal edited by
 * hand) is reported through `refused` with its index.
 */
function replay(events: readonly JournalEvent[], optimizer: Optimizer, stats: RunStats, refused: (index: number, error: Error) => Error): ReplaySummary {
  let sessions = 0;
  let elapsedMs = 0;
  let concurrency: number | undefined;
  let sessionStart: number | undefined;
  let lastTime: number | undefined;
  events.forEach((e, index) => {
    const t = Date.parse(e.time);
    try {
      switch (e.type) {
        case 'start':
          if (sessionStart !== undefined && lastTime !== undefined) elapsedMs += lastTime - sessionStart;
          sessions++;
          sessionStart = t;
          concurrency = e.concurrency ?? concurrency;
          break;
        case 'ask':
          optimizer.replayAsk(e.trials);
          stats.issued = Math.max(stats.issued, ...e.trials.map((tr) => tr.id + 1));
          break;
        case 'trial':
          optimizer.tell(e.id, e.status === 'ok' ? { status: 'ok', value: e.value! } : { status: 'failed', error: e.error ?? 'failed' });
          stats.record(e);
          break;
        case 'stop':
          break;
      }
    } catch (err) {
      throw refused(index, err as Error);
    }
    lastTime = t;
  });
  if (sessionStart !== undefined && lastTime !== undefined) elapsedMs += lastTime - sessionStart;
  return { sessions, elapsedMs, concurrency };
}

function writeBest(runDir: RunDir, experiment: HashedExperiment, optimizer: Optimizer, stats: RunStats): void {
  const best = stats.best!;
  const recommended = optimizer.recommend();
  runDir.writeBest({
    hash: experiment.hash,
    preset: experiment.space.preset.id,
    trial: best.id,
    value: best.value!,
    weights: best.weights,
    ...(recommended ? { recommended: experiment.space.toWeights(recommended) } : {}),
  });
}

/** The Objective contract: a non-finite value makes the trial failed (journal, statistics and optimizer alike). */
function outcomeOf(evaluation: Evaluation): Outcome {
  if (Number.isFinite(evaluation.value)) return { status: 'ok', value: evaluation.value };
  return { status: 'failed', error: `the objective returned a non-finite value (${evaluation.value})` };
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.name === 'EvaluationError' || err.name === 'Error' ? err.message : `${err.name}: ${err.message}`;
  return String(err);
}
