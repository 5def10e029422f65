// The console page: zones → record sets → a record set's policy tree, the world map,
// explain, health checks, the change log and plots, kept live by the event stream.

import { h, replace } from './dom.js';
import * as api from './api.js';
import * as treeView from './tree.js';
import * as mapView from './mapview.js';
import * as healthView from './health.js';
import * as changesView from './changes.js';
import * as plots from './plots.js';
import * as panel from './panel.js';
import * as review from './review.js';
import { Draft } from './edit.js';
import { explain } from './explain.js';
import { confirm } from './dialog.js';
import { biggestTree } from './groups.js';

const views = ['tree', 'map', 'explain', 'health', 'changes', 'plots'];
const st = {
  view: 'tree', zones: [], zone: '', zoneName: '', groups: [], set: '', tree: null, idx: null,
  checks: [], healthDoc: null, mapDoc: null, mapMode: 'now', down: new Set(), stats: null,
  selected: '', explained: null, draft: null,
};
const $ = (id) => document.getElementById(id);

// checkName: a health check by the name it was created with (its CallerReference),
// else its target (host:port/path), else a short id.
function checkName(id) {
  const c = st.checks.find((x) => x.name === id);
  if (c && c.caller_reference) return c.caller_reference;
  if (!c || !c.target) return id.length > 12 ? id.slice(0, 8) + '…' : id;
  return c.target.replace(/^[a-z]+:\/\//, '');
}

// ---- navigation: #view?zone=Z…&set=NAME/TYPE
function readHash() {
  const [v, qs] = location.hash.replace(/^#/, '').split('?');
  const p = new URLSearchParams(qs || '');
  return { view: views.includes(v) ? v : 'tree', zone: p.get('zone') || '', set: p.get('set') || '' };
}

function writeHash() {
  const hash = `#${st.view}?${api.q({ zone: st.zone, set: st.set })}`;
  if (location.hash !== hash) history.replaceState(null, '', hash);
}

function showView(v) {
  st.view = v;
  for (const name of views) {
    const tab = $('tab-' + name);
    tab.setAttribute('aria-selected', String(name === v));
    tab.tabIndex = name === v ? 0 : -1;
    $('view-' + name).hidden = name !== v;
  }
  writeHash();
  draw();
}

// ---- loading
async function loadZones() {
  const doc = await api.get('/api/zones');
  st.zones = doc.zones;
  if (!st.zones.find((z) => z.id === st.zone)) st.zone = st.zones[0]?.id || '';
  replace($('zone'), st.zones.map((z) => h('option', { value: z.id, selected: z.id === st.zone }, `${z.name} (${z.record_sets})`)));
  await loadZone();
}

async function loadZone() {
  if (!st.zone) return;
  const doc = await api.get(`/api/zones/${encodeURIComponent(st.zone)}/rrsets`);
  st.zoneName = doc.zone.name;
  st.groups = doc.groups;
  if (!st.draft || st.draft.zoneId !== st.zone) st.draft = new Draft(st.zone);
  if (!st.groups.find((g) => g.set === st.set)) st.set = biggestTree(st.groups);
  replace($('set'), st.groups.map((g) => h('option', { value: g.set, selected: g.set === st.set }, `${g.name} ${g.type} · ${g.routing}`)));
  await loadSet();
}

async function loadSet() {
  writeHash();
  if (!st.set) return;
  const [tree] = await Promise.all([api.get('/api/tree?' + api.q({ set: st.set })), loadHealth()]);
  st.tree = tree;
  st.idx = treeView.index(tree);
  st.mapDoc = null; // fetched when the map is shown
  draw();
}

async function loadHealth() {
  st.healthDoc = await api.get('/api/health');
  st.checks = st.healthDoc.checks;
}

async function loadMap() {
  if (!st.set) return;
  try {
    st.mapDoc = await api.get('/api/map?' + api.q({ set: st.set, down: [...st.down].join(',') }));
    $('map-error').textContent = '';
  } catch (err) {
    $('map-error').textContent = err.message;
  }
}

async function loadChanges() {
  const doc = await api.get('/api/changes?' + api.q({ zone: st.zone }));
  changesView.render($('changes-list'), doc, revert);
}

async function loadStats() {
  st.stats = new plots.Stats(await api.get('/api/stats'));
}

// ---- drawing the current view
function draw() {
  if (st.view === 'tree') drawTree();
  else if (st.view === 'map') drawMap();
  else if (st.view === 'explain') drawExplainTree();
  else if (st.view === 'health' && st.healthDoc) healthView.render($('health-body'), st.healthDoc, checkName, usedBy);
  else if (st.view === 'changes') loadChanges().catch(showError);
  else if (st.view === 'plots') (st.stats ? Promise.resolve() : loadStats()).then(() => plots.render($('plots-body'), st.stats, st.set, checkName)).catch(showError);
  drawStatus();
}

function drawStatus() {
  const down = st.checks.filter((c) => !c.up);
  $('down-summary').textContent = st.checks.length ? (down.length ? `${down.length} of ${st.checks.length} checks down` : `all ${st.checks.length} checks up`) : '';
  $('down-summary').className = 'pill ' + (down.length ? 'down' : 'up');
}

function drawTree() {
  if (!st.tree) return;
  const ctx = { tree: st.tree, byId: st.idx.byId, groups: st.groups, draft: st.draft, checks: st.checks, checkName, changed };
  replace($('tree-graph'), treeView.render(st.tree, { checkName, selected: st.selected, onSelect: select }));
  $('tree-title').textContent = `${st.tree.set} · TTL ${st.tree.ttl} · revision ${st.tree.revision}`;
  panel.render($('node-panel'), st.idx.byId.get(st.selected), ctx);
  review.render($('batch'), { draft: st.draft, zone: st.zone, zoneName: st.zoneName, changed, applied });
}

function select(n) {
  st.selected = n.id;
  drawTree();
  const g = $('tree-graph').querySelector(`[data-id="${CSS.escape(n.id)}"]`);
  if (g) g.focus();
  const first = $('node-panel').querySelector('input, select, button');
  if (first && window.matchMedia('(max-width: 800px)').matches) first.scrollIntoView({ block: 'nearest' });
}

// changed: the draft moved (plan: true when a plan answer arrived).
function changed(plan) {
  drawTree();
  if (!plan) return;
  // A refusal: to the first field it names (its message is beside it); else the diff.
  const bad = $('node-panel').querySelector('[aria-invalid=true]');
  if (bad) bad.focus();
  else $('batch').querySelector('.plan')?.scrollIntoView({ block: 'nearest' });
}

let flashTimer = 0;
function flash(text, error) {
  $('flash').textContent = text;
  $('flash').className = 'flash' + (error ? ' error' : '');
  clearTimeout(flashTimer);
  if (!error) flashTimer = setTimeout(() => { $('flash').textContent = ''; }, 8000);
}

async function applied(info) {
  flash(`Change ${info.Id.replace(/^\/change\//, '')} is ${info.Status}.`);
  await loadZone();
}

function drawMap() {
  replace($('whatif'), mapView.whatIfSwitches(st.tree, st.down, st.checks, checkName, keyTitle, () => {
    st.mapMode = st.down.size ? 'whatif' : 'now';
    loadMap().then(drawMap);
  }));
  for (const r of document.querySelectorAll('input[name=mapmode]')) r.checked = r.value === st.mapMode;
  if (!st.mapDoc || st.mapDoc.set !== st.set) {
    loadMap().then(() => st.mapDoc && st.view === 'map' && mapView.render($('map-body'), $('map-legend'), st.mapDoc, st.mapMode)).catch(showError);
    return;
  }
  mapView.render($('map-body'), $('map-legend'), st.mapDoc, st.mapMode).catch(showError);
}

// usedBy: the endpoints of the shown tree that a check guards.
function usedBy(check) {
  if (!st.tree) return '';
  const vals = new Set(st.tree.nodes.filter((n) => n.check === check).map((n) => n.value));
  return [...vals].join(', ');
}

function keyTitle(k) {
  const c = st.checks.find((x) => x.name === k);
  return c ? `health check ${k} (${c.target})` : `endpoint ${k}`;
}

function drawExplainTree() {
  if (!st.tree) return;
  const e = st.explained && st.explained.set === st.tree.set ? st.explained : null;
  replace($('explain-graph'), treeView.render(st.tree, { checkName, path: new Set(e?.path || []), highlight: new Set(e?.highlight || []) }));
  if (!$('explain-name').value) {
    $('explain-name').value = st.set.slice(0, st.set.lastIndexOf('/'));
    $('explain-type').value = st.set.slice(st.set.lastIndexOf('/') + 1);
  }
}

async function revert(c, btn, out) {
  const yes = await confirm(`Revert change ${c.Id}?`, `${c.Comment ? '“' + c.Comment + '”: ' : ''}its inverse is applied as a new change.`,
    'Revert', 'confirm-revert');
  if (!yes) return;
  btn.disabled = true;
  try {
    const res = await api.post(`/api/changes/${encodeURIComponent(c.Id)}/revert`, { confirm: true });
    out.textContent = `Reverted as ${res.change.Id.replace(/^\/change\//, '')}.`;
  } catch (err) {
    out.replaceChildren(h('div', { class: 'error', role: 'alert' }, err.message,
      h('ul', {}, (err.doc?.errors || []).map((e) => h('li', {}, e.message)))));
    btn.disabled = false;
  }
}

function showError(err) {
  flash(String(err.message || err), true);
}

// ---- live updates
let refetchTimer = 0;
function refetchSoon(what) {
  clearTimeout(refetchTimer);
  refetchTimer = setTimeout(async () => {
    try {
      if (what === 'revision') await loadZone();
      else {
        await Promise.all([loadHealth(), st.set ? api.get('/api/tree?' + api.q({ set: st.set })).then((t) => { st.tree = t; st.idx = treeView.index(t); }) : null]);
        if (st.view === 'map') await loadMap();
        else st.mapDoc = null;
        draw();
      }
    } catch (err) {
      showError(err);
    }
  }, 100);
}

function onHealth(ev) {
  // Paint the endpoints at once; the refetch brings the rules' state and the map.
  if (st.tree) for (const n of st.tree.nodes) if (n.check === ev.check) n.up = ev.up;
  const c = st.checks.find((x) => x.name === ev.check);
  if (c) c.up = ev.up;
  if (st.healthDoc) st.healthDoc.transitions = [ev, ...(st.healthDoc.transitions || [])];
  if (st.tree) st.idx = treeView.index(st.tree);
  draw();
  refetchSoon('health');
}

function onStats(ev) {
  if (!st.stats) return;
  st.stats.add(ev);
  if (st.view === 'plots') plots.render($('plots-body'), st.stats, st.set, checkName);
}

// ---- start
function wire() {
  const tabs = views.map((v) => $('tab-' + v));
  tabs.forEach((tab, i) => {
    tab.addEventListener('click', () => showView(views[i]));
    tab.addEventListener('keydown', (e) => {
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (!d) return;
      const next = tabs[(i + d + tabs.length) % tabs.length];
      next.focus();
      next.click();
    });
  });
  $('zone').addEventListener('change', (e) => { st.zone = e.target.value; st.set = ''; st.selected = ''; loadZone().catch(showError); });
  $('set').addEventListener('change', (e) => { st.set = e.target.value; st.selected = ''; st.down.clear(); st.mapMode = 'now'; loadSet().catch(showError); });
  $('logout').addEventListener('click', () => api.logout());
  for (const r of document.querySelectorAll('input[name=mapmode]')) r.addEventListener('change', (e) => { st.mapMode = e.target.value; drawMap(); });
  $('explain-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      st.explained = await explain($('explain-result'), {
        name: $('explain-name').value, type: $('explain-type').value, ecs: $('explain-ecs').value, source: $('explain-source').value,
      });
      drawExplainTree();
    } catch (err) {
      replace($('explain-result'), h('div', { class: 'error', role: 'alert' }, err.message));
    }
  });
}

async function main() {
  const s = await api.session();
  $('user').textContent = s.user;
  const hsh = readHash();
  st.zone = hsh.zone;
  st.set = hsh.set;
  wire();
  await loadZones();
  showView(hsh.view);
  api.events({ health: onHealth, revision: () => refetchSoon('revision'), stats: onStats }, (state) => {
    $('live').textContent = state;
    $('live').className = 'pill ' + (state === 'live' ? 'up' : 'down');
  });
}

main().catch(showError);
