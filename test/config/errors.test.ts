import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { loadExperiment } from '../../src/config/load.js';
import { UserInputError } from '../../src/config/issues.js';
import { writeTree } from '../support/tmp.js';

const VALID = `name: t
seed: 1
space:
  preset: sd1-27
objective:
  kind: function
  function: sphere
optimizer:
  kind: random
stop:
  budget: 10
`;

/** Loads `yaml` as exp.yaml (with `extra` files beside it) and returns the error lines. */
async function errorsOf(yaml: string, extra: Record<string, string> = {}): Promise<string[]> {
  const dir = writeTree({ 'exp.yaml': yaml, ...extra });
  try {
    await loadExperiment(path.join(dir, 'exp.yaml'));
  } catch (e) {
    if (e instanceof UserInputError) return e.issues.map((l) => l.replace(dir + path.sep, ''));
    throw e;
  }
  return [];
}

describe('experiment errors point at file:line:col with the path and what was expected', () => {
  it('accepts the valid base config', async () => {
    expect(await errorsOf(VALID)).toEqual([]);
  });

  const cases: Array<{ what: string; yaml: string; expect: RegExp; extra?: Record<string, string> }> = [
    { what: 'YAML syntax: bad indentation', yaml: 'space:\n  preset: sd1-27\n bad: 1\n', expect: /^exp\.yaml:3:\d+: YAML syntax error/ },
    { what: 'YAML syntax: unclosed flow sequence', yaml: 'space:\n  bounds: [0, 1\n', expect: /^exp\.yaml:\d+:\d+: YAML syntax error/ },
    { what: 'YAML syntax: duplicate key', yaml: VALID.replace('seed: 1', 'seed: 1\nseed: 2'), expect: /^exp\.yaml:3:1: YAML syntax error: .*unique/i },
    { what: 'top level is not a mapping', yaml: '- 1\n- 2\n', expect: /^exp\.yaml:1:1: \(top level\): expected a mapping/ },
    { what: 'unknown top-level key with a hint', yaml: VALID.replace('seed: 1', 'sed: 1'), expect: /^exp\.yaml:2:1: sed: unknown key "sed" \(did you mean "seed"\?\)/ },
    { what: 'missing required section', yaml: VALID.replace(/optimizer:\n  kind: random\n/, ''), expect: /^exp\.yaml:1:1: \(top level\): missing required key "optimizer"/ },
    { what: 'seed of the wrong type', yaml: VALID.replace('seed: 1', 'seed: abc'), expect: /^exp\.yaml:2:7: seed: expected an integer, got "abc"/ },
    { what: 'unknown preset with a hint', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-72'), expect: /^exp\.yaml:4:11: space\.preset: unknown preset "sd1-72".*did you mean/ },
    { what: 'unknown key in space', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  freze: {IN00: 0}'), expect: /^exp\.yaml:5:3: space\.freze: unknown key "freze" \(did you mean "freeze"\?\)/ },
    { what: 'bounds with three items', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  bounds: [0, 1, 2]'), expect: /^exp\.yaml:5:11: space\.bounds: expected at most 2 items/ },
    { what: 'bounds out of order', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  bounds: [1, 0]'), expect: /^exp\.yaml:5:11: space\.bounds: range \[1, 0\] must have min < max/ },
    { what: 'range for an unknown block', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  ranges:\n    IN13: [0, 1]'), expect: /^exp\.yaml:6:11: space\.ranges\.IN13: unknown block "IN13".*did you mean "IN11"|IN10|IN03/ },
    { what: 'range given as an object with a typo', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  ranges:\n    IN01: {min: 0, mx: 1}'), expect: /^exp\.yaml:6:\d+: space\.ranges\.IN01/ },
    { what: 'range min above max', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  ranges:\n    OUT05: [0.9, 0.1]'), expect: /^exp\.yaml:6:12: space\.ranges\.OUT05: range \[0\.9, 0\.1\] must have min < max/ },
    { what: 'freeze of an unknown block', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  freeze:\n    BASE: 0'), expect: /^exp\.yaml:6:11: space\.freeze\.BASE: unknown block "BASE" for preset sd1-27/ },
    { what: 'frozen weight not a number', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  freeze:\n    M00: high'), expect: /^exp\.yaml:6:10: space\.freeze\.M00: expected a number, got "high"/ },
    { what: 'group member unknown', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  groups:\n    low: [IN00, IN99]'), expect: /^exp\.yaml:6:17: space\.groups\.low\[1\]: unknown block "IN99"/ },
    { what: 'group member frozen', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  freeze: {IN01: 0}\n  groups:\n    low: [IN00, IN01]'), expect: /^exp\.yaml:7:17: space\.groups\.low\[1\]: block IN01 is frozen/ },
    { what: 'block in two groups', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  groups:\n    a: [IN00, IN01]\n    b: [IN01, IN02]'), expect: /^exp\.yaml:7:9: space\.groups\.b\[0\]: block IN01 is already in group "a"/ },
    { what: 'step that does not divide the range', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  step: 0.3'), expect: /^exp\.yaml:\d+:\d+: space\.bounds: step 0\.3 does not divide the range \[0, 1\]/ },
    { what: 'negative step', yaml: VALID.replace('preset: sd1-27', 'preset: sd1-27\n  step: -0.1'), expect: /^exp\.yaml:5:9: space\.step: expected a number > 0, got -0\.1/ },
    { what: 'unknown objective kind with a hint', yaml: VALID.replace('kind: function', 'kind: functoin'), expect: /^exp\.yaml:6:9: objective\.kind: expected one of merge, function, command, module; got "functoin" \(did you mean "function"\?\)/ },
    { what: 'unknown benchmark function', yaml: VALID.replace('function: sphere', 'function: spere'), expect: /^exp\.yaml:7:13: objective\.function: expected one of .*got "spere" \(did you mean "sphere"\?\)/ },
    { what: 'unknown key in a function objective', yaml: VALID.replace('function: sphere', 'function: sphere\n  noize: 1'), expect: /^exp\.yaml:8:3: objective\.noize: unknown key "noize" \(did you mean "noise"\?\)/ },
    { what: 'command objective with an empty argv', yaml: VALID.replace('kind: function\n  function: sphere', 'kind: command\n  command: []'), expect: /^exp\.yaml:7:12: objective\.command: expected at least 1 items/ },
    { what: 'command program missing', yaml: VALID.replace('kind: function\n  function: sphere', 'kind: command\n  command: [./nope.sh]'), expect: /^exp\.yaml:7:13: objective\.command\[0\]: program not found: nope\.sh/ },
    { what: 'bad timeout string', yaml: VALID.replace('kind: function\n  function: sphere', 'kind: command\n  command: [node]\n  timeout: soon'), expect: /^exp\.yaml:8:12: objective\.timeout: "soon" is not in the expected form \(a duration like/ },
    { what: 'module file missing', yaml: VALID.replace('kind: function\n  function: sphere', 'kind: module\n  module: ./missing.ts'), expect: /^exp\.yaml:7:11: objective\.module: module not found: missing\.ts/ },
    { what: 'unknown optimizer kind with a hint', yaml: VALID.replace('kind: random', 'kind: randm'), expect: /^exp\.yaml:9:9: optimizer\.kind: expected one of .*got "randm" \(did you mean "random"\?\)/ },
    { what: 'unknown optimizer option', yaml: VALID.replace('kind: random', 'kind: random\n  options: {speed: 3}'), expect: /^exp\.yaml:10:13: optimizer\.options\.speed: unknown key "speed"/ },
    { what: 'initial design larger than the budget', yaml: VALID.replace('kind: random', 'kind: random\n  initial: {design: sobol, n: 20}'), expect: /^exp\.yaml:10:31: optimizer\.initial\.n: initial design \(20\) plus warm starts \(0\) exceed the budget \(10\)/ },
    { what: 'unknown design', yaml: VALID.replace('kind: random', 'kind: random\n  initial: {design: grid}'), expect: /^exp\.yaml:10:21: optimizer\.initial\.design: expected one of sobol, lhs, random; got "grid"/ },
    { what: 'zero budget', yaml: VALID.replace('budget: 10', 'budget: 0'), expect: /^exp\.yaml:11:11: stop\.budget: expected a number >= 1, got 0/ },
    { what: 'no budget anywhere', yaml: VALID.replace('stop:\n  budget: 10\n', ''), expect: /^exp\.yaml:1:1: stop: no budget: set stop\.budget/ },
    { what: 'budgets that disagree', yaml: VALID.replace('kind: random', 'kind: random\n  budget: 20'), expect: /^exp\.yaml:10:11: optimizer\.budget: differs from stop\.budget \(10\)/ },
    { what: 'unknown stop key with a hint', yaml: VALID.replace('budget: 10', 'budget: 10\n  patients: 5'), expect: /^exp\.yaml:12:3: stop\.patients: unknown key "patients" \(did you mean "patience"\?\)/ },
    { what: 'bad time limit', yaml: VALID.replace('budget: 10', 'budget: 10\n  time_limit: 2 hours'), expect: /^exp\.yaml:12:15: stop\.time_limit: "2 hours" is not in the expected form/ },
    { what: 'warm start outside the range', yaml: VALID.replace('kind: random', 'kind: random\n  warm_start:\n    - {string: "2,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0", format: mbw-rt}'), expect: /^exp\.yaml:11:7: optimizer\.warm_start\[0\]: weight 2 for IN00 is outside its range \[0, 1\]/ },
    { what: 'warm start string of the wrong length', yaml: VALID.replace('kind: random', 'kind: random\n  warm_start:\n    - {string: "0.5,0.5", format: mbw-rt}'), expect: /^exp\.yaml:11:7: optimizer\.warm_start\[0\]: an auto-MBW-rt recipe has 27 values/ },
    { what: 'warm start file missing', yaml: VALID.replace('kind: random', 'kind: random\n  warm_start: [nothere.json]'), expect: /^exp\.yaml:10:16: optimizer\.warm_start\[0\]: cannot read recipe/ },
    { what: 'progress mode unknown', yaml: `${VALID}output:\n  progress: fancy\n`, expect: /^exp\.yaml:13:13: output\.progress: expected one of auto, bar, plain, none; got "fancy"/ },
    {
      what: 'error inside an included file points into that file',
      yaml: VALID.replace('space:\n  preset: sd1-27', 'space: !include space.yaml'),
      extra: { 'space.yaml': 'preset: sd1-27\nranges:\n  IN00: [1, 0]\n' },
      expect: /^space\.yaml:3:9: space\.ranges\.IN00: range \[1, 0\] must have min < max/,
    },
    { what: 'include of a missing file', yaml: VALID.replace('space:\n  preset: sd1-27', 'space: !include nope.yaml'), expect: /^exp\.yaml:3:17: space: !include nope\.yaml: file not found/ },
  ];

  for (const c of cases) {
    it(c.what, async () => {
      const lines = await errorsOf(c.yaml, c.extra);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).toMatch(c.expect);
    });
  }

  it('reports every problem of a file at once', async () => {
    const yaml = VALID.replace('seed: 1', 'seed: x').replace('budget: 10', 'budget: 0');
    const lines = await errorsOf(yaml);
    expect(lines).toHaveLength(2);
  });

  it('never includes a stack trace', async () => {
    const lines = await errorsOf('space: [\n');
    expect(lines.join('\n')).not.toMatch(/\n\s+at /);
  });
});
