// The policy tree as an SVG graph: rules and endpoints as boxes laid out left to
// right (one row per leaf, a rule centred on its children), edges labelled with what
// a child is to its parent (share, tier, place, bias, location).

import { s } from './dom.js';

const COL = 222; // column width: a box and the room for an edge's label
const BOX_W = 166;
const BOX_H = 42;
const ROW = 52;
const PAD = 12;

// index builds the children lists of a /api/tree document, in index order.
export function index(tree) {
  const byId = new Map(tree.nodes.map((n) => [n.id, { ...n, children: [] }]));
  for (const n of byId.values()) {
    const p = byId.get(n.parent);
    if (p) p.children.push(n);
  }
  for (const n of byId.values()) n.children.sort((a, b) => a.index - b.index);
  const labels = new Map((tree.edges || []).map((e) => [e.to, e.label]));
  return { byId, root: byId.get(tree.root), labels };
}

// layout gives every node x (column) and y (row centre) and returns the box.
function layout(root) {
  let row = 0;
  let depth = 0;
  const walk = (n, d) => {
    n.depth = d;
    depth = Math.max(depth, d);
    if (!n.children.length) {
      n.y = row++ * ROW;
    } else {
      n.children.forEach((c) => walk(c, d + 1));
      n.y = (n.children[0].y + n.children[n.children.length - 1].y) / 2;
    }
    n.x = d * COL;
  };
  walk(root, 0);
  return { w: depth * COL + BOX_W + 2 * PAD, h: Math.max(1, row) * ROW - ROW + BOX_H + 2 * PAD };
}

// relative shortens a name inside the tree's zone ("eu.www.example.net." → "eu.www").
function relative(name, zone) {
  if (!zone || !name) return name || '';
  const z = zone.endsWith('.') ? zone : zone + '.';
  return name.endsWith('.' + z) ? name.slice(0, -z.length - 1) : name;
}

// summary says what an inner node holds when it has no name of its own.
function summary(n) {
  const k = n.children.length;
  switch (n.rule) {
    case 'weighted': return `${k} by weight, total ${n.children.reduce((a, c) => a + (c.weight || 0), 0)}`;
    case 'failover': return `${k} tiers in order`;
    case 'geolocation': return `${k} places`;
    case 'multivalue': return `up to ${n.max || 8} of ${k}`;
    default: return `${k} children`;
  }
}

// describe is a node's two lines of text.
export function describe(n, checkName, zone) {
  const label = n.label || n.id;
  const named = !label.includes('/');
  if (n.rule === 'leaf') {
    const where = n.check ? n.check_name || checkName(n.check).split('/')[0] : 'no check';
    return [n.value, named ? `${label} · ${where}` : `check ${where}`];
  }
  const params = [];
  if (n.sticky) params.push('sticky');
  if (n.alias) params.push(`→ ${relative(n.alias, zone)}`);
  if (n.collection) params.push(n.collection);
  if (n.all_down && n.all_down !== 'open') params.push(`all down: ${n.all_down}${n.fallback ? ' ' + n.fallback : ''}`);
  return [n.rule + (params.length ? ' ' + params.join(' · ') : ''), named ? label : summary(n)];
}

function clip(text, max) {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

// health is the class of a node's health: up, down, or none (leaf with no check).
function health(n) {
  if (!n.up) return 'down';
  return n.rule === 'leaf' && !n.check ? 'none' : 'up';
}

// render draws the tree into an <svg>. opts: checkName(id), selected (node id),
// path and highlight (Sets of ids from explain), onSelect(node).
export function render(tree, opts) {
  const { byId, root, labels } = index(tree);
  if (!root) return s('svg', { class: 'tree', role: 'img', 'aria-label': 'empty tree' });
  const box = layout(root);
  const svg = s('svg', {
    class: 'tree', viewBox: `${-PAD} ${-PAD - BOX_H / 2} ${box.w} ${box.h}`,
    role: 'group', 'aria-label': `policy tree of ${tree.set}`,
  });
  // As wide as the box allows, never larger than life, and no smaller than two thirds
  // (narrower screens scroll).
  svg.style.width = '100%';
  svg.style.maxWidth = `${box.w}px`;
  svg.style.minWidth = `${Math.round(box.w * 0.66)}px`;
  const edges = s('g', { class: 'edges' });
  const nodes = s('g', { class: 'nodes' });
  svg.append(edges, nodes);
  const hl = opts.highlight || new Set();
  const walked = opts.path || new Set();
  for (const n of byId.values()) {
    for (const c of n.children) {
      const x1 = n.x + BOX_W;
      const x2 = c.x;
      const mx = (x1 + x2) / 2;
      const on = hl.has(n.id) && hl.has(c.id);
      edges.append(s('path', {
        d: `M${x1} ${n.y}C${mx} ${n.y} ${mx} ${c.y} ${x2} ${c.y}`,
        class: 'edge' + (on ? ' hl' : '') + (c.up ? '' : ' down'),
      }));
      // Weights as "weight · share"; the server's label for every other relation.
      const label = c.weight !== undefined && c.share !== undefined ? `${c.weight} · ${Math.round(c.share * 1000) / 10}%` : labels.get(c.id);
      if (label) {
        edges.append(s('text', { x: x2 - 6, y: c.y - 6, class: 'edge-label', 'text-anchor': 'end' }, label));
      }
    }
    const [l1, l2] = describe(n, opts.checkName, tree.zone);
    const cls = ['node', n.rule === 'leaf' ? 'leaf' : 'rule', health(n)];
    if (hl.has(n.id)) cls.push('hl');
    else if (walked.has(n.id)) cls.push('walked');
    if (opts.selected === n.id) cls.push('selected');
    const g = s('g', {
      class: cls.join(' '), transform: `translate(${n.x} ${n.y - BOX_H / 2})`, tabindex: 0, role: 'button',
      'data-id': n.id, 'data-up': String(!!n.up),
      'aria-label': `${n.rule} ${l1}, ${l2}, ${n.up ? 'up' : 'down'}${hl.has(n.id) ? ', on the answer path' : ''}`,
      'aria-pressed': String(opts.selected === n.id),
    },
    s('title', {}, `${n.id}\n${l1}\n${l2}\n${n.up ? 'up' : 'DOWN'}`),
    s('rect', { width: BOX_W, height: BOX_H, rx: 6 }),
    s('circle', { cx: 11, cy: 13, r: 5, class: 'dot' }),
    s('text', { x: 21, y: 17, class: 'l1' }, clip(l1, 20)),
    s('text', { x: 9, y: 34, class: 'l2' }, clip(l2, 26)));
    const pick = () => opts.onSelect && opts.onSelect(n);
    g.addEventListener('click', pick);
    g.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        pick();
      }
    });
    nodes.append(g);
  }
  return svg;
}
