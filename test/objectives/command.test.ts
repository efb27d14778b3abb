import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { CommandObjective } from '../../src/objectives/command.js';
import { EvaluationError } from '../../src/objectives/types.js';
import { writeTree } from '../support/tmp.js';

const weights = { IN00: 0.25, M00: 0.5 };
const ctx = (signal = new AbortController().signal) => ({ trial: 3, signal, runDir: '/tmp' });

/** A command objective running `node script.mjs` with the given script body. */
function objective(script: string, timeoutSeconds = 10) {
  const dir = writeTree({ 'script.mjs': script });
  return new CommandObjective([process.execPath, path.join(dir, 'script.mjs')], dir, timeoutSeconds, 1, {});
}

const READ_INPUT = `let input = ''; for await (const c of process.stdin) input += c; const { trial, weights } = JSON.parse(input);`;

describe('command objective', () => {
  it('passes trial and named weights as JSON on stdin and reads a plain number', async () => {
    const o = objective(`${READ_INPUT} console.log(weights.IN00 + weights.M00 + trial);`);
    expect(await o.evaluate(weights, ctx())).toEqual({ value: 3.75 });
  });

  it('reads JSON with value and details', async () => {
    const o = objective(`${READ_INPUT} console.log(JSON.stringify({ value: 1.5, details: { payloads: [1, 2] } }));`);
    expect(await o.evaluate(weights, ctx())).toEqual({ value: 1.5, details: { payloads: [1, 2] } });
  });

  it('takes the last line when the program logs before its answer', async () => {
    const o = objective(`console.log('loading model...'); console.log('0.75');`);
    expect(await o.evaluate(weights, ctx())).toEqual({ value: 0.75 });
  });

  const failures: Array<[string, string, RegExp]> = [
    ['a non-zero exit, with the end of stderr', `console.error('CUDA out of memory'); process.exit(3);`, /exited with 3; stderr: CUDA out of memory/],
    ['garbage on stdout', `console.log('not a score at all');`, /not a number or JSON: "not a score at all"/],
    ['no output', ``, /printed nothing/],
    ['NaN', `console.log('NaN');`, /not a number or JSON/],
    ['a non-finite value in JSON', `console.log('{"value": 1e999}');`, /non-finite value \(Infinity\)/],
    ['JSON without a value', `console.log(JSON.stringify({ score: 1 }));`, /expected a number or \{"value"/],
    ['a value that is not a number', `console.log(JSON.stringify({ value: "high" }));`, /"value" that is not a number/],
  ];
  for (const [what, script, message] of failures) {
    it(`fails the trial on ${what}`, async () => {
      const err = await objective(script).evaluate(weights, ctx()).catch((e) => e);
      expect(err).toBeInstanceOf(EvaluationError);
      expect(err.message).toMatch(message);
    });
  }

  it('kills a program that runs past its timeout, with its children', async () => {
    const o = objective(`setInterval(() => {}, 1000);`, 0.3);
    const started = Date.now();
    await expect(o.evaluate(weights, ctx())).rejects.toThrow(/timed out after 0\.3s/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails clearly when the program does not exist', async () => {
    const o = new CommandObjective(['/nonexistent/scorer'], '/tmp', 5, 1, {});
    await expect(o.evaluate(weights, ctx())).rejects.toThrow(/command not found: \/nonexistent\/scorer/);
  });

  it('runs without a shell: shell syntax in arguments stays literal', async () => {
    const dir = writeTree({ 'echo.mjs': `console.log(JSON.stringify({ value: process.argv.length, details: { args: process.argv.slice(2) } }));` });
    const o = new CommandObjective([process.execPath, path.join(dir, 'echo.mjs'), '$(touch pwned)', '; rm -rf /', '`id`'], dir, 5, 1, {});
    const r = await o.evaluate(weights, ctx());
    expect(r.details).toEqual({ args: ['$(touch pwned)', '; rm -rf /', '`id`'] });
  });

  it('stops the program when the run is interrupted', async () => {
    const ac = new AbortController();
    const o = objective(`setInterval(() => {}, 1000);`);
    const p = o.evaluate(weights, ctx(ac.signal));
    setTimeout(() => ac.abort(), 100);
    await expect(p).rejects.toThrow(/interrupted/);
  });
});
