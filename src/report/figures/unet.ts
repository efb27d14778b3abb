import type { BlockPreset } from '../../space/presets.js';
import { textColorOn, weightColor } from './palette.js';
import { px, svgDocument, text } from './svg.js';

export interface UnetSpec {
  title: string;
  preset: BlockPreset;
  weights: Readonly<Record<string, number>>;
  /** Blocks the search held fixed (drawn dashed). */
  frozen: ReadonlySet<string>;
  /** The weight range the colours span: lo is all model A, hi all model B. */
  range: [number, number];
}

const BOX = { w: 104, h: 22 };
/** TIME_EMBED and the like need a wider box than IN00. */
const boxWidth = (block: string) => (block.length > 5 ? 140 : BOX.w);
const ROW = 27;

/**
 * A recipe drawn as the UNet it merges: the IN blocks step down on the left, the middle block sits
 * at the bottom, the OUT blocks climb back up on the right, each filled by its weight. Dashed
 * lines are the skip connections (IN i feeds OUT n−1−i). TIME_EMBED, OUT and BASE (the text
 * encoder) sit above, where the preset has them.
 */
export function unetDiagram(spec: UnetSpec): string {
  const width = 780;
  const blocks = new Set(spec.preset.blocks);
  const inputs = spec.preset.blocks.filter((b) => /^IN\d+$/.test(b));
  const outputs = spec.preset.blocks.filter((b) => /^OUT\d+$/.test(b));
  const n = inputs.length;
  const top = 84;
  const center = width / 2;
  const stepX = n > 1 ? (center - 30 - BOX.w - 36) / (n - 1) : 0;
  const height = top + (n + 1) * ROW + 70;

  const at = new Map<string, { x: number; y: number }>();
  inputs.forEach((b, i) => at.set(b, { x: 36 + i * stepX, y: top + i * ROW }));
  outputs.forEach((b, j) => at.set(b, { x: width - 36 - BOX.w - (n - 1 - j) * stepX, y: top + (n - 1 - j) * ROW }));
  if (blocks.has('M00')) at.set('M00', { x: center - BOX.w / 2, y: top + n * ROW });
  const extrasY = 46;
  if (blocks.has('TIME_EMBED')) at.set('TIME_EMBED', { x: 36, y: extrasY });
  if (blocks.has('BASE')) at.set('BASE', { x: center - BOX.w / 2, y: extrasY });
  if (blocks.has('OUT')) at.set('OUT', { x: width - 36 - boxWidth('OUT'), y: extrasY });

  const parts: string[] = [text(16, 24, spec.title, 'font-size="15" font-weight="bold"')];
  inputs.forEach((b, i) => {
    const partner = outputs[n - 1 - i];
    const from = at.get(b)!;
    const to = partner ? at.get(partner) : undefined;
    if (to) parts.push(`<line x1="${px(from.x + BOX.w)}" x2="${px(to.x)}" y1="${px(from.y + BOX.h / 2)}" y2="${px(to.y + BOX.h / 2)}" stroke="#b9b9b9" stroke-dasharray="3 3"/>`);
  });
  const chain = [...inputs, ...(blocks.has('M00') ? ['M00'] : []), ...outputs];
  for (let k = 1; k < chain.length; k++) {
    const a = at.get(chain[k - 1])!;
    const b = at.get(chain[k])!;
    parts.push(`<line x1="${px(a.x + BOX.w / 2)}" y1="${px(a.y + BOX.h / 2)}" x2="${px(b.x + BOX.w / 2)}" y2="${px(b.y + BOX.h / 2)}" stroke="#888" stroke-width="1.2"/>`);
  }
  if (blocks.has('BASE')) parts.push(text(center, extrasY - 6, 'text encoder', 'text-anchor="middle" font-size="10" fill="#666"'));
  for (const [block, { x, y }] of at) {
    const w = spec.weights[block];
    const fill = w === undefined ? '#ffffff' : weightColor(w, spec.range[0], spec.range[1]);
    const frozen = spec.frozen.has(block);
    parts.push(
      `<g class="block" data-block="${block}"><rect x="${px(x)}" y="${px(y)}" width="${boxWidth(block)}" height="${BOX.h}" rx="4" fill="${fill}" stroke="${frozen ? '#555' : '#333'}"${frozen ? ' stroke-dasharray="4 2"' : ''}/>`,
      text(x + 6, y + 15, block, `font-size="11" font-weight="bold" fill="${textColorOn(fill)}"`),
      text(x + boxWidth(block) - 6, y + 15, w === undefined ? '—' : formatWeight(w), `font-size="11" text-anchor="end" fill="${textColorOn(fill)}"`),
      '</g>',
    );
  }

  const legendY = height - 36;
  const legendX = center - 150;
  for (let k = 0; k <= 20; k++) {
    const v = spec.range[0] + ((spec.range[1] - spec.range[0]) * k) / 20;
    parts.push(`<rect x="${px(legendX + k * 15)}" y="${legendY}" width="15" height="10" fill="${weightColor(v, spec.range[0], spec.range[1])}"/>`);
  }
  parts.push(
    text(legendX - 8, legendY + 9, `${formatWeight(spec.range[0])} model A`, 'text-anchor="end" font-size="11"'),
    text(legendX + 21 * 15 + 8, legendY + 9, `${formatWeight(spec.range[1])} model B`, 'font-size="11"'),
    text(center, legendY + 28, 'dashed box: frozen block · dashed line: skip connection', 'text-anchor="middle" font-size="10" fill="#666"'),
  );
  return svgDocument(width, height, spec.title, parts.join('\n'));
}

function formatWeight(v: number): string {
  return Number(v.toFixed(3)).toString();
}
