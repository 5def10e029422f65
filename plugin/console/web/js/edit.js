// Editing: changes to a tree's nodes collect in a draft change batch of Route 53
// record sets; the server plans it (the API's own validator, in a transaction rolled
// back) and the page shows the diff or the refusals field by field; it is applied only
// after a confirmation. Nothing here validates: values go to the server as typed.

const continents = new Set(['AF', 'AN', 'AS', 'EU', 'NA', 'OC', 'SA']);

const key = (r) => `${r.Name}|${r.Type}|${r.SetIdentifier || ''}`;
const clone = (r) => JSON.parse(JSON.stringify(r));
const norm = (n) => (n.endsWith('.') ? n : n + '.').toLowerCase();

// Draft is the batch being edited for one zone.
export class Draft {
  constructor(zoneId) {
    this.zoneId = zoneId;
    this.entries = []; // {action: 'UPSERT'|'CREATE', rrset, original}
    this.plan = null; // last plan answer, for this exact batch
  }

  get empty() {
    return this.entries.length === 0;
  }

  // rrset returns the draft's copy of record set r (made on first edit).
  edit(r) {
    let e = this.entries.find((x) => x.original && key(x.original) === key(r));
    if (!e) {
      e = { action: 'UPSERT', rrset: clone(r), original: r };
      this.entries.push(e);
    }
    this.plan = null;
    return e.rrset;
  }

  create(r) {
    this.entries.push({ action: 'CREATE', rrset: r, original: null });
    this.plan = null;
  }

  // current is r as the draft has it.
  current(r) {
    const e = this.entries.find((x) => x.original && key(x.original) === key(r));
    return e ? e.rrset : r;
  }

  indexOf(r) {
    return this.entries.findIndex((x) => x.original && key(x.original) === key(r));
  }

  batch(comment) {
    return { Comment: comment || 'console edit', Changes: this.entries.map((e) => ({ Action: e.action, ResourceRecordSet: e.rrset })) };
  }

  // errorsFor returns the plan's refusals about entry i.
  errorsFor(i) {
    if (!this.plan || this.plan.ok) return [];
    return (this.plan.errors || []).filter((e) => e.change === i);
  }
}

// recordOf finds the stored record set behind a tree node: the node's `record` when
// the server gives it; else (older servers) the one whose SetIdentifier is the node's
// label, in the group of the nearest alias above it (whose children are the alias
// target's record sets) or else the tree's own.
export function recordOf(node, tree, byId, groups) {
  const type = tree.set.slice(tree.set.lastIndexOf('/') + 1);
  if (node.record) {
    // The server says which record set the node comes from.
    const r = node.record;
    return groups.filter((g) => g.type === r.type && norm(g.name) === norm(r.name)).flatMap((g) => g.record_sets)
      .find((x) => (x.SetIdentifier || '') === (r.set_identifier || '')) || null;
  }
  if (node.rule !== 'leaf' && node.id !== tree.set && tree.nodes.some((n) => n.record)) return null; // a routing node: no record set of its own
  const setName = tree.set.slice(0, tree.set.lastIndexOf('/'));
  const all = groups.filter((g) => g.type === type).flatMap((g) => g.record_sets);
  if (node.id === tree.set) {
    const own = all.filter((r) => norm(r.Name) === norm(setName));
    return own.length === 1 ? own[0] : null;
  }
  const cands = all.filter((r) => r.SetIdentifier === (node.label || node.id));
  if (cands.length <= 1) return cands[0] || null;
  for (let p = byId.get(node.parent); p; p = byId.get(p.parent)) {
    if (p.alias) {
      const hit = cands.find((r) => norm(r.Name) === norm(p.alias));
      if (hit) return hit;
    }
  }
  return cands.find((r) => norm(r.Name) === norm(setName)) || cands[0];
}

// geoLocation turns what the user typed ("EU", "DE", "US-CA", "*") into Route 53's
// GeoLocation; the server judges whether it exists.
export function geoLocation(text) {
  const t = text.trim();
  if (continents.has(t)) return { ContinentCode: t };
  const dash = t.indexOf('-');
  if (dash > 0) return { CountryCode: t.slice(0, dash), SubdivisionCode: t.slice(dash + 1) };
  return { CountryCode: t };
}

export function geoText(g) {
  if (!g) return '';
  if (g.ContinentCode) return g.ContinentCode;
  return g.SubdivisionCode ? `${g.CountryCode}-${g.SubdivisionCode}` : g.CountryCode || '';
}

// number sends a number when the text is one, else the text (the server says what is
// wrong with it).
export function number(text) {
  const t = text.trim();
  return t !== '' && isFinite(Number(t)) ? Number(t) : t;
}

// swapFailover exchanges the Failover roles of two record sets (reordering tiers).
export function swapFailover(draft, a, b) {
  const ra = draft.edit(a);
  const rb = draft.edit(b);
  const t = ra.Failover;
  ra.Failover = rb.Failover;
  rb.Failover = t;
}
