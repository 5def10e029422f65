// The draft change batch: what is pending, the server's plan of it (a diff, or its
// refusals), and apply after a confirmation.

import { h } from './dom.js';
import { post, get, APIError } from './api.js';
import { rrsetText } from './changes.js';
import { confirm } from './dialog.js';

function diffRow(d) {
  const fields = new Set(d.fields || []);
  const show = (r, sign) => (r ? h('div', { class: sign === '+' ? 'add' : 'del' }, `${sign} ${rrsetText(r)}`) : '');
  const changedFields = [...fields].map((f) => {
    const b = d.before ? JSON.stringify(d.before[f]) : '–';
    const a = d.after ? JSON.stringify(d.after[f]) : '–';
    return h('li', {}, h('strong', {}, f), `: ${b ?? '–'} → ${a ?? '–'}`);
  });
  return h('li', { class: 'diff-item ' + d.action },
    h('div', {}, h('span', { class: 'badge' }, d.action), ` ${d.name} ${d.type}${d.set_identifier ? ' [' + d.set_identifier + ']' : ''}`),
    changedFields.length ? h('ul', { class: 'fields' }, changedFields) : '',
    h('pre', { class: 'diff' }, show(d.before, '−'), show(d.after, '+')));
}

// render fills el with the draft's state. ctx: {draft, zone, changed(), applied(change)}.
export function render(el, ctx) {
  const { draft } = ctx;
  if (draft.empty) {
    el.replaceChildren(h('p', { class: 'muted' }, 'No pending changes. Edit a node to start a change batch.'));
    return;
  }
  const comment = h('input', { id: 'batch-comment', value: draft.comment || '', placeholder: 'what and why',
    onchange: (e) => { draft.comment = e.target.value; } });
  const status = h('div', { class: 'plan', role: 'status', 'aria-live': 'polite' });
  const planBtn = h('button', { type: 'button', id: 'plan' }, 'Review the diff');
  const applyBtn = h('button', { type: 'button', id: 'apply', disabled: !(draft.plan && draft.plan.ok) }, 'Apply…');
  const discard = h('button', { type: 'button', class: 'secondary' }, 'Discard');
  const pending = h('ol', { class: 'pending' }, draft.entries.map((e) => h('li', {}, `${e.action} ${rrsetText(e.rrset)}`)));
  planBtn.addEventListener('click', async () => {
    planBtn.disabled = true;
    status.textContent = 'Asking the server…';
    try {
      draft.plan = await post(`/api/zones/${encodeURIComponent(ctx.zone)}/plan`, draft.batch(draft.comment));
    } catch (err) {
      draft.plan = { ok: false, error: err.doc?.error || 'error', message: err.message, errors: err.doc?.errors || [] };
    }
    ctx.changed(true);
  });
  discard.addEventListener('click', () => {
    draft.entries = [];
    draft.plan = null;
    ctx.changed();
  });
  applyBtn.addEventListener('click', () => confirmApply(ctx, status));
  if (draft.plan) {
    if (draft.plan.ok) {
      status.replaceChildren(h('h4', {}, `The server accepts this batch (revision ${draft.plan.revision}):`),
        h('ul', { class: 'diff-list' }, draft.plan.diff.map(diffRow)));
    } else {
      status.replaceChildren(h('div', { class: 'error', role: 'alert', id: 'plan-error' },
        h('strong', {}, draft.plan.error + ': '), draft.plan.message),
      h('ul', { class: 'errors' }, (draft.plan.errors || []).map((e) => h('li', { class: 'error' },
        e.change >= 0 ? `change ${e.change + 1}` : 'batch', e.field ? ` · ${e.field}` : '', `: ${e.message}`))));
    }
  }
  el.replaceChildren(h('h3', {}, `Change batch: ${draft.entries.length} record set${draft.entries.length === 1 ? '' : 's'}`),
    pending, h('div', { class: 'field' }, h('label', { for: 'batch-comment' }, 'Comment'), comment),
    h('div', { class: 'buttons' }, planBtn, applyBtn, discard), status);
}

// confirmApply asks in a modal dialog, then applies the planned batch and waits until
// the change is served (INSYNC).
async function confirmApply(ctx, status) {
  const { draft } = ctx;
  const n = draft.entries.length;
  const yes = await confirm('Apply this change batch?',
    `It changes what DNS answers for ${draft.plan.diff.length} record set(s) in zone ${ctx.zoneName} as soon as it is applied.`,
    `Apply ${n} change${n === 1 ? '' : 's'}`, 'confirm-apply');
  if (!yes) return;
  status.textContent = 'Applying…';
  try {
    const res = await post(`/api/zones/${encodeURIComponent(ctx.zone)}/apply`, { ChangeBatch: draft.batch(draft.comment), confirm: true });
    const id = res.change.Id.replace(/^\/change\//, '');
    status.textContent = `Applied as ${id}: ${res.change.Status}`;
    draft.entries = [];
    draft.plan = null;
    let info = res.change;
    for (let i = 0; i < 40 && info.Status !== 'INSYNC'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      info = await get(`/api/changes/${encodeURIComponent(id)}`);
    }
    ctx.applied(info);
  } catch (err) {
    draft.plan = { ok: false, error: err.doc?.error || 'error', message: err.message, errors: err.doc?.errors || [] };
    ctx.changed(true);
    if (!(err instanceof APIError)) throw err;
  }
}
