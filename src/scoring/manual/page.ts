/**
 * The rating page: polls /api/state, shows pending images grouped by payload with their prompt, one
 * slider per image, and posts each rating to /api/rate. Plain HTML and script, no external assets.
 */
export const RATING_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>autombw: rate images</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; background: #f6f6f4; color: #222; }
  h1 { font-size: 1.3rem; margin: 0 0 .5rem; }
  #status { color: #555; }
  section { margin: 1.5rem 0; }
  h2 { font-size: 1rem; margin: 0; }
  .prompt { font-family: ui-monospace, monospace; white-space: pre-wrap; color: #444; margin: .3rem 0 .8rem; }
  .cards { display: flex; flex-wrap: wrap; gap: 1rem; }
  .card { background: #fff; border-radius: 8px; padding: .6rem; box-shadow: 0 1px 3px #0002; width: 320px; }
  .card img { width: 100%; border-radius: 4px; display: block; }
  .row { display: flex; align-items: center; gap: .5rem; margin-top: .5rem; }
  .row input[type=range] { flex: 1; }
  .value { width: 3em; text-align: right; font-variant-numeric: tabular-nums; }
  .error { color: #b00; font-size: .85rem; }
</style>
</head>
<body>
<h1>autombw: rate images</h1>
<p id="status">Waiting for images…</p>
<div id="groups"></div>
<script>
const groups = document.getElementById('groups');
const status = document.getElementById('status');
const cards = new Map();

function card(item, scale) {
  const el = document.createElement('div');
  el.className = 'card';
  const img = document.createElement('img');
  img.src = '/image/' + item.id;
  img.alt = item.payload + ' #' + item.index;
  const row = document.createElement('div');
  row.className = 'row';
  const slider = document.createElement('input');
  Object.assign(slider, { type: 'range', min: scale.min, max: scale.max, step: scale.step, value: (scale.min + scale.max) / 2 });
  const value = document.createElement('span');
  value.className = 'value';
  value.textContent = slider.value;
  slider.oninput = () => (value.textContent = slider.value);
  const button = document.createElement('button');
  button.textContent = 'Rate';
  const error = document.createElement('div');
  error.className = 'error';
  button.onclick = async () => {
    button.disabled = true;
    const res = await fetch('/api/rate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: item.id, rating: Number(slider.value) }) });
    if (res.ok) { el.remove(); cards.delete(item.id); } else { error.textContent = await res.text(); button.disabled = false; }
  };
  row.append(slider, value, button);
  el.append(img, row, error);
  return el;
}

function section(item) {
  const key = item.payload + '\\u0000' + item.prompt;
  let s = [...groups.children].find((g) => g.dataset.key === key);
  if (!s) {
    s = document.createElement('section');
    s.dataset.key = key;
    const h = document.createElement('h2');
    h.textContent = item.payload;
    const p = document.createElement('div');
    p.className = 'prompt';
    p.textContent = item.prompt;
    const c = document.createElement('div');
    c.className = 'cards';
    s.append(h, p, c);
    groups.append(s);
  }
  return s.querySelector('.cards');
}

async function refresh() {
  try {
    const state = await (await fetch('/api/state')).json();
    const pending = new Set(state.pending.map((p) => p.id));
    for (const [id, el] of cards) if (!pending.has(id)) { el.remove(); cards.delete(id); }
    for (const item of state.pending) {
      if (!cards.has(item.id)) { const el = card(item, state.scale); cards.set(item.id, el); section(item).append(el); }
    }
    for (const s of [...groups.children]) if (!s.querySelector('.card')) s.remove();
    status.textContent = state.pending.length ? state.pending.length + ' image(s) to rate, ' + state.scale.min + ' (worst) to ' + state.scale.max + ' (best).' : 'Nothing to rate right now; new images appear here by themselves.';
  } catch {
    status.textContent = 'autombw is not answering (the run may have stopped).';
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
