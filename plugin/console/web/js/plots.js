// Small line charts in SVG: queries per second by record set and by answer, and
// health-check latency over time, from /api/stats and the live `stats` events.

import { h, s, colour, fmtNum } from './dom.js';

const W = 560;
const H = 180;
const M = { l: 44, r: 8, t: 10, b: 22 };

// chart draws series (each {name, values}) against times t (Unix seconds).
export function chart(title, unit, t, series) {
  const max = Math.max(0.1, ...series.flatMap((x) => x.values.filter((v) => v !== null && isFinite(v))));
  const top = niceCeil(max);
  const t0 = t[0] || 0;
  const t1 = Math.max(t0 + 1, t[t.length - 1] || 1);
  const X = (tt) => M.l + ((tt - t0) / (t1 - t0)) * (W - M.l - M.r);
  const Y = (v) => H - M.b - (v / top) * (H - M.t - M.b);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${title}: ${series.length} series` });
  for (const f of [0, 0.5, 1]) {
    const y = Y(top * f);
    svg.append(s('line', { x1: M.l, x2: W - M.r, y1: y, y2: y, class: 'grid' }),
      s('text', { x: M.l - 4, y: y + 4, 'text-anchor': 'end', class: 'axis' }, fmtNum(top * f, 1)));
  }
  const span = t1 - t0;
  svg.append(s('text', { x: M.l, y: H - 6, class: 'axis' }, span < 120 ? `−${Math.round(span)} s` : `−${Math.round(span / 60)} min`),
    s('text', { x: W - M.r, y: H - 6, 'text-anchor': 'end', class: 'axis' }, 'now'));
  series.forEach((x, i) => {
    let d = '';
    let pen = false;
    x.values.forEach((v, j) => {
      if (v === null || !isFinite(v) || t[j] === undefined) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${X(t[j]).toFixed(1)} ${Y(v).toFixed(1)}`;
      pen = true;
    });
    svg.append(s('path', { d: d || 'M0 0', class: 'series', stroke: colour(i) }, s('title', {}, x.name)));
  });
  const last = (x) => [...x.values].reverse().find((v) => v !== null && isFinite(v));
  return h('figure', { class: 'plot' }, h('figcaption', {}, title), svg,
    h('ul', { class: 'legend' }, series.map((x, i) => h('li', {},
      h('span', { class: 'swatch', style: `background:${colour(i)}` }), `${x.name}: ${fmtNum(last(x), 2)} ${unit}`))));
}

function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

// Stats keeps the /api/stats series and appends the live events' samples.
export class Stats {
  constructor(doc) {
    this.step = doc.step;
    this.t = [...doc.t];
    this.rrsets = new Map(doc.rrsets.map((x) => [x.set, [...x.qps]]));
    this.answers = new Map(doc.answers.map((x) => [`${x.set}|${x.endpoint}`, [...x.qps]]));
    this.latency = new Map(doc.latency.map((x) => [x.check, [...x.ms]]));
    this.keep = doc.t.length || 180;
  }

  // add appends one `stats` event: every series gets a value (null when absent).
  add(ev) {
    if (this.t.length && ev.t <= this.t[this.t.length - 1]) return;
    const n = this.t.length;
    this.t.push(ev.t);
    const put = (m, vals, zero) => {
      for (const k of Object.keys(vals || {})) if (!m.has(k)) m.set(k, new Array(n).fill(zero));
      for (const [k, arr] of m) arr.push(k in (vals || {}) ? vals[k] : zero);
    };
    put(this.rrsets, ev.rrsets, 0);
    put(this.answers, ev.answers, 0);
    put(this.latency, ev.latency, null);
    if (this.t.length > this.keep) {
      this.t.shift();
      for (const m of [this.rrsets, this.answers, this.latency]) for (const arr of m.values()) arr.shift();
    }
  }
}

// render draws the three plots: every record set's rate, the selected set's rate by
// answer, and each check's latency (named by checkName).
export function render(el, st, set, checkName) {
  const top = (m, n) => [...m].sort((a, b) => sum(b[1]) - sum(a[1])).slice(0, n);
  const rr = top(st.rrsets, 8).map(([k, v]) => ({ name: k, values: v }));
  const ans = [...st.answers].filter(([k]) => k.startsWith(set + '|')).map(([k, v]) => ({ name: k.slice(set.length + 1), values: v }));
  const lat = [...st.latency].map(([k, v]) => ({ name: checkName(k), values: v }));
  el.replaceChildren(
    chart('Queries per second by record set', 'q/s', st.t, rr),
    chart(`Queries per second of ${set || '(no record set)'} by answer`, 'q/s', st.t, ans),
    chart('Health-check latency', 'ms', st.t, lat));
}

const sum = (a) => a.reduce((x, y) => x + (y || 0), 0);
