// Lookout live page: every camera's latest analysed frame with its boxes and track ids, people in
// view, fps, latency and model, kept current by server-sent events (/live/events) after one load of
// /live/state. Built to stay responsive with many cameras: updates are coalesced per camera (only
// the newest waits to be drawn), thumbnails decode off the main thread (createImageBitmap), and
// drawing happens in animation frames. window.lookout.selfCheck() says what the page has drawn,
// for tests and for anyone wondering whether the page keeps up.
'use strict';

const PALETTE = [[0, 230, 118], [41, 182, 246], [255, 202, 40], [236, 64, 122], [171, 71, 188],
                 [255, 112, 67], [38, 198, 218], [212, 225, 87], [126, 87, 194], [255, 241, 118]];
const UNTRACKED = [200, 200, 200];
const STALE_MS = 10000;
// ?verify=1 (tests): read each box's left edge back from the canvas right after stroking it
const VERIFY = new URLSearchParams(location.search).has('verify');
// ?still: draw what /live/state holds and stop (screenshots: chromium --screenshot waits for the network to rest)
const STILL = new URLSearchParams(location.search).has('still');

const grid = document.getElementById('grid');
const template = document.getElementById('tile');
const tiles = new Map();          // camera -> tile state
const pending = new Map();        // camera -> {latest, picture}: the newest update and newest picture not yet drawn
const stats = { received: 0, drawn: 0, pictures: 0, coalesced: 0, lags: [], frames: 0, rafTimes: [], connected: false,
                historyEvents: 0, stateLoaded: false };

function colorOf(trackId) {
  return trackId ? PALETTE[trackId % PALETTE.length] : UNTRACKED;
}

function rgb(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }

function tileFor(camera) {
  let t = tiles.get(camera);
  if (t) return t;
  const node = template.content.firstElementChild.cloneNode(true);
  node.dataset.camera = camera;
  node.querySelector('.name').textContent = camera;
  t = { camera, node, view: node.querySelector('canvas.view'), chart: node.querySelector('canvas.chart'),
        latest: null, picture: null, people: null, fps: null, latencyMs: null, model: null,
        updatedAt: 0, history: null, decoding: 0 };
  t.ctx = t.view.getContext('2d', { willReadFrequently: VERIFY });
  // tiles in camera order, whatever order their first updates come in
  const after = [...tiles.keys()].sort().find(c => c > camera);
  grid.insertBefore(node, after ? tiles.get(after).node : null);
  tiles.set(camera, t);
  document.getElementById('t-cameras').textContent = tiles.size;
  grid.classList.toggle('few', tiles.size <= 3);   // a handful of cameras get big tiles
  return t;
}

function setText(node, selector, value) {
  const el = node.querySelector(selector);
  const text = value === null || value === undefined ? '–' : String(value);
  if (el.textContent !== text) el.textContent = text;
}

// Numbers of an update, drawn at once (cheap); the picture and its boxes follow when decoded.
function applyNumbers(t, u) {
  t.updatedAt = Date.now();
  t.latest = { seq: u.seq, status: u.status, people: u.people === undefined ? null : u.people, fps: u.fps,
               latencyMs: u.latencyMs, model: u.model || null };
  t.fps = u.fps;
  t.latencyMs = u.latencyMs;
  t.model = u.model || t.model;
  if (u.people !== undefined) t.people = u.people;
  setText(t.node, '.people', t.people);
  setText(t.node, '.fps', t.fps);
  setText(t.node, '.latency', t.latencyMs);
  setText(t.node, '.model', t.model);
  const status = t.node.querySelector('.status');
  status.textContent = u.status === 'ok' ? `#${u.seq}` : `#${u.seq} ${u.status} ${u.reason || ''}`;
  status.classList.toggle('skipped', u.status !== 'ok');
}

function drawPicture(t, u, bitmap) {
  const ctx = t.ctx;
  if (t.view.width !== bitmap.width || t.view.height !== bitmap.height) {
    t.view.width = bitmap.width;
    t.view.height = bitmap.height;
  }
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const sx = t.view.width / u.width, sy = t.view.height / u.height;
  ctx.lineWidth = 3;
  ctx.font = '11px system-ui, sans-serif';
  ctx.textBaseline = 'top';
  const drawn = [];
  for (const d of u.detections) {
    const [x1, y1, x2, y2] = d.box;
    const x = Math.round(x1 * sx), y = Math.round(y1 * sy);
    const w = Math.max(1, Math.round((x2 - x1) * sx)), h = Math.max(1, Math.round((y2 - y1) * sy));
    const color = colorOf(d.trackId);
    ctx.strokeStyle = rgb(color);
    ctx.setLineDash(d.trackId ? [] : [4, 3]);
    ctx.strokeRect(x, y, w, h);
    let onCanvas = null;
    if (VERIFY) {
      // eight pixels down the left edge from its middle: a dashed edge has a dash among them
      const px = Math.min(Math.max(x, 0), t.view.width - 1), py = Math.min(Math.max(Math.round(y + h / 2), 0), t.view.height - 1);
      const p = ctx.getImageData(px, py, 1, Math.min(8, t.view.height - py)).data;
      onCanvas = false;
      for (let i = 0; i < p.length; i += 4) {
        if (Math.abs(p[i] - color[0]) < 40 && Math.abs(p[i + 1] - color[1]) < 40 && Math.abs(p[i + 2] - color[2]) < 40) onCanvas = true;
      }
    }
    const label = d.trackId ? `#${d.trackId}` : d.score.toFixed(2);
    const lw = ctx.measureText(label).width + 4;
    ctx.fillStyle = rgb(color);
    ctx.fillRect(x, Math.max(0, y - 13), lw, 13);
    ctx.fillStyle = '#000';
    ctx.fillText(label, x + 2, Math.max(0, y - 12));
    drawn.push({ x, y, w, h, trackId: d.trackId || 0, onCanvas });
  }
  if (u.line) {
    // the counting line: people crossing it from the right of A→B to its left count as in
    const [x1, y1, x2, y2] = u.line;
    ctx.strokeStyle = 'rgba(255,235,59,0.9)';
    ctx.lineWidth = 2;
    ctx.setLineDash([8, 5]);
    ctx.beginPath();
    ctx.moveTo(x1 * t.view.width, y1 * t.view.height);
    ctx.lineTo(x2 * t.view.width, y2 * t.view.height);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  const now = Date.now();
  // what this picture shows, all from one detections record
  t.picture = { seq: u.seq, status: u.status, people: u.people === undefined ? null : u.people, latencyMs: u.latencyMs,
                model: u.model || null, boxes: drawn, drawnAt: now };
  t.node.dataset.seq = u.seq;
  t.node.dataset.boxes = drawn.length;
  stats.pictures++;
  const lag = now - u.sentAt;
  stats.lags.push(lag);
  if (stats.lags.length > 1000) stats.lags.splice(0, stats.lags.length - 1000);
}

function render(camera, latest, u) {
  const t = tileFor(camera);
  if (latest) applyNumbers(t, latest);
  stats.drawn++;
  if (!u) return;
  // decode off the main thread; if a newer picture of this camera was drawn meanwhile, drop this one
  const token = ++t.decoding;
  const bin = atob(u.thumb.slice(u.thumb.indexOf(',') + 1));
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  createImageBitmap(new Blob([bytes], { type: 'image/jpeg' })).then(bitmap => {
    if (token === t.decoding) drawPicture(t, u, bitmap); else bitmap.close();
  }).catch(() => {});
}

function drawChart(t) {
  const c = t.chart, ctx = c.getContext('2d');
  const h = t.history;
  ctx.clearRect(0, 0, c.width, c.height);
  if (!h || !h.max.length) return;
  const n = h.max.length;
  const top = Math.max(1, ...h.max.filter(v => v !== null));
  const bw = c.width / n;
  ctx.fillStyle = 'rgba(127,209,255,0.25)';
  h.max.forEach((v, i) => { if (v !== null) ctx.fillRect(i * bw, c.height - v / top * (c.height - 2), Math.max(1, bw), v / top * (c.height - 2)); });
  ctx.strokeStyle = '#7fd1ff';
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  let pen = false;
  h.mean.forEach((v, i) => {
    if (v === null) { pen = false; return; }
    const x = i * bw + bw / 2, y = c.height - v / top * (c.height - 2);
    if (pen) ctx.lineTo(x, y); else ctx.moveTo(x, y);
    pen = true;
  });
  ctx.stroke();
  setText(t.node, '.peak', `peak ${top}`);
}

function addHistory(e) {
  stats.historyEvents++;
  for (const [camera, p] of Object.entries(e.points)) {
    const t = tileFor(camera);
    if (!t.history) t.history = { start: e.t, step: e.step, mean: [], max: [] };
    t.history.mean.push(p ? p.mean : null);
    t.history.max.push(p ? p.max : null);
    const keep = Math.round(3600000 / e.step);
    if (t.history.max.length > keep) {
      t.history.mean.splice(0, t.history.mean.length - keep);
      t.history.max.splice(0, t.history.max.length - keep);
    }
    drawChart(t);
  }
}

function frame(now) {
  stats.frames++;
  stats.rafTimes.push(now);
  if (stats.rafTimes.length > 120) stats.rafTimes.shift();
  for (const [camera, p] of pending) render(camera, p.latest, p.picture);
  pending.clear();
  requestAnimationFrame(frame);
}

function totals() {
  let people = 0, fps = 0;
  const models = new Set();
  const now = Date.now();
  for (const t of tiles.values()) {
    people += t.people || 0;
    fps += t.fps || 0;
    if (t.model) models.add(t.model);
    const age = t.updatedAt ? now - t.updatedAt : null;
    t.node.classList.toggle('stale', age !== null && age > STALE_MS);
    setText(t.node, '.age', age === null ? '' : age > STALE_MS ? `silent ${Math.round(age / 1000)} s` : '');
  }
  setText(document, '#t-people', people);
  setText(document, '#t-fps', Math.round(fps * 10) / 10);
  setText(document, '#t-models', [...models].join(', '));
}

function connect() {
  const source = new EventSource('/live/events');
  const link = document.getElementById('t-link');
  source.onopen = () => { stats.connected = true; link.textContent = 'live'; link.className = 'link up'; };
  source.onerror = () => {
    stats.connected = false; link.textContent = 'reconnecting'; link.className = 'link down';
    toLoginIfSessionEnded();
  };
  source.onmessage = m => {
    const u = JSON.parse(m.data);
    stats.received++;
    if (u.type === 'history') { addHistory(u); return; }
    let p = pending.get(u.camera);
    if (p) stats.coalesced++; else pending.set(u.camera, p = { latest: null, picture: null });
    p.latest = u;
    if (u.thumb) p.picture = u;   // a numbers-only update does not take the waiting picture's place
  };
}

// A session that ended (timeout, logout elsewhere, user removed) answers with a redirect to the login form.
async function toLoginIfSessionEnded() {
  try {
    const r = await fetch('/live/state', { redirect: 'manual' });
    if (r.type === 'opaqueredirect' || r.status === 401) location.assign('/login');
  } catch (e) { /* the server is away: EventSource keeps trying */ }
}

async function load() {
  try {
    const r = await fetch('/live/state', { redirect: 'manual' });
    if (r.type === 'opaqueredirect' || r.status === 401) { location.assign('/login'); return; }
    if (!r.ok) throw new Error(await r.text());
    const s = await r.json();
    for (const c of s.cameras) {
      const t = tileFor(c.camera);
      t.history = c.history;
      drawChart(t);
      render(c.camera, c.latest, c.picture);
    }
    stats.stateLoaded = true;
    if (STILL) document.getElementById('t-link').textContent = 'still of ' + new Date(s.now).toLocaleTimeString();
  } catch (e) {
    document.getElementById('t-link').textContent = 'no live data: ' + e.message;
  }
  if (!STILL) connect();
  requestAnimationFrame(frame);
  setInterval(totals, 1000);
  totals();
}

function percentile(values, p) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

// For tests and the curious: what the page has drawn; with ?verify=1, how many boxes were read back
// from the canvas pixels in their colour right after being drawn.
window.lookout = {
  selfCheck() {
    const times = stats.rafTimes;
    const span = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
    const out = {
      connected: stats.connected, stateLoaded: stats.stateLoaded, received: stats.received, drawn: stats.drawn,
      pictures: stats.pictures, coalesced: stats.coalesced, historyEvents: stats.historyEvents,
      lagMs: { p50: percentile(stats.lags, 0.5), p95: percentile(stats.lags, 0.95), max: percentile(stats.lags, 1), n: stats.lags.length },
      animationFps: span > 0 ? Math.round((times.length - 1) / span) : 0,
      cameras: {}
    };
    for (const t of tiles.values()) {
      const pic = t.picture;
      const boxesOnCanvas = pic && VERIFY ? pic.boxes.filter(b => b.onCanvas).length : null;
      out.cameras[t.camera] = {
        latest: t.latest,
        picture: pic && { seq: pic.seq, status: pic.status, people: pic.people, latencyMs: pic.latencyMs, model: pic.model,
                          boxes: pic.boxes.length, boxesOnCanvas, trackIds: pic.boxes.map(b => b.trackId) },
        historyPoints: t.history ? t.history.max.filter(v => v !== null).length : 0
      };
    }
    return out;
  }
};

load();
