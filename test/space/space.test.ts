import { describe, expect, it } from 'vitest';
import { SearchSpace, SpaceConfigError } from '../../src/space/space.js';
import { PRESETS } from '../../src/space/presets.js';

const space = (extra: Partial<Parameters<typeof SearchSpace.fromConfig>[0]> = {}) =>
  SearchSpace.fromConfig({ preset: 'sd1-27', bounds: [0, 1], ...extra });

describe('SearchSpace', () => {
  it('has one variable per block of the preset by default, in preset order', () => {
    const s = space();
    expect(s.dim).toBe(27);
    expect(s.names).toEqual(PRESETS['sd1-27'].blocks);
  });

  it('maps the unit cube linearly onto each range', () => {
    const s = space({ bounds: [-1, 2], ranges: { M00: [0.2, 0.4] } });
    const x = new Array(27).fill(0.5);
    const w = s.toWeights(x);
    expect(w.IN00).toBe(0.5);
    expect(w.M00).toBeCloseTo(0.3, 12);
  });

  it('hides frozen blocks from the optimizer and reports their fixed weight', () => {
    const s = space({ freeze: { OUT: 0, TIME_EMBED: 1 } });
    expect(s.dim).toBe(25);
    expect(s.names).not.toContain('OUT');
    const w = s.toWeights(new Array(25).fill(0.25));
    expect(w.OUT).toBe(0);
    expect(w.TIME_EMBED).toBe(1);
    expect(Object.keys(w)).toEqual(PRESETS['sd1-27'].blocks);
  });

  it('drives all members of a group with one variable placed at its first member', () => {
    const s = space({ groups: { deep: [ 'IN11', 'IN10', 'M00'] } });
    expect(s.dim).toBe(25);
    expect(s.names.indexOf('deep')).toBe(10);
    const x = s.names.map((n) => (n === 'deep' ? 0.7 : 0));
    const w = s.toWeights(x);
    expect([w.IN10, w.IN11, w.M00]).toEqual([0.7, 0.7, 0.7]);
  });

  it('gives a group the range set for its name', () => {
    const s = space({ groups: { g: ['IN00', 'IN01'] }, ranges: { g: [0.5, 1] } });
    expect(s.variables[0]).toMatchObject({ name: 'g', min: 0.5, max: 1 });
  });

  it('quantizes weights to the step and snaps unit points onto the same grid', () => {
    const s = space({ step: 0.1 });
    const x = new Array(27).fill(0.1234);
    expect(s.toWeights(x).IN00).toBe(0.1);
    const snapped = s.snap(x);
    expect(snapped[0]).toBeCloseTo(0.1, 12);
    expect(s.toWeights(snapped)).toEqual(s.toWeights(x));
  });

  it('lets a range carry its own step', () => {
    const s = space({ ranges: { IN00: { min: 0, max: 1, step: 0.25 } } });
    expect(s.valueOf(0, 0.3)).toBe(0.25);
    expect(s.valueOf(1, 0.3)).toBe(0.3);
  });

  it('round-trips weights through the unit cube', () => {
    const s = space({ bounds: [-1, 2], freeze: { OUT: 0.5 }, groups: { g: ['OUT00', 'OUT01'] }, step: 0.05 });
    const x = s.snap(s.names.map((_, i) => (i * 0.137) % 1));
    const w = s.toWeights(x);
    const back = s.fromWeights(w);
    back.forEach((u, i) => expect(u).toBeCloseTo(x[i], 12));
  });

  it('refuses a recipe whose group members disagree', () => {
    const s = space({ groups: { g: ['OUT00', 'OUT01'] } });
    const w = s.toWeights(new Array(s.dim).fill(0.5));
    w.OUT01 = 0.6;
    expect(() => s.fromWeights(w)).toThrow(/group g needs equal weights/);
  });

  it('refuses a recipe outside the range instead of clipping it', () => {
    const s = space();
    const w = s.toWeights(new Array(27).fill(0.5));
    w.M00 = 1.5;
    expect(() => s.fromWeights(w)).toThrow(/outside its range/);
  });

  it('clamps unit points outside the cube', () => {
    const s = space();
    const w = s.toWeights([-0.5, 1.5, ...new Array(25).fill(0.5)]);
    expect([w.IN00, w.IN01]).toEqual([0, 1]);
  });

  it('rejects a bad config with every issue located under space', () => {
    try {
      space({ freeze: { NOPE: 1 }, groups: { g: ['IN00'] } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpaceConfigError);
      const paths = (e as SpaceConfigError).issues.map((i) => i.path.join('.'));
      expect(paths).toEqual(['space.freeze.NOPE', 'space.groups.g']);
    }
  });

  it('refuses to freeze every block', () => {
    const freeze = Object.fromEntries(PRESETS['sd1-27'].blocks.map((b) => [b, 0]));
    expect(() => space({ freeze })).toThrow(/nothing is left to search/);
  });
});
