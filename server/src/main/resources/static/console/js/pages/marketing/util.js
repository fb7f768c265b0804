// Helpers shared by the marketer's pages: form controls named by the JSON path the API reports
// problems at, value parsing, a debouncer, and a small JSON-to-YAML writer for the campaign view.
import { h, clear, showErrors, clearErrors } from '../../ui.js';
import { t } from '../../i18n.js';

/** Calls fn at most once per ms after the last call. */
export function debounce(fn, ms) {
  let timer = null;
  const d = (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
  d.cancel = () => clearTimeout(timer);
  return d;
}

/** An input with its error slot; the name is the JSON path of the value it edits ("$.rule.all[0].op"). */
export function ctl(input, label) {
  const name = input.getAttribute('name') || '';
  return h('span', { class: 'ctl' }, label ? h('small', null, label) : null, input,
    h('span', { class: 'field-error', 'data-error-for': name }));
}

export function input(name, value, attrs = {}) {
  return h('input', Object.assign({ name, value: value ?? '', 'data-test': attrs.test || name, autocomplete: 'off' }, attrs, { test: null }));
}

export function select(name, value, options, attrs = {}) {
  return h('select', Object.assign({ name, 'data-test': attrs.test || name }, attrs, { test: null }),
    options.map(o => {
      const [v, label] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: String(v) === String(value ?? '') }, label);
    }));
}

/**
 * Maps a problem's path to the nearest control of the container: "$.rule.all[0].value[1]" falls back
 * to "$.rule.all[0].value", then "$.rule.all[0]", ..., then the JSON text area named fallback.
 */
export function nearest(container, fallback) {
  return path => {
    let p = path || '';
    while (p) {
      if (container.querySelector(`[name="${CSS.escape(p)}"]`)) return p;
      const cut = Math.max(p.lastIndexOf('.'), p.lastIndexOf('['));
      if (cut <= 0) break;
      p = p.slice(0, cut);
    }
    return fallback;
  };
}

/** Shows a list of {path|field, message} problems (a validate answer) like an ApiError's. */
export function showProblems(container, problems, fieldFor) {
  if (!problems || !problems.length) { clearErrors(container); return; }
  showErrors(container, { detail: { problems }, message: '' }, fieldFor);
}

/** What a person typed into a value box: numbers and true/false as JSON, "quoted" or anything else as text. */
export function parseValue(text) {
  const s = String(text ?? '').trim();
  if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s.length >= 2 && s.startsWith('"') && s.endsWith('"')) return s.slice(1, -1);
  return s;
}

export function showValue(v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string' && (/^-?\d+(\.\d+)?$/.test(v.trim()) || v === 'true' || v === 'false')) return '"' + v + '"';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function badge(state) {
  return h('span', { class: 'badge ' + (state || ''), 'data-test': 'state' }, t('state.' + state));
}

/** JSON → YAML (block style; strings quoted when YAML would read them as something else). */
export function toYaml(value, indent = '') {
  const scalar = v => {
    if (v === null || v === undefined) return 'null';
    if (typeof v !== 'string') return String(v);
    const special = /^\s|\s$|[:#{}\[\],&*!|>'"%@`?]|^-|^(true|false|null|yes|no|on|off|y|n|~)$/i;
    const numeric = /^[-+]?(\d[\d_]*(\.\d*)?([eE][-+]?\d+)?|\.\d+|0x[0-9a-f]+|0o[0-7]+|\.inf|\.nan)$|^\d{4}-\d\d-\d\d/i;
    if (v === '' || special.test(v) || numeric.test(v) || v.includes('\n')) return JSON.stringify(v);
    return v;
  };
  if (Array.isArray(value)) {
    if (!value.length) return '[]';
    return value.map(item => {
      if (item && typeof item === 'object' && Object.keys(item).length) {
        const inner = toYaml(item, indent + '  ');
        return indent + '- ' + inner.slice(indent.length + 2);
      }
      return indent + '- ' + (item && typeof item === 'object' ? (Array.isArray(item) ? '[]' : '{}') : scalar(item));
    }).join('\n');
  }
  if (value && typeof value === 'object') {
    const keys = Object.keys(value);
    if (!keys.length) return '{}';
    return keys.map(k => {
      const v = value[k];
      const key = indent + scalar(k) + ':';
      if (v && typeof v === 'object' && (Array.isArray(v) ? v.length : Object.keys(v).length)) {
        return key + '\n' + toYaml(v, indent + '  ');
      }
      return key + ' ' + (v && typeof v === 'object' ? (Array.isArray(v) ? '[]' : '{}') : scalar(v));
    }).join('\n');
  }
  return indent + scalar(value);
}

/** A JSON editor: a text area that calls onValue(parsed) for every edit that parses, and marks the rest. */
export function jsonEditor(name, value, onValue, attrs = {}) {
  const area = h('textarea', Object.assign({ name, 'data-test': attrs.test || name, spellcheck: 'false', rows: 16 }, attrs, { test: null }));
  const slot = h('span', { class: 'field-error', 'data-error-for': name });
  area.value = JSON.stringify(value, null, 2);
  area.addEventListener('input', () => {
    try {
      const parsed = JSON.parse(area.value);
      area.classList.remove('invalid');
      slot.textContent = '';
      onValue(parsed);
    } catch (e) {
      area.classList.add('invalid');
      slot.textContent = t('json.invalid', { message: e.message });
    }
  });
  return {
    el: h('div', { class: 'json-editor' }, area, slot),
    area,
    /** Shows the value, unless the person is typing in it. */
    set(v) { if (document.activeElement !== area) { area.value = JSON.stringify(v, null, 2); area.classList.remove('invalid'); slot.textContent = ''; } },
  };
}

/** A link to a person's profile page by one of their identities. */
export function profileHash(identities) {
  const i = (identities || []).find(x => x.type !== 'anonymous_id') || (identities || [])[0];
  return i ? '#/profiles/' + encodeURIComponent(i.type) + '/' + encodeURIComponent(i.value) : null;
}

export function section(title, ...children) {
  return h('section', { class: 'panel' }, title ? h('h2', null, title) : null, children);
}

export function setBusy(button, busy) { button.disabled = busy; button.classList.toggle('busy', busy); }

export { h, clear };
