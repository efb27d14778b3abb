import { describe, expect, it } from 'vitest';
import { activeIndices } from '../../src/objectives/functions/few-blocks.js';
import { runImportance } from '../../src/report/importance.js';
import { readRun } from '../../src/report/run-data.js';
import { getPreset } from '../../src/space/presets.js';
import { runFixture } from './support.js';

const experiment = (budget: number) => `seed: 4
space: {preset: sd1-27}
objective: {kind: function, function: few-blocks}
optimizer: {kind: random}
stop: {budget: ${budget}}
`;

describe('parameter importance', () => {
  it('finds the blocks a few-blocks landscape depends on, by lengthscale and by permutation alike', async () => {
    const run = readRun(await runFixture({ 'exp.yaml': experiment(60) }));
    const importance = runImportance(run)!;
    const active = activeIndices(27).map((i) => getPreset('sd1-27')!.blocks[i]).sort();
    const top = (shares: number[]) => importance.names.map((n, i) => ({ n, s: shares[i] })).sort((a, b) => b.s - a.s).slice(0, active.length).map((x) => x.n).sort();
    expect(top(importance.ard)).toEqual(active);
    expect(top(importance.permutation)).toEqual(active);
    expect(importance.ard.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(importance.trials).toBe(60);
  });

  it('is left out with too few trials to say anything', async () => {
    expect(runImportance(readRun(await runFixture({ 'exp.yaml': experiment(6) })))).toBeUndefined();
  });
});
