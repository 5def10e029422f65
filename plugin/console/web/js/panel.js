// The node panel: what a selected node is, and the controls that edit it (weight,
// failover order, geolocation key, value, health check, a new branch). Every control
// writes into the draft; errors from the server's last plan show under the field
// they name.

import { h } from './dom.js';
import { recordOf, geoLocation, geoText, number, swapFailover } from './edit.js';

// field is a labelled input whose change runs apply(value); errs are the plan's
// refusals of this record set, shown when they name field (or no field).
function field(label, name, value, apply, errs, attrs = {}) {
  const id = 'f-' + name.replace(/\W/g, '-');
  const input = h('input', { id, value: value ?? '', ...attrs, onchange: (e) => apply(e.target.value) });
  const mine = errs.filter((e) => e.field === name || (e.field || '').startsWith(name + '.'));
  if (mine.length) input.setAttribute('aria-invalid', 'true');
  return h('div', { class: 'field' }, h('label', { for: id }, label), input,
    mine.map((e) => h('div', { class: 'error', role: 'alert', 'data-field': name }, e.message)));
}

function checkSelect(current, checks, checkName, apply) {
  return h('div', { class: 'field' }, h('label', { for: 'f-check' }, 'Health check'),
    h('select', { id: 'f-check', onchange: (e) => apply(e.target.value) },
      h('option', { value: '', selected: !current }, 'none (always healthy)'),
      checks.map((c) => h('option', { value: c.name, selected: c.name === current }, checkName(c.name)))));
}

// render fills el for node n. ctx: {tree, byId, groups, draft, checks, checkName, changed()}.
export function render(el, n, ctx) {
  if (!n) {
    el.replaceChildren(h('p', { class: 'muted' }, 'Select a node of the tree (click, or Tab and Enter) to see and edit it.'));
    return;
  }
  const { tree, byId, groups, draft, checks, checkName, changed } = ctx;
  const orig = recordOf(n, tree, byId, groups);
  const idx = orig ? draft.indexOf(orig) : -1;
  const errs = idx >= 0 ? draft.errorsFor(idx) : [];
  const cur = orig ? draft.current(orig) : null;
  const set = (fn) => {
    fn(draft.edit(orig));
    changed();
  };
  const parts = [h('h3', {}, n.rule === 'leaf' ? `Endpoint ${n.value}` : `${n.rule} rule`),
    h('p', { class: 'muted small' }, `node ${n.label || n.id} · ${n.up ? 'up' : 'down'}`)];
  if (!orig) {
    parts.push(h('p', { class: 'muted' }, n.rule !== 'leaf'
      ? 'This rule is made of its children\'s record sets: select one to edit it, or add a branch below.'
      : 'Not a stored record set (a part of a traffic policy document): edit the document.'));
  } else {
    parts.push(h('p', { class: 'muted small' }, `record set ${orig.Name} ${orig.Type}${orig.SetIdentifier ? ' [' + orig.SetIdentifier + ']' : ''}`));
    if (cur.Weight !== undefined) {
      parts.push(field(`Weight (share now ${Math.round((n.share || 0) * 100)} %)`, 'Weight', cur.Weight,
        (v) => set((r) => (r.Weight = number(v))), errs, { inputmode: 'numeric', 'data-edit': 'weight' }));
    }
    if (cur.Failover) {
      const sibs = (byId.get(n.parent)?.children || []).filter((c) => c.tier);
      const other = sibs.find((c) => c.id !== n.id);
      const otherRec = other && recordOf(other, tree, byId, groups);
      parts.push(h('div', { class: 'field' }, h('span', {}, `Failover: ${cur.Failover.toLowerCase()}`), ' ',
        otherRec ? h('button', { type: 'button', 'data-edit': 'swap', onclick: () => { swapFailover(draft, orig, otherRec); changed(); } },
          cur.Failover === 'PRIMARY' ? `Make ${other.id} primary` : 'Make this primary') : ''));
    }
    if (cur.GeoLocation) {
      parts.push(field('Location (continent EU, country DE, subdivision US-CA, * default)', 'GeoLocation', geoText(cur.GeoLocation),
        (v) => set((r) => (r.GeoLocation = geoLocation(v))), errs, { 'data-edit': 'geo' }));
    }
    if (cur.ResourceRecords && cur.ResourceRecords.length === 1) {
      parts.push(field('Value', 'ResourceRecords', cur.ResourceRecords[0].Value,
        (v) => set((r) => (r.ResourceRecords = [{ Value: v.trim() }])), errs, { 'data-edit': 'value' }));
    }
    if (cur.TTL !== undefined) {
      parts.push(field('TTL (seconds)', 'TTL', cur.TTL, (v) => set((r) => (r.TTL = number(v))), errs, { inputmode: 'numeric' }));
    }
    if (n.rule === 'leaf' || cur.HealthCheckId) {
      parts.push(checkSelect(cur.HealthCheckId, checks, checkName, (v) => set((r) => {
        if (v) r.HealthCheckId = v;
        else delete r.HealthCheckId;
      })));
    }
    const general = errs.filter((e) => !e.field);
    parts.push(general.map((e) => h('div', { class: 'error', role: 'alert' }, e.message)));
  }
  if (n.rule !== 'leaf' && n.children.length) parts.push(addBranch(n, ctx));
  el.replaceChildren(...parts);
}

// addBranch: a form for a new child of n, shaped like its siblings: an endpoint, or a
// new rule (weighted, failover or multivalue) holding its first endpoint — in Route
// 53's form an alias to a new record set of that rule.
function addBranch(n, ctx) {
  const { tree, byId, groups, draft, checks, checkName, changed } = ctx;
  const sib = n.children.map((c) => recordOf(c, tree, byId, groups)).find(Boolean);
  if (!sib) return '';
  const inputs = {};
  const row = (label, name, attrs = {}) => {
    inputs[name] = h('input', { id: 'nb-' + name, ...attrs });
    return h('div', { class: 'field' }, h('label', { for: 'nb-' + name }, label), inputs[name]);
  };
  const kind = h('select', { id: 'nb-kind' }, [['endpoint', 'an endpoint'], ['weighted', 'a weighted rule'],
    ['failover', 'a failover rule'], ['multivalue', 'a multivalue rule']].map(([v, t]) => h('option', { value: v }, t)));
  const sel = h('select', { id: 'nb-check' }, h('option', { value: '' }, 'none'),
    checks.map((c) => h('option', { value: c.name }, checkName(c.name))));
  const form = h('form', { class: 'add-branch' },
    h('h4', {}, `Add a branch to ${n.label || n.id}`),
    h('div', { class: 'field' }, h('label', { for: 'nb-kind' }, 'Branch'), kind),
    row('Set identifier', 'id', { required: true }),
    row('Value (the first endpoint of a new rule)', 'value', { required: true }),
    sib.Weight !== undefined ? row('Weight', 'weight', { inputmode: 'numeric' }) : '',
    sib.GeoLocation ? row('Location (EU, DE, US-CA, *)', 'geo') : '',
    sib.Failover ? row('Failover role (PRIMARY or SECONDARY)', 'failover') : '',
    h('div', { class: 'field' }, h('label', { for: 'nb-check' }, 'Health check'), sel),
    h('button', { type: 'submit', id: 'nb-add' }, 'Add to the change batch'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const group = norm(sib.Name); // a sibling's owner
    const id = inputs.id.value.trim();
    const ttl = sib.TTL ?? tree.ttl ?? 60;
    // What the new record set is to n: the fields of n's rule.
    const place = (r) => {
      if (inputs.weight) r.Weight = number(inputs.weight.value);
      if (inputs.geo) r.GeoLocation = geoLocation(inputs.geo.value);
      if (inputs.failover) r.Failover = inputs.failover.value.trim().toUpperCase();
      if (sib.MultiValueAnswer) r.MultiValueAnswer = true;
      return r;
    };
    const endpoint = (name, sid) => {
      const r = { Name: name, Type: sib.Type, SetIdentifier: sid, TTL: ttl, ResourceRecords: [{ Value: inputs.value.value.trim() }] };
      if (sel.value) r.HealthCheckId = sel.value;
      return r;
    };
    if (kind.value === 'endpoint') {
      draft.create(place(endpoint(group, id)));
    } else {
      // The new rule's record sets first (the alias's target must exist), then the alias.
      const target = `${id}.${group}`;
      const first = endpoint(target, `${id}-1`);
      if (kind.value === 'weighted') first.Weight = 100;
      if (kind.value === 'failover') first.Failover = 'PRIMARY';
      if (kind.value === 'multivalue') first.MultiValueAnswer = true;
      draft.create(first);
      draft.create(place({ Name: group, Type: sib.Type, SetIdentifier: id,
        AliasTarget: { HostedZoneId: draft.zoneId, DNSName: target, EvaluateTargetHealth: true } }));
    }
    changed();
  });
  return form;
}

const norm = (s) => (s.endsWith('.') ? s : s + '.').toLowerCase();
