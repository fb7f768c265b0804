// Small helpers shared by the dashboard and the integrator's and admin's pages.
import { h } from '../../ui.js';
import { t } from '../../i18n.js';

/** A state word (STARTED, DISABLED, FAILED, ...) as a coloured badge. */
export function stateBadge(state, test) {
  const known = ['STARTED', 'LOADING', 'DISABLED', 'FAILED', 'STOPPED', 'SUSPENDED'];
  const label = known.includes(state) ? t('state.' + state) : (state || '');
  return h('span', { class: 'badge ' + (state || ''), 'data-test': test || 'state', 'data-state': state || '' }, label);
}

/** Calls fn(...args) once ms milliseconds have passed without another call. */
export function debounce(fn, ms) {
  let timer = null;
  const debounced = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  debounced.cancel = () => clearTimeout(timer);
  return debounced;
}

/** The line shown to a role that may look but not change. */
export function readOnlyNote() {
  return h('p', { class: 'muted read-only', 'data-test': 'read-only' }, t('common.readOnly'));
}

/**
 * Copies text to the clipboard: the Clipboard API where the page is a secure context (https,
 * localhost), else the selection of a hidden text area. Resolves to whether it worked.
 */
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (e) { /* fall through to the selection */ }
  }
  const area = h('textarea', { class: 'offscreen', readonly: true }, text);
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
  area.remove();
  return ok;
}

/**
 * A modal form: formDialog(t('users.reset.title'), [field(...), ...], {okLabel, test}) resolves to the
 * dialog's form element when the user confirms (read its inputs), or null when cancelled.
 * onSubmit(form) may throw an ApiError to keep the dialog open (the caller shows the error in it).
 */
export function formDialog(title, fields, opts = {}) {
  return new Promise(resolve => {
    const errors = h('div', { class: 'dialog-errors' });
    const ok = h('button', { class: opts.danger ? 'danger' : 'primary', type: 'submit', 'data-test': 'dialog-ok' }, opts.okLabel || t('common.ok'));
    const cancel = h('button', { type: 'button', 'data-test': 'dialog-cancel' }, t('common.cancel'));
    const form = h('form', { method: 'dialog' }, h('h2', null, title), errors, fields, h('div', { class: 'actions' }, ok, cancel));
    const dialog = h('dialog', { 'data-test': opts.test || 'form-dialog' }, form);
    const done = v => { dialog.close(); dialog.remove(); resolve(v); };
    form.addEventListener('submit', async e => {
      e.preventDefault();
      if (!opts.onSubmit) { done(form); return; }
      ok.disabled = true;
      try {
        await opts.onSubmit(form, errors);
        done(form);
      } catch (err) {
        if (opts.onError) opts.onError(form, err); else errors.textContent = err.message;
      } finally {
        ok.disabled = false;
      }
    });
    cancel.addEventListener('click', () => done(null));
    dialog.addEventListener('cancel', () => done(null));
    document.body.appendChild(dialog);
    dialog.showModal();
    const first = form.querySelector('input, select, textarea');
    if (first) first.focus();
  });
}

/** A definition list of [label, value] pairs (value may be an element). */
export function facts(pairs, test) {
  return h('dl', { class: 'facts', 'data-test': test || null },
    pairs.filter(p => p && p[1] !== null && p[1] !== undefined && p[1] !== '').map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
}
