import { describe, expect, it } from 'vitest';
import type { JobResult } from '../../bench/optimizers/jobs.js';
import { planJobs, problems } from '../../bench/optimizers/jobs.js';
import { parseBenchArgs, parseVariant } from '../../bench/optimizers/args.js';
import { resolveOptions } from '../../bench/optimizers/run-job.js';
import { estimateSeconds } from '../../bench/optimizers/estimate.js';
import { Progress } from '../../bench/optimizers/progress.js';
import { formatValue, replaceBetweenMarkers } from '../../bench/optimizers/markdown.js';
import { meanRanks, quantile, summarize, wins } from '../../bench/optimizers/summary.js';

const run = (optimizer: string, problem: string, seed: number, best: number[]): JobResult => ({ optimizer, problem, seed, best, seconds: 1 });

describe('benchmark statistics', () => {
  it('interpolates quantiles between order statistics', () => {
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4], 0.25)).toBe(1.75);
    expect(quantile([7], 0.75)).toBe(7);
  });

  it('summarizes each optimizer × problem × budget by median and quartiles', () => {
    const s = summarize([run('a', 'f', 0, [-3, -1]), run('a', 'f', 1, [-5, -2]), run('a', 'f', 2, [-4, -3])], [100, 200]);
    expect(s.cells.a.f).toEqual([
      { median: -4, q1: -4.5, q3: -3.5, runs: 3 },
      { median: -2, q1: -2.5, q3: -1.5, runs: 3 },
    ]);
  });

  it('leaves out failed runs and counts them', () => {
    const s = summarize([run('a', 'f', 0, [-1]), { optimizer: 'a', problem: 'f', seed: 1, seconds: 0, error: 'boom' }], [100]);
    expect(s.cells.a.f?.[0].runs).toBe(1);
    expect(s.failures).toBe(1);
  });

  it('ranks by median with ties sharing the mean rank, averaged over problems', () => {
    const s = summarize([run('a', 'f', 0, [-1]), run('b', 'f', 0, [-1]), run('c', 'f', 0, [-9]), run('a', 'g', 0, [-5]), run('b', 'g', 0, [-2]), run('c', 'g', 0, [-3])], [100]);
    expect(meanRanks(s, ['f', 'g'], 0)).toEqual({ a: (1.5 + 3) / 2, b: (1.5 + 1) / 2, c: (3 + 2) / 2 });
  });

  it('counts the problems where one median beats another', () => {
    const s = summarize([run('a', 'f', 0, [-1]), run('b', 'f', 0, [-2]), run('a', 'g', 0, [-5]), run('b', 'g', 0, [-2])], [100]);
    expect(wins(s, 'a', 'b', ['f', 'g'], 0)).toEqual({ wins: 1, of: 2 });
  });
});

describe('benchmark plan', () => {
  it('runs every optimizer × problem × seed once, seed by seed, the slow model-based ones first within a seed', () => {
    const contenders = [
      { name: 'random', engine: 'ts' as const, kind: 'random', options: {} },
      { name: 'gp-bo', engine: 'ts' as const, kind: 'gp-bo', options: {} },
    ];
    const jobs = planJobs(contenders, problems(['sphere', 'levy'], true), 3);
    expect(jobs).toHaveLength(2 * 4 * 3);
    expect(jobs.slice(0, 8).map((j) => [j.contender.name, j.seed])).toEqual([...Array(4).fill(['gp-bo', 0]), ...Array(4).fill(['random', 0])]);
    expect(new Set(jobs.map((j) => `${j.contender.name}/${j.problem.label}/${j.seed}`)).size).toBe(jobs.length);
    expect(jobs.map((j) => j.id)).toEqual(jobs.map((_, i) => i));
  });

  it('numbers the seeds from --first-seed, so variants can be tuned on seeds the report does not use', () => {
    const contenders = [{ name: 'random', engine: 'ts' as const, kind: 'random', options: {} }];
    expect(planJobs(contenders, problems(['sphere'], false), 3, 100).map((j) => j.seed)).toEqual([100, 101, 102]);
    expect(parseBenchArgs(['--first-seed', '100', '--seeds', '3'])).toMatchObject({ firstSeed: 100, seeds: 3 });
  });

  it('runs a variant of a slow kind among the slow ones', () => {
    const contenders = [
      { name: 'random', engine: 'ts' as const, kind: 'random', options: {} },
      { name: 'gp-bo-moderate', engine: 'ts' as const, kind: 'gp-bo', options: { noise_prior: 'moderate' } },
    ];
    expect(planJobs(contenders, problems(['sphere'], false), 1)[0].contender.name).toBe('gp-bo-moderate');
  });

  it('reads a variant as NAME=KIND:JSON and refuses anything else with the expected form', () => {
    expect(parseVariant('gp-bo-moderate=gp-bo:{"noise_prior":"moderate"}')).toEqual({ name: 'gp-bo-moderate', kind: 'gp-bo', options: { noise_prior: 'moderate' } });
    expect(parseBenchArgs(['--variant', 'a=gp-bo:{}', '--variant', 'b=turbo:{"restarts":1}'])).toMatchObject({ variants: [{ name: 'a' }, { name: 'b' }] });
    expect(() => parseVariant('gp-bo:{}')).toThrow(/NAME=KIND/);
    expect(() => parseVariant('x=gp-bo:{noise_prior: low}')).toThrow(/not JSON/);
    expect(() => parseVariant('x=gp-bo:[1]')).toThrow(/JSON object/);
  });

  it("completes a variant's options from the schema's defaults and refuses options the schema does not allow", () => {
    expect(resolveOptions('gp-bo', { noise_prior: 'moderate' })).toMatchObject({ noise_prior: 'moderate', acquisition: 'log-ei', lengthscale_spread: 0.25 });
    expect(() => resolveOptions('gp-bo', { noise_prior: 'loud' })).toThrow(/noise_prior/);
    expect(() => resolveOptions('gp-bo', { lengthscale: 2 })).toThrow(/lengthscale/);
  });

  it('leaves BENCHMARKS.md alone with --no-write and in a quick run', () => {
    expect(parseBenchArgs([])).toMatchObject({ write: true });
    expect(parseBenchArgs(['--no-write'])).toMatchObject({ write: false });
    expect(parseBenchArgs(['--quick'])).toMatchObject({ write: false });
  });

  it('prices a plan at past CPU times per run, spread over the workers, and names optimizers it cannot price', () => {
    const contenders = [
      { name: 'gp-bo', engine: 'ts' as const, kind: 'gp-bo', options: {} },
      { name: 'random', engine: 'ts' as const, kind: 'random', options: {} },
      { name: 'pgpe', engine: 'ts' as const, kind: 'pgpe', options: {} },
    ];
    const jobs = planJobs(contenders, problems(['sphere'], false), 10);
    const past = { file: 'x.json', budget: 200, cpuSeconds: { 'gp-bo': 40, random: 0.5 } };
    expect(estimateSeconds(jobs, past, 2)).toEqual({ seconds: (10 * 40 + 10 * 0.5) / 2, unknown: ['pgpe'] });
  });

  it('prices remaining runs by their optimizer: measured mean, else the past time, else the mean of all', () => {
    const contenders = ['a', 'b', 'c'].map((name) => ({ name, engine: 'ts' as const, kind: name, options: {} }));
    const jobs = planJobs(contenders, problems(['sphere'], false), 3);
    const quiet = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
    const progress = new Progress(jobs, 2, { b: 10 }, quiet);
    progress.done(jobs[0], { optimizer: 'a', problem: 'sphere', seed: 0, best: [0], seconds: 4 });
    expect(progress.eta()).toBe((2 * 4 + 3 * 10 + 3 * 4) / 2);
  });

  it('gives noisy variants the family noise level', () => {
    expect(problems(['levy'], true)).toEqual([
      { label: 'levy', function: 'levy', noiseSd: 0 },
      { label: 'levy+noise', function: 'levy', noiseSd: 30 },
    ]);
  });
});

describe('benchmark report', () => {
  it('formats values to three significant digits', () => {
    expect(formatValue(-123.456)).toBe('-123');
    expect(formatValue(-0.0123456)).toBe('-0.0123');
    expect(formatValue(-2.76e7)).toBe('-2.76e7');
    expect(formatValue(0)).toBe('0');
  });

  it('replaces only the text between the markers', () => {
    const doc = 'intro\n<!-- s -->\nold\n<!-- e -->\nafter\n';
    expect(replaceBetweenMarkers(doc, '<!-- s -->', '<!-- e -->', 'new')).toBe('intro\n<!-- s -->\nnew\n<!-- e -->\nafter\n');
  });

  it('refuses a document without the markers', () => {
    expect(() => replaceBetweenMarkers('no markers', '<!-- s -->', '<!-- e -->', 'x')).toThrow(/markers/);
  });
});
