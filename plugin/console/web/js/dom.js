// Small DOM helpers: element builders for HTML and SVG, and formatting.

const SVG = 'http://www.w3.org/2000/svg';

// h builds an HTML element: attrs (on… keys become listeners, class/for/aria-*
// attributes, anything else a property), then children (strings become text).
export function h(tag, attrs, ...children) {
  return fill(document.createElement(tag), attrs, children, false);
}

// s builds an SVG element the same way (every attr an attribute).
export function s(tag, attrs, ...children) {
  return fill(document.createElementNS(SVG, tag), attrs, children, true);
}

function fill(el, attrs, children, svg) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (svg || k === 'class' || k === 'for' || k === 'role' || k.startsWith('aria-') || k.startsWith('data-')) el.setAttribute(k, v === true ? '' : v);
    else el[k] = v;
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

// replace empties el and appends children.
export function replace(el, ...children) {
  el.replaceChildren();
  for (const c of children.flat(Infinity)) if (c !== undefined && c !== null && c !== false) el.append(c);
  return el;
}

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return isNaN(d) ? iso : d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export function fmtAgo(iso) {
  const d = (Date.now() - new Date(iso)) / 1000;
  if (!isFinite(d)) return '';
  if (d < 60) return `${Math.max(0, Math.round(d))} s ago`;
  if (d < 3600) return `${Math.round(d / 60)} min ago`;
  if (d < 86400) return `${Math.round(d / 3600)} h ago`;
  return `${Math.round(d / 86400)} d ago`;
}

export function fmtNum(n, digits = 1) {
  if (n === null || n === undefined || !isFinite(n)) return '–';
  return Number(n).toFixed(digits).replace(/\.0+$/, '');
}

// Endpoint colours: distinct in hue, readable with white text, none of them the red and
// green of health.
export const palette = ['#3366cc', '#ff9900', '#990099', '#0099c6', '#dd4477', '#66aa00',
  '#316395', '#994499', '#22aa99', '#aaaa11', '#6633cc', '#e67300', '#8b0707', '#329262'];

export function colour(i) {
  return i < 0 ? '#bbb' : palette[i % palette.length];
}
