import { esc } from './escape.js';
import { VERSION } from '../version.js';

const STYLE = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; background: #fafafa; margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; overflow-wrap: anywhere; }
h2 { font-size: 18px; margin: 32px 0 10px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
p.sub { color: #555; margin: 0 0 16px; overflow-wrap: anywhere; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 12px 0; }
figure svg { max-width: 100%; height: auto; }
pre { background: #f5f5f5; padding: 8px 10px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #666; font-size: 13px; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(180px, 1fr)); gap: 12px; }
.gallery figure { margin: 0; font-size: 12px; color: #444; }
.gallery img { width: 100%; height: auto; border: 1px solid #ddd; }
div.wide { overflow-x: auto; max-height: 720px; overflow-y: auto; }
table.trials { font-size: 11px; }
table.trials td, table.trials th { padding: 2px 6px; }
table.trials thead th { position: sticky; top: 0; }
tr.best td { background: #fff4e6; }
td.thumbs { white-space: nowrap; }
td.thumbs img { width: 40px; height: 40px; object-fit: cover; margin-right: 2px; border: 1px solid #ddd; }
table.side-by-side td { text-align: center; }
table.side-by-side img { width: 96px; height: 96px; object-fit: cover; margin: 2px; border: 1px solid #ddd; }
footer { margin-top: 40px; color: #888; font-size: 12px; }
`;

/**
 * A complete, self-contained HTML page: inline CSS, inline SVG, images as data: URIs, no script.
 * The content security policy forbids every fetch, so nothing in it can reach the network.
 */
export function htmlPage(title: string, subtitle: string | undefined, sections: readonly string[]): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${esc(title)}</h1>
${subtitle ? `<p class="sub">${esc(subtitle)}</p>` : ''}
${sections.join('\n')}
<footer>Written by autombw ${esc(VERSION)} on ${esc(new Date().toISOString().slice(0, 16).replace('T', ' '))} UTC.</footer>
</main>
</body>
</html>
`;
}

export function section(id: string, title: string, body: string): string {
  return `<section id="${esc(id)}">\n<h2>${esc(title)}</h2>\n${body}\n</section>`;
}

/** An HTML table; cells are escaped here, `numeric` columns are right-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>, numeric: ReadonlySet<number> = new Set()): string {
  const cls = (i: number) => (numeric.has(i) ? ' class="num"' : '');
  return [
    '<table>',
    `<thead><tr>${header.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr></thead>`,
    `<tbody>${rows.map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`).join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

export function facts(items: ReadonlyArray<readonly [string, string]>): string {
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
}

export function figure(name: string, svg: string): string {
  return `<figure id="figure-${esc(name)}">${svg}</figure>`;
}
