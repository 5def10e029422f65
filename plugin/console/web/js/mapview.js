// The world map: every country (and each subdivision a geolocation rule names)
// filled with the colour of the answer it gets, now or under a what-if, from
// /api/map. Outlines come from map.json (tools/mapgen), loaded once.

import { h, s, colour } from './dom.js';

let outlines; // promise of map.json

function loadOutlines() {
  if (!outlines) {
    outlines = fetch('/map.json', { credentials: 'same-origin' }).then((r) => {
      if (!r.ok) throw new Error(`map.json: HTTP ${r.status}`);
      return r.json();
    });
  }
  return outlines;
}

// majority is the answer a place gets most often.
function majority(shares) {
  let best = null;
  for (const a of shares || []) if (!best || a.percent > best.percent) best = a;
  return best ? best.answer : '';
}

// answerColours gives each answer a colour: an endpoint its index in the tree's
// endpoints, a combination (multivalue) or rcode the next free ones.
export function answerColours(doc) {
  const col = new Map();
  doc.endpoints.forEach((e, i) => col.set(e, colour(i)));
  let next = doc.endpoints.length;
  for (const p of doc.places) {
    for (const a of [...p.now, ...p.whatif]) {
      if (col.has(a.answer)) continue;
      col.set(a.answer, /^[A-Z]+$/.test(a.answer) ? '#555' : colour(next++));
    }
  }
  return col;
}

function shareText(shares) {
  return (shares || []).map((a) => `${a.answer} ${Math.round(a.percent)}%`).join(', ') || 'no answer';
}

const zooms = {
  World: null,
  Europe: ['PT', 'IS', 'NO', 'FI', 'CY', 'GR'],
  Americas: ['CA', 'MX', 'BR', 'AR', 'CL'],
  Asia: ['TR', 'JP', 'ID', 'IN', 'RU'],
};

// render draws doc (an /api/map answer) in mode 'now' or 'whatif' into el, with a
// legend and the list of places that move.
export async function render(el, doc, mode) {
  const geo = await loadOutlines();
  const col = answerColours(doc);
  const byCode = new Map(doc.places.map((p) => [p.code, p]));
  const svg = s('svg', { class: 'map', viewBox: `0 0 ${geo.w} ${geo.h}`, role: 'img',
    'aria-label': `map of the answers of ${doc.set}, ${mode === 'now' ? 'now' : 'what-if'}` });
  svg.append(s('path', { d: geo.graticule, class: 'graticule' }));
  const paint = (place, outline, extra) => {
    const p = byCode.get(place.code);
    const shares = p ? p[mode] : null;
    const fill = shares ? col.get(majority(shares)) : '#e4e4e4';
    const moved = p && p.moved && mode === 'whatif';
    const title = `${place.name} (${place.code}): ${shares ? shareText(shares) : 'not asked'}` +
      (p && p.moved ? ` — what-if: ${shareText(p.whatif)}` : '');
    return s('path', { d: outline, fill, class: 'place' + extra + (moved ? ' moved' : ''), 'data-code': place.code,
      'data-answer': shares ? majority(shares) : '' }, s('title', {}, title));
  };
  const countries = s('g', {});
  for (const c of geo.countries) countries.append(paint(c, c.d, ''));
  const states = s('g', {});
  for (const st of geo.states) if (byCode.has(st.code)) states.append(paint(st, st.d, ' state'));
  svg.append(countries, states);

  const zoomBar = h('div', { class: 'zoom', role: 'group', 'aria-label': 'zoom' },
    Object.keys(zooms).map((name) => h('button', { type: 'button', onclick: () => zoom(svg, geo, zooms[name]) }, name)));

  // The legend: each answer with how many countries get it now and under the what-if.
  const count = (m) => {
    const n = new Map();
    for (const p of doc.places) if (p.level === 'country') n.set(majority(p[m]), (n.get(majority(p[m])) || 0) + 1);
    return n;
  };
  const now = count('now');
  const wi = count('whatif');
  const legend = h('ul', { class: 'legend' }, [...col.keys()].filter((a) => now.has(a) || wi.has(a)).map((a) =>
    h('li', {}, h('span', { class: 'swatch', style: `background:${col.get(a)}` }), h('code', {}, a),
      ` ${now.get(a) || 0} countries now` + (doc.down && doc.down.length ? `, ${wi.get(a) || 0} under the what-if` : ''))));
  const moved = doc.places.filter((p) => p.moved);
  const movedList = doc.down && doc.down.length ? h('details', { class: 'moved-list', open: moved.length <= 12 },
    h('summary', {}, `${moved.length} places move under the what-if`),
    h('ul', {}, moved.map((p) => h('li', {}, `${p.name} (${p.code}): ${shareText(p.now)} → ${shareText(p.whatif)}`)))) : null;
  el.replaceChildren(legend, zoomBar, h('div', { class: 'map-wrap' }, svg), movedList || '');
}

function zoom(svg, geo, codes) {
  if (!codes) {
    svg.setAttribute('viewBox', `0 0 ${geo.w} ${geo.h}`);
    return;
  }
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const c of codes) {
    const p = svg.querySelector(`path[data-code="${c}"]`);
    if (!p) continue;
    const b = p.getBBox();
    x0 = Math.min(x0, b.x); y0 = Math.min(y0, b.y);
    x1 = Math.max(x1, b.x + b.width); y1 = Math.max(y1, b.y + b.height);
  }
  if (x0 < x1) svg.setAttribute('viewBox', `${x0 - 20} ${y0 - 20} ${x1 - x0 + 40} ${y1 - y0 + 40}`);
}
