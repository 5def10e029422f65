// The change log: who, when, comment, the record sets before and after; revert.

import { h, fmtTime } from './dom.js';

// rrsetText prints a Route 53 record set on one line, as `coredns changes` does.
export function rrsetText(r) {
  if (!r) return '';
  const parts = [r.Name, r.Type];
  if (r.SetIdentifier) parts.push(`[${r.SetIdentifier}]`);
  if (r.Weight !== undefined) parts.push(`weight=${r.Weight}`);
  if (r.Failover) parts.push(`failover=${r.Failover}`);
  if (r.GeoLocation) parts.push('geo=' + Object.values(r.GeoLocation).join('-'));
  if (r.Region) parts.push(`region=${r.Region}`);
  if (r.MultiValueAnswer) parts.push('multivalue');
  if (r.GeoProximityLocation) parts.push('geoproximity=' + JSON.stringify(r.GeoProximityLocation));
  if (r.CidrRoutingConfig) parts.push(`cidr=${r.CidrRoutingConfig.LocationName}`);
  if (r.TTL !== undefined) parts.push(`ttl=${r.TTL}`);
  if (r.ResourceRecords) parts.push(r.ResourceRecords.map((x) => JSON.stringify(x.Value)).join(' '));
  if (r.AliasTarget) parts.push(`alias=${r.AliasTarget.DNSName}${r.AliasTarget.EvaluateTargetHealth ? ' (evaluate health)' : ''}`);
  if (r.HealthCheckId) parts.push(`check=${r.HealthCheckId}`);
  return parts.join(' ');
}

function lines(c) {
  const key = (r) => `${r.Name}|${r.Type}|${r.SetIdentifier || ''}`;
  const after = new Map((c.After || []).map((r) => [key(r), r]));
  const out = [];
  for (const b of c.Before || []) {
    const a = after.get(key(b));
    if (a && rrsetText(a) === rrsetText(b)) continue;
    out.push(h('div', { class: 'del' }, '− ' + rrsetText(b)));
  }
  const before = new Map((c.Before || []).map((r) => [key(r), r]));
  for (const a of c.After || []) {
    const b = before.get(key(a));
    if (b && rrsetText(a) === rrsetText(b)) continue;
    out.push(h('div', { class: 'add' }, '+ ' + rrsetText(a)));
  }
  return out;
}

// render lists doc's changes; onRevert(change, button, out) asks to revert one.
export function render(el, doc, onRevert) {
  if (!doc.changes.length) {
    el.replaceChildren(h('p', { class: 'muted' }, 'No changes yet.'));
    return;
  }
  el.replaceChildren(h('ol', { class: 'changes' }, doc.changes.map((c) => {
    const out = h('div', { class: 'result', role: 'status' });
    const btn = h('button', { type: 'button', class: 'secondary' }, 'Revert…');
    btn.addEventListener('click', () => onRevert(c, btn, out));
    return h('li', { 'data-change': c.Id },
      h('div', { class: 'change-head' },
        h('time', { datetime: c.SubmittedAt }, fmtTime(c.SubmittedAt)), ' ',
        h('code', {}, c.Id), ' by ', h('strong', {}, c.Caller || '?'),
        c.Comment ? h('q', {}, c.Comment) : '', ' ', btn),
      h('pre', { class: 'diff' }, lines(c)), out);
  })));
}
