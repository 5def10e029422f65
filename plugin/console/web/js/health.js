// Health checks: state, each checker's recent observations, measured latency, and
// the last transitions.

import { h, fmtAgo, fmtNum, fmtTime } from './dom.js';

// results draws the last probes, oldest left (the engine lists them newest first).
function results(list) {
  return h('span', { class: 'results', 'aria-label': 'last results, oldest first' },
    (list || []).slice(0, 20).reverse().map((r) => h('span', {
      class: 'r ' + (r.ok ? 'ok' : 'fail'),
      title: `${fmtTime(r.at)} ${r.result}${r.code ? ' ' + r.code : ''} ${fmtNum(r.latency_ms, 1)} ms`,
    })));
}

// checker draws one vantage point: this process's last probes, or a peer replica's
// last observation in Route 53's words.
function checker(k) {
  const seen = k.last_results ? results(k.last_results)
    : h('span', { class: 'muted small', title: k.checked_time ? fmtTime(k.checked_time) : '' },
      (k.status || '') + (k.checked_time ? ` (${fmtAgo(k.checked_time)})` : ''));
  return h('div', { class: 'checker' }, h('span', { class: 'state ' + (k.up ? 'up' : 'down') }, k.id), ' ', seen);
}

function state(c) {
  const up = c.up;
  const text = up ? 'up' : 'down';
  return h('span', { class: 'state ' + text }, text + (c.override ? ` (forced ${c.override})` : ''));
}

// render lists doc's checks; usedBy(check) names the endpoints of the shown tree
// behind a check.
export function render(el, doc, checkName, usedBy) {
  const rows = doc.checks.map((c) => h('tr', { 'data-check': c.name, 'data-up': String(!!c.up) },
    h('th', { scope: 'row' }, h('div', {}, checkName(c.name)), h('div', { class: 'muted small' }, c.name)),
    h('td', {}, usedBy(c.name) || h('span', { class: 'muted' }, '–')),
    h('td', {}, c.type),
    h('td', {}, state(c), h('div', { class: 'muted small' }, c.since ? 'since ' + fmtAgo(c.since) : '')),
    h('td', { class: 'num' }, fmtNum(c.latency_ms, 1), h('div', { class: 'muted small' }, 'avg ' + fmtNum(c.latency_ewma_ms, 1))),
    h('td', { class: 'num' }, c.probes ?? ''),
    h('td', {}, (c.checkers && c.checkers.length ? c.checkers : [{ id: 'local', up: c.up, last_results: c.last_results }])
      .map(checker))));
  const trans = (doc.transitions || []).slice(0, 30).map((t) => h('li', {},
    h('time', { datetime: t.at }, fmtTime(t.at)), ' ', h('strong', {}, checkName(t.check)), ' ',
    h('span', { class: 'state ' + (t.up ? 'up' : 'down') }, t.up ? 'up' : 'down'), t.reason ? ` — ${t.reason}` : ''));
  el.replaceChildren(
    h('div', { class: 'table-wrap' }, h('table', { class: 'health' },
      h('caption', {}, `${doc.checks.length} health checks, ${doc.checks.filter((c) => !c.up).length} down`),
      h('thead', {}, h('tr', {}, ['Check', 'Endpoints in this tree', 'Type', 'State', 'Latency ms', 'Probes', 'Observations'].map((x) => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows))),
    h('h3', {}, 'Last transitions'),
    trans.length ? h('ol', { class: 'transitions' }, trans) : h('p', { class: 'muted' }, 'No transitions since the console started.'));
}
