import { aggregate, type AggregateOptions, type ImageResult, type PayloadResult } from '../../scoring/aggregate.js';
import type { ScoredImage } from '../../scoring/types.js';
import type { JsonObject, JsonValue } from '../../util/json.js';
import type { Backend, Endpoint } from '../../runtime/backend.js';
import { EvaluationCache, quantizeWeights } from '../../runtime/cache.js';
import { BackendError, isRetryable, type FailureKind } from '../../runtime/errors.js';
import type { ImageStore, RenderedImage } from '../../runtime/images.js';
import type { Payload } from '../../runtime/payloads/types.js';
import { PngError, readPngChunks } from '../../runtime/png.js';
import type { EndpointPool, Lease } from '../../runtime/pool.js';
import { TimeBudget } from '../../runtime/time-budget.js';
import { EvaluationError, type Evaluation, type EvaluationContext, type Objective } from '../types.js';

/** Per-image scores of a batch of images, and how a recipe's payload results become its value. */
export interface Judge {
  judge(images: readonly ScoredImage[], signal: AbortSignal): Promise<ImageResult[]>;
  /** Identity of the scorers (model hashes, options), for the cache key. */
  fingerprint(): Promise<string>;
  readonly aggregate: AggregateOptions;
  close(): Promise<void>;
}

export interface MergeObjectiveParts {
  backend: Backend;
  pool: EndpointPool;
  payloads: readonly Payload[];
  judge: Judge;
  images: ImageStore;
  /** Absent when the cache is off. */
  cache: EvaluationCache | undefined;
  /** What besides weights and payload decides a payload's scores (models, method, backend, scorer). */
  cacheIdentity: JsonValue;
  /** Blocks of the preset, in order (for quantized cache keys and the recipe in image metadata). */
  blocks: readonly string[];
  /** Recorded in the images: preset and merge method. */
  recipeInfo: JsonObject;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
}

/** One attempt that failed and was retried: the server, how the failure was judged (errors.ts) and its message. */
type FailedAttempt = {
  endpoint: string;
  kind: FailureKind;
  error: string;
};

interface PayloadScores {
  images: ImageResult[];
  cached: boolean;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The merge objective: a recipe's value from its images. Cached payloads cost nothing; the rest
 * are rendered on one endpoint slot, each payload scored as soon as its images arrive (while the
 * server renders the next). A transient failure retries the payloads still missing after a
 * backoff, preferring another endpoint; a verdict of the server (invalid workflow, failing node)
 * fails the trial at once. The time the recipe holds servers is bounded by the per-evaluation
 * timeout.
 */
export class MergeObjective implements Objective {
  readonly kind = 'merge';

  constructor(private readonly parts: MergeObjectiveParts) {}

  get concurrency(): number {
    return this.parts.pool.concurrency;
  }

  async evaluate(weights: Readonly<Record<string, number>>, ctx: EvaluationContext): Promise<Evaluation> {
    const { payloads, cache, timeoutMs } = this.parts;
    const started = performance.now();
    // The time limit runs while the recipe holds a server (and backs off), not while it waits for
    // one: when every server is out of the pool the run pauses instead of failing its trials.
    const budget = new TimeBudget(timeoutMs);
    const signal = AbortSignal.any([ctx.signal, budget.signal]);
    const keys = payloads.map((p) => this.cacheKey(weights, p));
    const results: Array<PayloadScores | undefined> = await Promise.all(
      keys.map(async (key) => {
        const hit = cache ? await cache.get(key) : undefined;
        return hit !== undefined ? { images: hit as unknown as ImageResult[], cached: true } : undefined;
      }),
    );
    const rendered: RenderedImage[] = [];
    const scoring: Array<Promise<void>> = [];
    let attempts = 0;
    let endpoint: string | undefined;
    // Every failed attempt, so that a trial which succeeded on a retry still tells in the journal what went wrong.
    const failures: FailedAttempt[] = [];
    try {
      const missing = new Set(payloads.map((_, i) => i).filter((i) => results[i] === undefined));
      let avoid: Endpoint | undefined;
      while (missing.size > 0) {
        budget.pause();
        const lease: Lease = await this.parts.pool.acquire(signal, avoid);
        budget.start();
        attempts++;
        endpoint = lease.endpoint.url;
        try {
          const job = { trial: ctx.trial, weights, payloads: [...missing].map((index) => ({ index, payload: payloads[index] })) };
          await this.parts.backend.render(lease.endpoint, job, signal, (index, images) => {
            if (!missing.has(index)) return;
            checkImages(images, lease.endpoint.url, payloads[index].name);
            missing.delete(index);
            scoring.push(
              this.score(index, images, weights, ctx, signal).then((r) => {
                results[index] = r.scores;
                if (this.parts.images.mode === 'best') rendered.push(...r.batch);
              }),
            );
          });
          this.parts.pool.succeeded(lease.endpoint);
        } catch (e) {
          if (signal.aborted) throw e;
          if (!isRetryable(e)) throw e instanceof BackendError ? new EvaluationError(e.message) : e;
          failures.push({ endpoint: lease.endpoint.url, kind: e.failure, error: e.message });
          if (e.failure === 'transient') this.parts.pool.failed(lease.endpoint, e.message);
          avoid = lease.endpoint;
          if (attempts > this.parts.retries) {
            throw new EvaluationError(`gave up after ${attempts} attempt(s): ${failures.map((f) => f.error).join('; ')}`, { failures });
          }
          await sleep(Math.min(MAX_BACKOFF_MS, this.parts.backoffMs * 2 ** (attempts - 1)), signal);
        } finally {
          lease.release();
        }
      }
      await Promise.all(scoring);
      budget.pause();
    } catch (e) {
      budget.pause();
      await Promise.allSettled(scoring);
      if (ctx.signal.aborted) throw new EvaluationError('interrupted');
      if (budget.signal.aborted) {
        const dead = this.parts.pool.describeDead();
        throw new EvaluationError(`timed out after ${timeoutMs / 1000}s${dead ? `; servers out of the pool: ${dead}` : ''}`);
      }
      throw e;
    }

    const payloadResults: PayloadResult[] = payloads.map((p, i) => ({ name: p.name, weight: p.weight, images: results[i]!.images }));
    let value: number;
    let details: JsonObject;
    try {
      ({ value, details } = aggregate(payloadResults, this.parts.judge.aggregate));
    } catch (e) {
      throw new EvaluationError(`scores cannot be aggregated: ${(e as Error).message}`);
    }
    const cachedCount = results.filter((r) => r!.cached).length;
    await this.parts.images.offerBest(ctx.trial, value, rendered);
    return {
      value,
      details: {
        ...details,
        cached: cachedCount,
        ...(endpoint !== undefined ? { endpoint, attempts } : {}),
        ...(failures.length > 0 ? { failures } : {}),
        seconds: Math.round(performance.now() - started) / 1000,
      },
    };

    function checkImages(images: readonly Buffer[], url: string, name: string): void {
      images.forEach((png, i) => {
        try {
          readPngChunks(png);
        } catch (e) {
          if (e instanceof PngError) throw new BackendError(`${url}: payload ${name}, image ${i}: ${e.message}`, 'transient');
          throw e;
        }
      });
    }
  }

  /** Scores one payload's images, saves them as configured, and stores the scores in the cache. */
  private async score(
    index: number,
    images: readonly Buffer[],
    weights: Readonly<Record<string, number>>,
    ctx: EvaluationContext,
    signal: AbortSignal,
  ): Promise<{ scores: PayloadScores; batch: RenderedImage[] }> {
    const payload = this.parts.payloads[index];
    const recipe = { ...this.parts.recipeInfo, trial: ctx.trial, weights: { ...weights } };
    const batch: RenderedImage[] = images.map((png, i) => ({ origin: { trial: ctx.trial, recipe, payload, index: i }, png }));
    const paths = await Promise.all(batch.map((image) => this.parts.images.save(image)));
    const scored: ScoredImage[] = batch.map((image, i) => ({
      data: image.png,
      prompt: payload.prompt,
      payload: payload.name,
      index: i,
      ...(paths[i] !== undefined ? { path: paths[i] } : {}),
    }));
    let results: ImageResult[];
    try {
      results = await this.parts.judge.judge(scored, signal);
    } catch (e) {
      if (signal.aborted) throw e;
      throw new EvaluationError(`scoring payload ${payload.name} failed: ${(e as Error).message}`);
    }
    if (this.parts.cache) await this.parts.cache.put(this.cacheKey(weights, payload), results.map(({ path: _path, ...r }) => r) as unknown as JsonValue);
    return { scores: { images: results, cached: false }, batch };
  }

  private cacheKey(weights: Readonly<Record<string, number>>, payload: Payload): string {
    const { name: _name, weight: _weight, ...images } = payload;
    return EvaluationCache.key({ identity: this.parts.cacheIdentity, weights: quantizeWeights(weights, this.parts.blocks), payload: images });
  }

  async close(): Promise<void> {
    this.parts.pool.close();
    await Promise.allSettled([this.parts.backend.close(), this.parts.judge.close()]);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
