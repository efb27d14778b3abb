/**
 * The dashboard's style sheet and script, served as /app.css and /app.js: no build step, no CDN,
 * nothing fetched from elsewhere. The script only puts server-escaped HTML into the page and
 * writes table cells as text.
 */

export const APP_CSS = `
:root { color-scheme: light; }
body { font-family: "DejaVu Sans", Helvetica, Arial, sans-serif; color: #1a1a1a; background: #f4f4f4; margin: 0; }
header { background: #23395b; color: #fff; padding: 8px 20px; font-size: 14px; }
header a { color: #fff; font-weight: bold; text-decoration: none; }
header .version { color: #b8c4d6; margin-left: 6px; }
.live { float: right; color: #b8c4d6; }
.live.on::before { content: "● "; color: #6fdc8c; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 48px; background: #fff; }
h1 { font-size: 22px; margin: 4px 0; overflow-wrap: anywhere; }
h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
h3 { margin: 4px 0 8px; font-size: 16px; }
h4 { margin: 10px 0 4px; font-size: 14px; }
p.sub { color: #555; margin: 0 0 12px; overflow-wrap: anywhere; }
.note { color: #666; font-size: 13px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 0; font-size: 14px; }
dl.facts dt { color: #555; }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; font-size: 13px; margin: 6px 0; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 8px 0; }
figure svg { max-width: 100%; height: auto; }
pre { background: #f5f5f5; padding: 6px 8px; font-size: 12px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 2px 0 8px; }
button { font-size: 12px; cursor: pointer; }
.status { padding: 1px 6px; border-radius: 3px; background: #e8e8e8; font-size: 12px; }
.status-running { background: #d6f0dc; color: #185c2a; }
.status-crashed, .status-error { background: #f8d7d4; color: #8a1c12; }
.status-interrupted { background: #fdf0c8; color: #6b5200; }
.wide { overflow: auto; max-height: 420px; border: 1px solid #e3e3e3; }
table.trials { font-size: 11.5px; margin: 0; }
table.trials th { position: sticky; top: 0; cursor: pointer; user-select: none; white-space: nowrap; }
table.trials th.sorted-up::after { content: " ▲"; }
table.trials th.sorted-down::after { content: " ▼"; }
table.trials td, table.trials th { padding: 2px 6px; }
table.trials tbody tr { cursor: pointer; }
table.trials tbody tr:hover td { background: #eef3fa; }
table.trials tr.selected td { background: #dce8f7; }
table.trials tr.best td:first-child { border-left: 3px solid #f28e2b; }
table.trials tr.failed td { color: #8a1c12; }
.controls { margin: 6px 0; }
.detail { border: 1px solid #d8dee8; background: #fbfcfe; padding: 10px 14px; margin: 8px 0; }
.detail .shots { display: flex; flex-wrap: wrap; gap: 8px; }
.detail figure { margin: 0; font-size: 12px; color: #444; }
.detail img { width: 160px; height: auto; border: 1px solid #ccc; image-rendering: auto; }
.detail .recipe { display: flex; gap: 12px; align-items: flex-start; flex-wrap: wrap; }
.detail .recipe figure { flex: 0 1 620px; }
table.weights { font-size: 11px; }
table.weights td, table.weights th { padding: 1px 6px; }
.noimage { width: 160px; height: 60px; background: #eee; color: #777; display: flex; align-items: center; justify-content: center; }
`;

export const APP_JS = `"use strict";
(() => {
  const body = document.body.dataset;
  const live = document.getElementById('live');
  const q = () => encodeURIComponent(body.dir || '');

  document.addEventListener('click', (e) => {
    const button = e.target.closest && e.target.closest('button.copy');
    if (!button) return;
    const pre = button.parentElement.nextElementSibling;
    navigator.clipboard.writeText(pre.textContent).then(() => { button.textContent = 'copied'; setTimeout(() => { button.textContent = 'copy'; }, 1500); }, () => { button.textContent = 'select and copy'; });
  });

  function setPanels(panels) {
    for (const [id, html] of Object.entries(panels || {})) {
      const el = document.getElementById('panel-' + id);
      if (el) el.innerHTML = html;
    }
  }

  function listen(url, onUpdate) {
    const source = new EventSource(url);
    source.addEventListener('open', () => { live.textContent = 'live'; live.classList.add('on'); });
    source.addEventListener('error', () => { live.textContent = 'reconnecting…'; live.classList.remove('on'); });
    source.addEventListener('update', (e) => onUpdate(JSON.parse(e.data)));
    return source;
  }

  if (body.kind === 'comparison') {
    listen('/api/compare/events?d=' + q(), (u) => setPanels(u.panels));
    return;
  }
  if (body.kind !== 'run') return;

  const LIMIT = 300;
  const fixed = [
    { key: 'id', label: 'trial', num: true },
    { key: 'status', label: 'status' },
    { key: 'value', label: 'value', num: true },
    { key: 'duration', label: 'seconds', num: true },
    { key: 'endpoint', label: 'server' },
    { key: 'origin', label: 'origin' },
  ];
  let columns = [];
  let rows = [];
  let best;
  let sort = { key: 'id', dir: 1 };
  let showAll = false;
  let selected;
  let pending = false;
  const table = document.getElementById('trials');
  const filter = document.getElementById('filter');
  const count = document.getElementById('count');
  const more = document.getElementById('more');
  const detail = document.getElementById('trial-detail');

  const cell = (r, c) => (c.weight === undefined ? r[c.key] : r.weights[c.weight]);
  const format = (v, c) => (v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v)) ? '' : typeof v === 'number' ? (c.key === 'duration' ? v.toFixed(2) : c.key === 'id' ? String(v) : String(Number(v.toPrecision(c.weight === undefined ? 6 : 4)))) : String(v));

  function matcher(text) {
    const tests = text.trim().split(/\\s+/).filter(Boolean).map((token) => {
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(<=|>=|<|>|=)(-?[0-9.eE+-]+)$/.exec(token);
      if (m) {
        const c = fixed.concat(columns).find((k) => k.label.toLowerCase() === m[1].toLowerCase() || k.key === m[1]);
        if (c) {
          const x = Number(m[3]);
          const cmp = { '<': (a) => a < x, '<=': (a) => a <= x, '>': (a) => a > x, '>=': (a) => a >= x, '=': (a) => a === x }[m[2]];
          return (r) => { const v = cell(r, c); return typeof v === 'number' && cmp(v); };
        }
      }
      const t = token.toLowerCase().replace(/^(origin|status|server|endpoint):/, '');
      return (r) => [r.status, r.origin, r.endpoint || '', r.error || ''].some((s) => s.toLowerCase().includes(t));
    });
    return (r) => tests.every((f) => f(r));
  }

  function renderHead() {
    const tr = document.createElement('tr');
    for (const c of fixed.concat(columns)) {
      const th = document.createElement('th');
      th.textContent = c.label;
      if (c.num || c.weight !== undefined) th.className = 'num';
      if (sort.key === (c.weight === undefined ? c.key : 'w' + c.weight)) th.classList.add(sort.dir > 0 ? 'sorted-up' : 'sorted-down');
      th.addEventListener('click', () => {
        const key = c.weight === undefined ? c.key : 'w' + c.weight;
        sort = { key, dir: sort.key === key ? -sort.dir : c.key === 'value' ? -1 : 1 };
        renderHead();
        render();
      });
      tr.appendChild(th);
    }
    table.tHead.replaceChildren(tr);
  }

  function render() {
    pending = false;
    const all = fixed.concat(columns);
    const c = all.find((k) => (k.weight === undefined ? k.key : 'w' + k.weight) === sort.key) || fixed[0];
    const shown = rows.filter(matcher(filter.value));
    shown.sort((a, b) => {
      const x = cell(a, c), y = cell(b, c);
      const missing = (v) => v === undefined || v === null || (typeof v === 'number' && Number.isNaN(v));
      if (missing(x) || missing(y)) return missing(x) - missing(y);
      return (x < y ? -1 : x > y ? 1 : 0) * sort.dir || a.id - b.id;
    });
    const visible = showAll ? shown : shown.slice(0, LIMIT);
    const fragment = document.createDocumentFragment();
    for (const r of visible) {
      const tr = document.createElement('tr');
      tr.dataset.id = r.id;
      if (r.id === best) tr.classList.add('best');
      if (r.status === 'failed') tr.classList.add('failed');
      if (r.id === selected) tr.classList.add('selected');
      for (const k of all) {
        const td = document.createElement('td');
        td.textContent = format(cell(r, k), k);
        if (k.num || k.weight !== undefined) td.className = 'num';
        tr.appendChild(td);
      }
      fragment.appendChild(tr);
    }
    table.tBodies[0].replaceChildren(fragment);
    count.textContent = shown.length + ' of ' + rows.length + ' trials' + (visible.length < shown.length ? ', first ' + visible.length + ' shown' : '');
    more.hidden = visible.length >= shown.length;
  }
  const schedule = () => { if (!pending) { pending = true; requestAnimationFrame(render); } };

  function updateBest() {
    best = undefined;
    let v = -Infinity;
    for (const r of rows) if (r.status === 'ok' && r.value > v) { v = r.value; best = r.id; }
  }

  table.tBodies[0].addEventListener('click', (e) => {
    const tr = e.target.closest('tr');
    if (!tr) return;
    selected = Number(tr.dataset.id);
    for (const s of table.querySelectorAll('tr.selected')) s.classList.remove('selected');
    tr.classList.add('selected');
    fetch('/api/run/trial?d=' + q() + '&id=' + selected).then((r) => r.text()).then((html) => { detail.innerHTML = html; });
  });
  filter.addEventListener('input', () => { showAll = false; schedule(); });
  more.addEventListener('click', () => { showAll = true; schedule(); });

  fetch('/api/run/trials?d=' + q()).then((r) => r.json()).then((data) => {
    columns = data.columns.map((name, i) => ({ key: name, label: name, weight: i }));
    rows = data.rows;
    updateBest();
    renderHead();
    render();
    listen('/api/run/events?d=' + q() + '&since=' + rows.length, (u) => {
      if (u.reset) rows = [];
      rows.push(...u.rows);
      updateBest();
      setPanels(u.panels);
      schedule();
    });
  });
})();
`;
