import { describe, expect, it } from 'vitest';
import { OPTIMIZERS } from '../../src/optimizers/registry.js';
import { seriesColor } from '../../src/report/figures/palette.js';

/** CIE L*a*b* of a #rrggbb colour (sRGB, D65). */
function lab(hex: string): [number, number, number] {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883].map(f);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

describe('series colours', () => {
  const kinds = Object.keys(OPTIMIZERS);
  const colors = kinds.map((_, i) => seriesColor(i));

  it('give a comparison of every optimizer kind a different colour for each', () => {
    expect(new Set(colors).size).toBe(kinds.length);
  });

  it('keep every two of those colours clearly apart (CIE76 ΔE of at least 25)', () => {
    for (let i = 0; i < colors.length; i++) {
      for (let j = i + 1; j < colors.length; j++) {
        const [a, b] = [lab(colors[i]), lab(colors[j])];
        const distance = Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        expect(distance, `${colors[i]} vs ${colors[j]}`).toBeGreaterThanOrEqual(25);
      }
    }
  });
});
