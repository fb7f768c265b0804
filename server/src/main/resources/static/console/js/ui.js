// Small DOM helpers shared by every page: element builder, tables, forms with the server's field
// errors, confirmations, toasts, progress bars and two small SVG charts.
import { t, fmtNumber } from './i18n.js';

/** h('button', {class: 'primary', 'data-test': 'save', onclick: fn}, 'Save') */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k === 'html') throw new Error('h(): no html, build elements');
    else if (k === 'value' && 'value' in el) el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el, ...children) { el.replaceChildren(); append(el, children); return el; }

/**
 * table([{label, key, render(row), num}], rows, {test: 'segments-table', empty: 'No segments', onRow(row)})
 */
export function table(columns, rows, opts = {}) {
  const head = h('tr', null, columns.map(c => h('th', { class: c.num ? 'num' : null }, c.label)));
  const body = rows.length === 0
    ? [h('tr', null, h('td', { colspan: columns.length, class: 'muted' }, opts.empty || t('common.none')))]
    : rows.map(row => h('tr', { 'data-test': opts.rowTest ? opts.rowTest(row) : null, onclick: opts.onRow ? () => opts.onRow(row) : null,
        style: opts.onRow ? { cursor: 'pointer' } : null },
        columns.map(c => {
          const v = c.render ? c.render(row) : row[c.key];
          return h('td', { class: c.num ? 'num' : null }, typeof v === 'number' && c.num ? fmtNumber(v) : v);
        })));
  return h('table', { 'data-test': opts.test }, h('thead', null, head), h('tbody', null, body));
}

/** A labelled field: field(t('x'), h('input', {name: 'x'}), hint). Errors go under the input. */
export function field(label, input, hint) {
  return h('div', { class: 'field' }, h('label', null, label, hint ? h('span', { class: 'hint' }, ' — ', hint) : null), input,
    h('div', { class: 'field-error', 'data-error-for': input.getAttribute('name') || '' }));
}

/** Clears the marks of showErrors in a container. */
export function clearErrors(container) {
  container.querySelectorAll('.invalid').forEach(e => e.classList.remove('invalid'));
  container.querySelectorAll('.field-error').forEach(e => { e.textContent = ''; });
  container.querySelectorAll('.error-box[data-generated]').forEach(e => e.remove());
}

/**
 * Shows an ApiError in a container: every problem that names a field (detail.field,
 * detail.problems[].path/key, or a list of {path, message}) marks the input whose name matches and
 * writes the message under it; anything else goes into an error box at the top.
 * fieldFor(pathOrKey) may map a server path ('$.rule.all[0].op') to an input name.
 */
export function showErrors(container, err, fieldFor) {
  clearErrors(container);
  const problems = [];
  const d = err && err.detail;
  if (d && typeof d === 'object') {
    const list = Array.isArray(d) ? d : Array.isArray(d.problems) ? d.problems
      : d.problems && typeof d.problems === 'object' ? Object.entries(d.problems).map(([key, message]) => ({ key, message })) : null;
    if (list) list.forEach(p => problems.push({ name: p.path || p.key || p.field, message: p.message || p.reason || JSON.stringify(p) }));
    else if (d.field) problems.push({ name: d.field, message: d.message || d.reason || err.message });
  }
  const unplaced = [];
  for (const p of problems) {
    const name = fieldFor ? fieldFor(p.name) : p.name;
    const input = name ? container.querySelector(`[name="${CSS.escape(name)}"]`) : null;
    if (input) {
      input.classList.add('invalid');
      const slot = container.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
      if (slot) slot.textContent = p.message;
    } else unplaced.push((p.name ? p.name + ': ' : '') + p.message);
  }
  if (!problems.length) unplaced.push(err && err.message ? err.message : String(err));
  if (unplaced.length) {
    container.prepend(h('div', { class: 'error-box', 'data-generated': '', 'data-test': 'error' }, unplaced.join('\n')));
  }
}

export function errorBox(err) {
  return h('div', { class: 'error-box', 'data-test': 'error' }, err && err.message ? err.message : String(err));
}

export function toast(message, kind) {
  let box = document.getElementById('toasts');
  if (!box) { box = h('div', { id: 'toasts' }); document.body.appendChild(box); }
  const el = h('div', { class: 'toast ' + (kind || ''), 'data-test': 'toast' }, message);
  box.appendChild(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 4000);
}

/**
 * confirmDialog(t('profiles.erase.confirm'), {danger: true, typeToConfirm: 'ERASE'}) → Promise<boolean>.
 * With typeToConfirm the user must type that word first.
 */
export function confirmDialog(message, opts = {}) {
  return new Promise(resolve => {
    const input = opts.typeToConfirm ? h('input', { name: 'confirm-text', 'data-test': 'confirm-text', autocomplete: 'off' }) : null;
    const ok = h('button', { class: opts.danger ? 'danger' : 'primary', 'data-test': 'confirm-ok', disabled: !!input }, opts.confirmLabel || t('common.ok'));
    const cancel = h('button', { 'data-test': 'confirm-cancel' }, t('common.cancel'));
    const dialog = h('dialog', { 'data-test': 'confirm-dialog' }, h('p', null, message),
      input ? h('p', { class: 'muted' }, t('common.typeToConfirm', { word: opts.typeToConfirm })) : null, input,
      h('div', { class: 'actions' }, ok, cancel));
    if (input) input.addEventListener('input', () => { ok.disabled = input.value.trim() !== opts.typeToConfirm; });
    const done = v => { dialog.close(); dialog.remove(); resolve(v); };
    ok.addEventListener('click', () => done(true));
    cancel.addEventListener('click', () => done(false));
    dialog.addEventListener('cancel', () => done(false));
    document.body.appendChild(dialog);
    dialog.showModal();
  });
}

export function progress(fraction, test) {
  const pct = Math.max(0, Math.min(1, fraction || 0)) * 100;
  return h('div', { class: 'progress', 'data-test': test || 'progress', role: 'progressbar', 'aria-valuenow': Math.round(pct) },
    h('div', { style: { width: pct + '%' } }));
}

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, v);
  children.forEach(c => el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c));
  return el;
}

/** A bar chart of [{label, value}] (e.g. events per minute); labels shown every few bars. */
export function barChart(points, opts = {}) {
  const width = 600, height = opts.height || 120, pad = 18;
  const max = Math.max(1, ...points.map(p => p.value || 0));
  const bw = (width - 40) / Math.max(1, points.length);
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${width} ${height}`, 'data-test': opts.test || 'chart', role: 'img' });
  svg.appendChild(s('text', { x: 0, y: 10 }, fmtNumber(max)));
  const every = Math.ceil(points.length / 8);
  points.forEach((p, i) => {
    const bh = ((p.value || 0) / max) * (height - pad - 14);
    const rect = s('rect', { class: 'bar', x: 40 + i * bw, y: height - pad - bh, width: Math.max(1, bw - 1), height: bh });
    rect.appendChild(s('title', {}, `${p.label}: ${fmtNumber(p.value || 0)}`));
    svg.appendChild(rect);
    if (i % every === 0) svg.appendChild(s('text', { x: 40 + i * bw, y: height - 4 }, p.label));
  });
  return svg;
}

/** A funnel of [{label, value, test}]: bars relative to the first step. */
export function funnel(steps, opts = {}) {
  const max = Math.max(1, ...steps.map(x => x.value || 0));
  return h('div', { class: 'funnel', 'data-test': opts.test || 'funnel' }, steps.map(x =>
    h('div', { class: 'step', 'data-test': x.test || null },
      h('span', null, x.label),
      h('div', null, h('div', { class: 'bar', style: { width: ((x.value || 0) / max * 100) + '%' } })),
      h('span', { class: 'num', 'data-test': x.test ? x.test + '-value' : null }, fmtNumber(x.value || 0)))));
}

/** Downloads text as a file (YAML of a campaign, a snippet). */
export function download(filename, text, type) {
  const a = h('a', { href: URL.createObjectURL(new Blob([text], { type: type || 'text/plain' })), download: filename });
  document.body.appendChild(a); a.click(); a.remove();
}
