// confirm asks a yes/no question in a modal <dialog> (keyboard: Tab between the
// buttons, Escape cancels) and resolves to the answer.

import { h } from './dom.js';

export function confirm(title, text, okLabel, okId) {
  return new Promise((resolve) => {
    const ok = h('button', { type: 'button', id: okId || 'confirm-ok' }, okLabel);
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const dlg = h('dialog', { class: 'confirm', 'aria-labelledby': 'confirm-title' },
      h('h3', { id: 'confirm-title' }, title), h('p', {}, text), h('div', { class: 'buttons' }, ok, cancel));
    let answer = false;
    ok.addEventListener('click', () => { answer = true; dlg.close(); });
    cancel.addEventListener('click', () => dlg.close());
    dlg.addEventListener('close', () => { dlg.remove(); resolve(answer); });
    document.body.append(dlg);
    dlg.showModal();
    ok.focus();
  });
}
