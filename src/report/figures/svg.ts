import { esc } from '../escape.js';

const FONT = "DejaVu Sans, Helvetica, Arial, sans-serif";

/** A complete standalone SVG document (white background, so its PNG is not transparent). */
export function svgDocument(width: number, height: number, title: string, body: string): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12" role="img">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    body,
    '</svg>',
  ].join('\n');
}

/** Coordinates with two decimals: enough for screens, and stable across platforms. */
export function px(v: number): string {
  return (Math.round(v * 100) / 100).toString();
}

export function text(x: number, y: number, content: string, attrs = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attrs ? ` ${attrs}` : ''}>${esc(content)}</text>`;
}
