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

// render draws doc (an /api/map answer) in mode 'now' or 'whatif' into el, and its
// legend and the list of places that move into side.
export async function render(el, side, doc, mode) {
  const geo = await loadOutlines();
  const col = answerColours(doc);
  // Codes are per level: NA is Namibia as a country and North America as a continent.
  const countries = new Map(doc.places.filter((p) => p.level === 'country').map((p) => [p.code, p]));
  const subdivisions = new Map(doc.places.filter((p) => p.level === 'subdivision').map((p) => [p.code, p]));
  const svg = s('svg', { class: 'map', viewBox: `0 0 ${geo.w} ${geo.h}`, role: 'img',
    'aria-label': `map of the answers of ${doc.set}, ${mode === 'now' ? 'now' : 'what-if'}` });
  svg.append(s('path', { d: geo.graticule, class: 'graticule' }));
  const paint = (place, outline, extra, byCode) => {
    const p = byCode.get(place.code);
    const shares = p ? p[mode] : null;
    const fill = shares ? col.get(majority(shares)) : '#e4e4e4';
    const moved = p && p.moved && mode === 'whatif';
    const title = `${place.name} (${place.code}): ${shares ? shareText(shares) : 'not asked'}` +
      (p && p.moved ? ` — what-if: ${shareText(p.whatif)}` : '');
    return s('path', { d: outline, fill, class: 'place' + extra + (moved ? ' moved' : ''), 'data-code': place.code,
      'data-answer': shares ? majority(shares) : '' }, s('title', {}, title));
  };
  const cg = s('g', {});
  for (const c of geo.countries) cg.append(paint(c, c.d, '', countries));
  const sg = s('g', {});
  for (const st of geo.states) if (subdivisions.has(st.code)) sg.append(paint(st, st.d, ' state', subdivisions));
  svg.append(cg, sg);

  const views = [['World', [0, 0, geo.w, geo.h]], ...Object.entries(geo.views || {}).sort()];
  const zoomBar = h('div', { class: 'zoom', role: 'group', 'aria-label': 'zoom' },
    views.map(([name, b]) => h('button', { type: 'button', class: 'secondary', 'data-view': name, 'aria-pressed': String(svg.getAttribute('viewBox') === b.join(' ')),
      onclick: (e) => {
        svg.setAttribute('viewBox', b.join(' '));
        currentView = b.join(' ');
        for (const x of zoomBar.children) x.setAttribute('aria-pressed', String(x === e.target));
      } }, name)));
  if (currentView) svg.setAttribute('viewBox', currentView);

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
  el.replaceChildren(zoomBar, h('div', { class: 'map-wrap' }, svg));
  side.replaceChildren(h('h3', {}, mode === 'now' ? 'Answers now' : 'Answers under the what-if'), legend, movedList || '');
}

let currentView = ''; // the zoom survives redraws


// whatIfSwitches: a checkbox per health check of the tree (named by the endpoints
// behind it) and per endpoint without one; ticking one adds it to down (a Set) and
// calls changed.
export function whatIfSwitches(tree, down, checks, checkName, title, changed) {
  const leaves = tree ? tree.nodes.filter((n) => n.rule === 'leaf') : [];
  const keys = new Map();
  for (const l of leaves) {
    const k = l.check || l.value;
    const e = keys.get(k) || { values: new Set(), ids: [] };
    e.values.add(l.value);
    const label = l.label || l.id;
    if (!label.includes('/')) e.ids.push(label);
    keys.set(k, e);
  }
  return [...keys].map(([k, e]) => h('label', { class: 'check', title: title(k) },
    h('input', { type: 'checkbox', value: k, checked: down.has(k), onchange: (ev) => {
      if (ev.target.checked) down.add(k); else down.delete(k);
      changed();
    } }), ` ${[...e.values].join(', ')}`, h('span', { class: 'muted small' },
      ` ${checks.find((c) => c.name === k) ? 'check ' + checkName(k) + ': ' : ''}${e.ids.slice(0, 3).join(', ')}${e.ids.length > 3 ? '…' : ''}`)));
}
