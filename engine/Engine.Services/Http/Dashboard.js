'use strict';
// The engine's dashboard: every stream's overlaid view, its HUD figures and its latest prediction.
// Views are polled PNGs fetched by script (not <img src>, not MJPEG), so the bearer token can ride
// in a header and each stream has one request in flight: a slow browser or link sees fewer frames,
// never a growing queue. The frame number is the ETag; an unchanged frame costs a 304.

// With --http-token the page is opened as /#token=TOKEN: a fragment is never sent to the server.
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const authorization = token ? { Authorization: 'Bearer ' + token } : {};
const statusLine = document.getElementById('status');
const container = document.getElementById('streams');
const cards = new Map();

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

function api(path, headers) {
  return fetch(path, { cache: 'no-store', headers: { ...authorization, ...headers } });
}

function element(parent, tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  parent.appendChild(e);
  return e;
}

function showStatus(text, error) {
  statusLine.textContent = text;
  statusLine.className = error ? 'error' : '';
}

function card(id) {
  let c = cards.get(id);
  if (c) return c;
  const root = element(container, 'section', 'stream');
  const title = element(root, 'h2');
  element(title, 'span', 'id', id);
  c = {
    root,
    state: element(title, 'span', 'state'),
    source: element(root, 'div', 'note'),
    view: element(root, 'img', 'view'),
    hud: element(root, 'div', 'hud'),
    failure: element(root, 'p', 'failure'),
    prediction: element(root, 'div'),
    plugins: element(root, 'div'),
  };
  c.view.alt = 'live view of ' + id;
  cards.set(id, c);
  watchView(id, c.view);
  return c;
}

async function watchView(id, img) {
  const path = '/api/streams/' + encodeURIComponent(id) + '/view.png';
  let etag = null;
  let shown = null;
  while (cards.has(id)) {
    let pause = 40;
    try {
      const r = await api(path, etag ? { 'If-None-Match': etag } : {});
      if (r.status === 200) {
        const url = URL.createObjectURL(await r.blob());
        const loaded = new Image();
        loaded.src = url;
        await loaded.decode();
        img.src = url;
        if (shown) URL.revokeObjectURL(shown);
        shown = url;
        etag = r.headers.get('ETag');
        img.dataset.frame = etag ? etag.replaceAll('"', '') : '';
        pause = 0;
      } else if (r.status !== 304 && r.status !== 204) {
        showStatus(id + ': view answered ' + r.status, true);
        pause = 1000;
      }
    } catch (e) {
      showStatus(id + ': view failed: ' + e, true);
      pause = 1000;
    }
    await sleep(pause);
  }
  if (shown) URL.revokeObjectURL(shown);
}

function figure(hud, name, value) {
  const cell = element(hud, 'div');
  element(cell, 'span', null, name + ' ');
  element(cell, 'b', null, value);
}

function fixed(x, digits) {
  return Number(x).toFixed(digits);
}

function update(c, s) {
  c.state.textContent = s.state;
  c.state.className = 'state ' + s.state;
  c.source.textContent = s.source + ' · ' + s.width + '×' + s.height;
  c.hud.replaceChildren();
  figure(c.hud, 'fps', fixed(s.present_fps, 1));
  figure(c.hud, 'drops', String(s.frames_dropped));
  figure(c.hud, 'inference', fixed(s.inference_per_second, 1) + '/s');
  figure(c.hud, 'latency p50', fixed(s.latency_p50_ms, 0) + ' ms');
  figure(c.hud, 'latency p95', fixed(s.latency_p95_ms, 0) + ' ms');
  figure(c.hud, 'reconnects', String(s.reconnects));
  c.failure.textContent = s.last_failure || '';
  c.prediction.replaceChildren();
  const p = s.last_prediction;
  if (p) {
    element(c.prediction, 'div', 'note', p.plugin + ' · frame ' + p.frame + ' · ' + fixed(p.latency_ms, 0) + ' ms');
    const list = element(c.prediction, 'ol', 'prediction');
    for (const t of p.topk) element(list, 'li', null, t.label + ' ' + fixed(t.score, 3));
    if (p.boxes.length > 0) {
      const counts = new Map();
      for (const b of p.boxes) counts.set(b.label, (counts.get(b.label) || 0) + 1);
      element(c.prediction, 'div', 'note', p.boxes.length + (p.boxes.length === 1 ? ' box: ' : ' boxes: ') + [...counts].map(([l, n]) => n + ' ' + l).join(', '));
    }
  } else {
    element(c.prediction, 'div', 'note', 'no prediction yet');
  }
  c.plugins.replaceChildren();
  for (const plugin of s.plugins) {
    if (!plugin.enabled) element(c.plugins, 'p', 'plugin-error', plugin.id + ' disabled: ' + (plugin.error || ''));
  }
}

async function watchStreams() {
  for (;;) {
    try {
      const r = await api('/api/streams');
      if (r.status === 401) {
        showStatus('unauthorised: open this page as /#token=TOKEN', true);
      } else if (!r.ok) {
        showStatus('/api/streams answered ' + r.status, true);
      } else {
        const streams = await r.json();
        const seen = new Set(streams.map(s => s.id));
        for (const [id, c] of cards) {
          if (!seen.has(id)) {
            c.root.remove();
            cards.delete(id);
          }
        }
        for (const s of streams) update(card(s.id), s);
        showStatus(streams.length + (streams.length === 1 ? ' stream' : ' streams') + ' · ' + new Date().toLocaleTimeString(), false);
      }
    } catch (e) {
      showStatus('engine unreachable (' + e.message + ')', true);
    }
    await sleep(500);
  }
}

watchStreams();
