// Lookout review page: the frames the service picked for labelling, one at a time, with the model's
// boxes to accept, fix, delete or add to. Built for few actions per frame: accepting takes one key
// (Enter), fixing a box one drag and Enter, deleting a box a click, Del and Enter, a missed person one
// drag and Enter. Answers go to /api/review/items/{id}; the server reads what was changed off the boxes
// (the label's provenance) and refuses what is not an answer to an offered frame.
// window.review (for tests and the curious): stats() counts keys, clicks and drags per frame.
'use strict';

const HANDLE = 7;          // screen px around an edge or corner that grabs it for resizing
const CLICK_PX = 3;        // a press that moves less than this is a click, not a drag
const MIN_SIDE = 4;        // image px: a drawn box smaller than this is a slip, not a box
const COLORS = { model: '#00e676', moved: '#ffb74d', drawn: '#29b6f6', hint: '#9aa4ae' };

const canvas = document.getElementById('r-canvas');
const ctx = canvas.getContext('2d');
const el = id => document.getElementById(id);

const state = {
  items: [],             // waiting items (metadata), oldest pick first
  skipped: new Set(),    // ids skipped on this page: they go to the back of the queue
  answered: new Set(),   // ids answered on this page (a list fetched meanwhile may still hold them)
  current: null,         // {item, image, boxes: [{x1,y1,x2,y2,kind}], selected, history: []}
  scale: 1,
  drag: null,            // {mode, index, start, orig, moved}
  done: 0,
  camera: '',
  busy: false,
};
const stats = { keys: 0, clicks: 0, drags: 0, items: [] };
let itemStats = { keys: 0, clicks: 0, drags: 0 };

function count(kind) {
  stats[kind]++;
  itemStats[kind]++;
}

// ----------------------------------------------------------------- loading

async function refresh() {
  try {
    const q = state.camera ? '?camera=' + encodeURIComponent(state.camera) : '';
    const r = await fetch('/api/review/items' + q, { cache: 'no-store' });
    if (!r.ok) { status(`cannot list frames: ${r.status} ${await r.text()}`, true); return; }
    const body = await r.json();
    state.items = body.items.filter(i => !state.answered.has(i.id));
    el('r-waiting').textContent = state.items.length;
    cameras(body.items);
    if (!state.current) next();
  } catch (e) {
    status('cannot reach the server: ' + e, true);
  }
}

function cameras(items) {
  const select = el('r-camera');
  const known = new Set([...select.options].map(o => o.value));
  for (const c of new Set(items.map(i => i.camera))) {
    if (!known.has(c)) select.add(new Option(c, c));
  }
}

function next() {
  const open = state.items.filter(i => !state.skipped.has(i.id));
  const pick = open[0] || state.items[0];
  if (!pick) { show(null); return; }
  if (open.length === 0) state.skipped.clear();
  load(pick);
}

function load(item) {
  const image = new Image();
  image.onload = () => {
    const boxes = item.detections.map(d => ({ x1: d.box[0], y1: d.box[1], x2: d.box[2], y2: d.box[3], kind: 'model',
                                              orig: d.box.slice() }));
    state.current = { item, image, boxes, selected: -1, history: [] };
    itemStats = { keys: 0, clicks: 0, drags: 0 };
    show(state.current);
  };
  image.onerror = () => { status(`picture of ${item.id} did not load`, true); drop(item.id); };
  image.src = `/api/review/items/${encodeURIComponent(item.id)}/picture`;
}

function show(cur) {
  el('r-empty').classList.toggle('hidden', !!cur);
  canvas.classList.toggle('hidden', !cur);
  if (!cur) {
    ['r-camera-name', 'r-time', 'r-reasons', 'r-model', 'r-boxes'].forEach(id => { el(id).textContent = ''; });
    return;
  }
  const it = cur.item;
  el('r-camera-name').textContent = it.camera;
  el('r-time').textContent = `#${it.seq} ${new Date(it.captureTs).toLocaleString()}`;
  el('r-reasons').textContent = 'picked for: ' + (it.reasons.length ? it.reasons.join(', ') : 'a look at the scene');
  el('r-model').textContent = it.model ? `${it.model.name} v${it.model.version}, threshold ${it.threshold}` : '';
  fit();
  draw();
  canvas.focus();
}

function fit() {
  const cur = state.current;
  const maxW = Math.max(200, window.innerWidth - 360);
  const maxH = Math.max(200, window.innerHeight - 90);
  state.scale = Math.min(maxW / cur.item.width, maxH / cur.item.height, 2);
  canvas.width = Math.round(cur.item.width * state.scale);
  canvas.height = Math.round(cur.item.height * state.scale);
}

// ----------------------------------------------------------------- drawing

function draw() {
  const cur = state.current;
  if (!cur) return;
  const s = state.scale;
  ctx.drawImage(cur.image, 0, 0, canvas.width, canvas.height);
  ctx.setLineDash([3, 4]);
  ctx.lineWidth = 1;
  ctx.strokeStyle = COLORS.hint;
  for (const h of cur.item.below || []) {
    ctx.strokeRect(h.box[0] * s, h.box[1] * s, (h.box[2] - h.box[0]) * s, (h.box[3] - h.box[1]) * s);
  }
  ctx.setLineDash([]);
  cur.boxes.forEach((b, i) => {
    const sel = i === cur.selected;
    ctx.lineWidth = sel ? 3 : 2;
    ctx.strokeStyle = COLORS[b.kind];
    ctx.strokeRect(b.x1 * s, b.y1 * s, (b.x2 - b.x1) * s, (b.y2 - b.y1) * s);
    if (sel) {
      ctx.fillStyle = COLORS[b.kind];
      for (const [x, y] of [[b.x1, b.y1], [b.x2, b.y1], [b.x1, b.y2], [b.x2, b.y2]]) {
        ctx.fillRect(x * s - 3, y * s - 3, 6, 6);
      }
    }
  });
  const lines = cur.boxes.map((b, i) => `${i === cur.selected ? '▶' : ' '} ${b.kind} ` +
      `[${b.x1.toFixed(0)}, ${b.y1.toFixed(0)}, ${b.x2.toFixed(0)}, ${b.y2.toFixed(0)}]`);
  el('r-boxes').textContent = cur.boxes.length ? `${cur.boxes.length} box(es):\n` + lines.join('\n')
      : 'no boxes: Enter says nobody is here';
}

// ----------------------------------------------------------------- editing

function imagePoint(ev) {
  const r = canvas.getBoundingClientRect();
  const sx = canvas.width / r.width;
  return { x: (ev.clientX - r.left) * sx / state.scale, y: (ev.clientY - r.top) * sx / state.scale };
}

function clampBox(b) {
  const w = state.current.item.width;
  const h = state.current.item.height;
  const x1 = Math.max(0, Math.min(b.x1, b.x2));
  const x2 = Math.min(w, Math.max(b.x1, b.x2));
  const y1 = Math.max(0, Math.min(b.y1, b.y2));
  const y2 = Math.min(h, Math.max(b.y1, b.y2));
  return Object.assign(b, { x1, y1, x2, y2 });
}

function remember() {
  const cur = state.current;
  cur.history.push({ boxes: cur.boxes.map(b => Object.assign({}, b)), selected: cur.selected });
  if (cur.history.length > 100) cur.history.shift();
}

// Which part of which box a point grabs: a handle of the selected box first, then any box's edge,
// then the smallest box around the point.
function grab(p) {
  const cur = state.current;
  const tol = HANDLE / state.scale;
  const order = cur.selected >= 0 ? [cur.selected, ...cur.boxes.keys()] : [...cur.boxes.keys()];
  for (const i of order) {
    const b = cur.boxes[i];
    const inX = p.x >= b.x1 - tol && p.x <= b.x2 + tol;
    const inY = p.y >= b.y1 - tol && p.y <= b.y2 + tol;
    if (!inX || !inY) continue;
    const edges = { l: Math.abs(p.x - b.x1) <= tol, r: Math.abs(p.x - b.x2) <= tol,
                    t: Math.abs(p.y - b.y1) <= tol, b: Math.abs(p.y - b.y2) <= tol };
    if (edges.l || edges.r || edges.t || edges.b) return { mode: 'resize', index: i, edges };
  }
  let best = -1;
  let area = Infinity;
  cur.boxes.forEach((b, i) => {
    if (p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2 && (b.x2 - b.x1) * (b.y2 - b.y1) < area) {
      best = i;
      area = (b.x2 - b.x1) * (b.y2 - b.y1);
    }
  });
  return best >= 0 ? { mode: 'move', index: best } : { mode: 'draw', index: -1 };
}

canvas.addEventListener('pointerdown', ev => {
  if (!state.current || ev.button !== 0) return;
  ev.preventDefault();
  canvas.setPointerCapture(ev.pointerId);
  canvas.focus();
  const p = imagePoint(ev);
  const g = grab(p);
  const cur = state.current;
  remember();
  const orig = g.index >= 0 ? Object.assign({}, cur.boxes[g.index]) : null;
  state.drag = Object.assign(g, { start: p, orig, screen: { x: ev.clientX, y: ev.clientY }, moved: false });
});

canvas.addEventListener('pointermove', ev => {
  const d = state.drag;
  if (!d) return;
  if (!d.moved && Math.hypot(ev.clientX - d.screen.x, ev.clientY - d.screen.y) < CLICK_PX) return;
  const cur = state.current;
  const p = imagePoint(ev);
  if (!d.moved) {
    d.moved = true;
    if (d.mode === 'draw') {
      cur.boxes.push({ x1: d.start.x, y1: d.start.y, x2: p.x, y2: p.y, kind: 'drawn' });
      d.index = cur.boxes.length - 1;
    }
    cur.selected = d.index;
  }
  const b = cur.boxes[d.index];
  if (d.mode === 'draw') {
    Object.assign(b, { x1: d.start.x, y1: d.start.y, x2: p.x, y2: p.y });
  } else if (d.mode === 'move') {
    const w = cur.item.width;
    const h = cur.item.height;
    const dx = Math.max(-d.orig.x1, Math.min(w - d.orig.x2, p.x - d.start.x));
    const dy = Math.max(-d.orig.y1, Math.min(h - d.orig.y2, p.y - d.start.y));
    Object.assign(b, { x1: d.orig.x1 + dx, y1: d.orig.y1 + dy, x2: d.orig.x2 + dx, y2: d.orig.y2 + dy });
  } else {
    if (d.edges.l) b.x1 = p.x;
    if (d.edges.r) b.x2 = p.x;
    if (d.edges.t) b.y1 = p.y;
    if (d.edges.b) b.y2 = p.y;
  }
  if (b.kind === 'model') b.kind = 'moved';
  draw();
});

canvas.addEventListener('pointerup', ev => {
  const d = state.drag;
  if (!d) return;
  state.drag = null;
  const cur = state.current;
  if (!d.moved) {
    cur.history.pop(); // a click changes no box
    count('clicks');
    const p = imagePoint(ev);
    const hint = d.mode === 'draw' ? hintAt(p) : null;
    if (hint) {
      remember();
      cur.boxes.push({ x1: hint.box[0], y1: hint.box[1], x2: hint.box[2], y2: hint.box[3], kind: 'drawn' });
      cur.selected = cur.boxes.length - 1;
    } else {
      cur.selected = d.index;
    }
  } else {
    count('drags');
    const b = clampBox(cur.boxes[d.index]);
    if (b.x2 - b.x1 < MIN_SIDE || b.y2 - b.y1 < MIN_SIDE) {
      cur.boxes.splice(d.index, 1);
      cur.selected = -1;
    }
  }
  draw();
});

function hintAt(p) {
  const hints = (state.current.item.below || []).filter(h => p.x >= h.box[0] && p.x <= h.box[2] && p.y >= h.box[1]
      && p.y <= h.box[3]);
  hints.sort((a, b) => (a.box[2] - a.box[0]) * (a.box[3] - a.box[1]) - (b.box[2] - b.box[0]) * (b.box[3] - b.box[1]));
  return hints[0] || null;
}

function deleteSelected() {
  const cur = state.current;
  if (!cur || cur.selected < 0) return;
  remember();
  cur.boxes.splice(cur.selected, 1);
  cur.selected = Math.min(cur.selected, cur.boxes.length - 1);
  if (cur.boxes.length === 0) cur.selected = -1;
  draw();
}

function undo() {
  const cur = state.current;
  if (!cur || !cur.history.length) return;
  const h = cur.history.pop();
  cur.boxes = h.boxes;
  cur.selected = h.selected;
  draw();
}

function nudge(dx, dy) {
  const cur = state.current;
  if (!cur || cur.selected < 0) return;
  remember();
  const b = cur.boxes[cur.selected];
  const w = cur.item.width;
  const h = cur.item.height;
  dx = Math.max(-b.x1, Math.min(w - b.x2, dx));
  dy = Math.max(-b.y1, Math.min(h - b.y2, dy));
  Object.assign(b, { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy });
  if (b.kind === 'model') b.kind = 'moved';
  draw();
}

// ----------------------------------------------------------------- answering

// Boxes as sent: a model box left alone goes back with exactly the numbers it came with.
function answerBoxes() {
  return state.current.boxes.map(b => b.kind === 'model' ? b.orig.slice()
      : [b.x1, b.y1, b.x2, b.y2].map(v => Math.round(v * 100) / 100));
}

async function submit(nobody) {
  const cur = state.current;
  if (!cur || state.busy) return;
  state.busy = true;
  const body = JSON.stringify(nobody ? { boxes: [], nobody: true } : { boxes: answerBoxes() });
  try {
    const r = await fetch(`/api/review/items/${encodeURIComponent(cur.item.id)}`,
        { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    const reply = await r.json().catch(() => ({}));
    if (r.status === 201) {
      const p = reply.provenance || {};
      status(`${reply.label}: ${p.accepted} accepted, ${p.moved} moved, ${p.added} added, ${p.deleted} deleted` +
          (p.nobody ? ', nobody here' : ''), false);
      finish(cur.item.id, reply.outcome);
    } else {
      status(`refused (${r.status}): ${reply.detail || reply.error || ''}`, true);
      if (r.status === 404 || r.status === 409) finish(cur.item.id, 'refused:' + reply.error);
    }
  } catch (e) {
    status('not sent: ' + e, true);
  } finally {
    state.busy = false;
  }
}

function finish(id, outcome) {
  stats.items.push(Object.assign({ id, outcome, actions: itemStats.keys + itemStats.clicks + itemStats.drags },
      itemStats));
  state.done++;
  el('r-done').textContent = state.done;
  drop(id);
}

function drop(id) {
  state.answered.add(id);
  state.items = state.items.filter(i => i.id !== id);
  el('r-waiting').textContent = state.items.length;
  state.current = null;
  next();
}

function skip() {
  const cur = state.current;
  if (!cur) return;
  state.skipped.add(cur.item.id);
  stats.items.push(Object.assign({ id: cur.item.id, outcome: 'skipped',
      actions: itemStats.keys + itemStats.clicks + itemStats.drags }, itemStats));
  state.items = state.items.filter(i => i.id !== cur.item.id).concat([cur.item]);
  state.current = null;
  next();
}

function status(text, error) {
  const s = el('r-status');
  s.textContent = text;
  s.className = error ? 'err' : 'ok';
}

// ----------------------------------------------------------------- keys and buttons

document.addEventListener('keydown', ev => {
  if (ev.target instanceof HTMLSelectElement) return;
  const cur = state.current;
  const k = ev.key;
  const handled = {
    Enter: () => submit(false), ' ': () => submit(false),
    n: () => submit(true), N: () => submit(true),
    s: skip, S: skip,
    Delete: deleteSelected, Backspace: deleteSelected,
    z: undo, Z: undo,
    Escape: () => { if (cur) { cur.selected = -1; draw(); } },
    Tab: () => {
      if (!cur || !cur.boxes.length) return;
      const n = cur.boxes.length;
      cur.selected = ((cur.selected < 0 ? (ev.shiftKey ? 0 : -1) : cur.selected) + (ev.shiftKey ? n - 1 : 1)) % n;
      draw();
    },
    ArrowLeft: () => nudge(ev.shiftKey ? -10 : -1, 0), ArrowRight: () => nudge(ev.shiftKey ? 10 : 1, 0),
    ArrowUp: () => nudge(0, ev.shiftKey ? -10 : -1), ArrowDown: () => nudge(0, ev.shiftKey ? 10 : 1),
  }[k];
  if (!handled || ev.ctrlKey && k !== 'z' || ev.metaKey || ev.altKey) return;
  ev.preventDefault();
  if (ev.repeat) return;
  count('keys');
  handled();
});

el('b-submit').addEventListener('click', () => { count('clicks'); submit(false); });
el('b-nobody').addEventListener('click', () => { count('clicks'); submit(true); });
el('b-skip').addEventListener('click', () => { count('clicks'); skip(); });
el('b-delete').addEventListener('click', () => { count('clicks'); deleteSelected(); });
el('b-undo').addEventListener('click', () => { count('clicks'); undo(); });
el('r-camera').addEventListener('change', ev => {
  state.camera = ev.target.value;
  state.current = null;
  refresh();
});
window.addEventListener('resize', () => { if (state.current) { fit(); draw(); } });

// new frames arrive a few per camera per hour: look every few seconds
setInterval(() => { if (!state.busy && !state.drag) refresh(); }, 4000);
refresh();

// For tests: where an image pixel is on the screen, what the page holds, what it took to answer.
window.review = {
  toScreen(x, y) {
    const r = canvas.getBoundingClientRect();
    const k = state.scale * r.width / canvas.width;
    return { x: r.left + x * k, y: r.top + y * k };
  },
  current() {
    const cur = state.current;
    return cur && { id: cur.item.id, boxes: cur.boxes.map(b => [b.x1, b.y1, b.x2, b.y2, b.kind]),
                    selected: cur.selected, width: cur.item.width, height: cur.item.height };
  },
  stats() { return JSON.parse(JSON.stringify(stats)); },
  waiting() { return state.items.length; },
};
