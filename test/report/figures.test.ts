import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { barChart } from '../../src/report/figures/bar-chart.js';
import { weightColor } from '../../src/report/figures/palette.js';
import { niceTicks } from '../../src/report/figures/scale.js';
import { unetDiagram } from '../../src/report/figures/unet.js';
import { xyChart } from '../../src/report/figures/xy-chart.js';
import { getPreset, PRESETS } from '../../src/space/presets.js';
import { esc } from '../../src/report/escape.js';

/** librsvg (through sharp) rejects malformed XML, so rendering is a well-formedness check. */
async function renders(svg: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(Buffer.from(svg)).metadata();
  return { width: meta.width!, height: meta.height! };
}

describe('escaping', () => {
  it('turns markup characters into entities and drops characters XML forbids', () => {
    expect(esc(`<a href="x">'&'</a>\u0000\u0007ok\ttab`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;ok\ttab');
  });
});

describe('axis ticks', () => {
  it.each([[0, 1], [-13.7, -2.1], [0.0012, 0.0049], [3, 3], [-1e6, 5e6]])('cover [%d, %d] with round steps', (lo, hi) => {
    const { ticks, domain } = niceTicks(lo, hi, 6);
    expect(domain[0]).toBeLessThanOrEqual(lo);
    expect(domain[1]).toBeGreaterThanOrEqual(hi);
    const step = ticks[1] - ticks[0];
    const mantissa = step / 10 ** Math.floor(Math.log10(step) + 1e-9);
    expect([1, 2, 5].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
    expect(ticks.length).toBeLessThanOrEqual(14);
  });
});

describe('charts', () => {
  it('a line chart with bands, dots, failures and hostile series names is well-formed SVG', async () => {
    const svg = xyChart({
      title: 'a <title> & more',
      xLabel: 'evaluation',
      yLabel: 'value',
      series: [
        { name: '<script>', color: '#123456', band: [[1, 0, 2], [2, 1, 3]], line: { points: [[1, 1], [2, 2]] } },
        { name: 'dots "quoted"', color: '#654321', dots: [[1, 5]], failures: [2] },
      ],
    });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('data-series="&lt;script&gt;"');
    expect(await renders(svg)).toEqual({ width: 780, height: 380 });
  });

  it('says so when there is nothing to plot', async () => {
    const svg = xyChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [{ name: 's', color: '#000000', failures: [1, 2] }] });
    expect(svg).toContain('no successful evaluations yet');
    await renders(svg);
  });

  it('a bar chart grows with its rows and draws negative bars left of zero', async () => {
    const svg = barChart({ title: 'bars', xLabel: 'x', labels: ['a', 'b', 'c'], series: [{ name: 's', color: '#4e79a7', values: [-2, 1, 3] }] });
    const bars = [...svg.matchAll(/<rect class="bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const zero = Number(/<line x1="([\d.]+)" x2="\1" y1="\d+" y2="\d+" stroke="#666"\/>/.exec(svg)![1]);
    expect(bars[0][0] + bars[0][1]).toBeCloseTo(zero, 1);
    expect(bars[1][0]).toBeCloseTo(zero, 1);
    expect((await renders(svg)).height).toBeGreaterThan(100);
  });
});

describe('UNet diagram', () => {
  it.each(Object.keys(PRESETS))('%s: one box per block of the preset, well-formed', async (id) => {
    const preset = getPreset(id)!;
    const weights = Object.fromEntries(preset.blocks.map((b, i) => [b, i / preset.blocks.length]));
    const svg = unetDiagram({ title: id, preset, weights, frozen: new Set([preset.blocks[0]]), range: [0, 1] });
    const drawn = [...svg.matchAll(/data-block="([A-Z0-9_]+)"/g)].map((m) => m[1]);
    expect(drawn.sort()).toEqual([...preset.blocks].sort());
    await renders(svg);
  });

  it('puts the IN blocks down the left, M00 lowest, the OUT blocks up the right', () => {
    const preset = getPreset('sd1-27')!;
    const svg = unetDiagram({ title: 'u', preset, weights: {}, frozen: new Set(), range: [0, 1] });
    const at = (b: string) => {
      const m = new RegExp(`data-block="${b}"><rect x="([\\d.]+)" y="([\\d.]+)"`).exec(svg)!;
      return { x: Number(m[1]), y: Number(m[2]) };
    };
    expect(at('IN00').y).toBeLessThan(at('IN11').y);
    expect(at('IN11').y).toBeLessThan(at('M00').y);
    expect(at('OUT00').y).toBeGreaterThan(at('OUT11').y);
    expect(at('IN05').x).toBeLessThan(at('M00').x);
    expect(at('OUT05').x).toBeGreaterThan(at('M00').x);
    expect(at('IN03').y).toBe(at('OUT08').y); // the skip connection's ends face each other
  });

  it('colours model A blue, an even mix near white, model B orange', () => {
    expect(weightColor(0)).toBe('#3b6fb6');
    expect(weightColor(0.5)).toBe('#f2f2f2');
    expect(weightColor(1)).toBe('#e07b39');
    expect(weightColor(7, 0, 1)).toBe('#e07b39');
  });
});
