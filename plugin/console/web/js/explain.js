// Explain: a client subnet (and source address) in, the path through the tree, the
// answer, its TTL and ECS scope out — from /api/explain, the same code as `coredns
// explain`.

import { h, replace } from './dom.js';
import { get, q } from './api.js';

export async function explain(el, p) {
  const doc = await get('/api/explain?' + q(p));
  const ex = doc.explanation || {};
  const where = ex.location || '';
  const steps = ex.record_sets?.[0]?.trace?.steps || [];
  const hl = new Set(doc.highlight || []);
  replace(el,
    h('dl', { class: 'answer' },
      h('dt', {}, 'Answer'), h('dd', { id: 'explain-answer' }, (doc.answer || []).length ? doc.answer.join(', ') : ex.rcode || 'no answer'),
      h('dt', {}, 'TTL'), h('dd', { id: 'explain-ttl' }, doc.ttl ?? '–'),
      h('dt', {}, 'ECS scope'), h('dd', { id: 'explain-scope' }, doc.scope !== undefined ? `/${doc.scope}` : 'none (no ECS)'),
      h('dt', {}, 'Client'), h('dd', {}, [ex.source, ex.ecs ? `ECS ${ex.ecs}` : ''].filter(Boolean).join(', ')),
      h('dt', {}, 'Placed'), h('dd', {}, where || 'location unknown')),
    h('ol', { class: 'steps' }, steps.map((s) => h('li', { class: hl.has(s.node) ? 'hl' : '', style: `margin-left:${s.depth}em` },
      h('strong', {}, s.node), ` ${s.rule}: ${s.result}`, s.value ? ` ${s.value}` : '', s.inputs ? h('div', { class: 'muted small' }, s.inputs) : ''))));
  return { set: doc.set, path: doc.path, highlight: doc.highlight };
}
