// Plugins: the list with state and errors, upload, and one plugin's page with enable/disable/remove
// and a configuration form generated from its configSpec, validated while typing and on save.
import { get, post, put, del, api } from '../../api.js';
import { t, fmtDate } from '../../i18n.js';
import { h, clear, table, field, showErrors, clearErrors, errorBox, confirmDialog, toast } from '../../ui.js';
import { stateBadge, debounce, readOnlyNote, facts } from './common.js';

export default {
  path: 'plugins', nav: 'nav.plugins', title: 'plugins.title', order: 60,
  async render(ctx) {
    if (ctx.params[0]) return renderPlugin(ctx, ctx.params[0]);
    return renderList(ctx);
  },
};

// ------------------------------------------------------------------------------------------ list

async function renderList(ctx) {
  const listBox = h('div', { 'data-test': 'plugins-list' });
  const draw = plugins => clear(listBox, table([
    { label: t('plugins.id'), render: p => h('a', { href: '#/plugins/' + encodeURIComponent(p.id), 'data-test': 'plugin-link-' + p.id }, p.id) },
    { label: t('plugins.version'), key: 'version' },
    { label: t('plugins.state'), render: p => stateBadge(p.state, 'plugin-state-' + p.id) },
    { label: t('plugins.provides'), render: provides },
    { label: t('plugins.error'), render: p => p.error ? h('span', { class: 'error-text', 'data-test': 'plugin-error-' + p.id }, errorText(p)) : '' },
    { label: t('plugins.since'), render: p => fmtDate(p.since) },
  ], plugins, { test: 'plugins-table', rowTest: p => 'plugin-row-' + p.id, empty: t('plugins.none') }));
  const refresh = async () => draw(await get('/api/v1/plugins'));
  await refresh();
  clear(ctx.el,
    h('h1', null, t('plugins.title')),
    ctx.can('integration') ? uploadPanel(ctx, refresh) : readOnlyNote(),
    listBox);
  ctx.every(4000, () => refresh().catch(() => {}));
}

/** Why the plugin is not running: who disabled it and when, in words, or the hub's error as it is. */
function errorText(p) {
  return p.enabled === false && p.disabledBy ? t('plugins.disabledBy', { user: p.disabledBy, at: fmtDate(p.disabledAt) }) : p.error;
}

function provides(p) {
  const parts = [];
  if (p.channels && p.channels.length) parts.push(t('plugins.channels') + ': ' + p.channels.join(', '));
  if (p.components && p.components.length) parts.push(t('plugins.components') + ': ' + p.components.join(', '));
  if (p.routes && p.routes.length) parts.push(t('plugins.routes') + ': ' + p.routes.join(', '));
  return h('span', { class: 'muted' }, parts.join(' · '));
}

function uploadPanel(ctx, refresh) {
  const file = h('input', { type: 'file', name: 'file', accept: '.zip,.jar', 'data-test': 'plugin-file' });
  const result = h('div', { 'data-test': 'upload-result' });
  const button = h('button', { class: 'primary', type: 'submit', 'data-test': 'plugin-upload' }, t('plugins.upload'));
  const form = h('form', { class: 'panel upload', onsubmit: async e => {
    e.preventDefault();
    clear(result);
    if (!file.files.length) { result.appendChild(errorBox(t('plugins.upload.choose'))); return; }
    const fd = new FormData();
    fd.append('file', file.files[0]);
    button.disabled = true;
    try {
      const p = await api('POST', '/api/v1/plugins', undefined, { form: fd });
      clear(result, h('div', { class: p.error ? 'error-box' : 'ok-box', 'data-test': 'upload-ok' },
        t('plugins.upload.done', { id: p.id, version: p.version || '' }), ' ', stateBadge(p.state),
        p.error ? h('div', null, errorText(p)) : null, ' ',
        h('a', { href: '#/plugins/' + encodeURIComponent(p.id), 'data-test': 'upload-open' }, t('plugins.configure'))));
      file.value = '';
      await refresh();
    } catch (err) {
      result.appendChild(errorBox(err));
    } finally {
      button.disabled = false;
    }
  } },
    h('h2', null, t('plugins.upload.title')),
    h('p', { class: 'muted' }, t('plugins.upload.hint')),
    h('div', { class: 'inline' }, file, button),
    result);
  return form;
}

// ------------------------------------------------------------------------------------ one plugin

async function renderPlugin(ctx, id) {
  let plugin = await get('/api/v1/plugins/' + encodeURIComponent(id));
  const may = ctx.can('integration');
  const head = h('div', { 'data-test': 'plugin-head' });
  const drawHead = p => clear(head,
    h('h1', null, h('a', { href: '#/plugins', class: 'back' }, t('plugins.title')), ' / ', p.id, ' ',
      h('span', { class: 'muted' }, p.version || ''), ' ', stateBadge(p.state, 'plugin-state')),
    p.error ? h('div', { class: 'error-box', 'data-test': 'plugin-error' }, errorText(p)) : null,
    facts([
      [t('plugins.description'), p.description],
      [t('plugins.provider'), p.provider],
      [t('plugins.file'), p.file],
      [t('plugins.since'), fmtDate(p.since)],
      [t('plugins.channels'), (p.channels || []).join(', ')],
      [t('plugins.components'), (p.components || []).join(', ')],
      [t('plugins.routes'), (p.routes || []).join(', ')],
    ], 'plugin-facts'),
    may ? actions(ctx, p, fresh => { plugin = fresh; drawHead(fresh); }) : null);
  drawHead(plugin);
  const form = configForm(ctx, plugin, fresh => { plugin = fresh; drawHead(fresh); });
  clear(ctx.el, head, form);
  ctx.every(3000, async () => {
    try {
      const fresh = await get('/api/v1/plugins/' + encodeURIComponent(id));
      if (fresh.state !== plugin.state || fresh.error !== plugin.error || fresh.enabled !== plugin.enabled) { plugin = fresh; drawHead(fresh); }
    } catch (e) { /* shown on the next navigation */ }
  });
}

function actions(ctx, p, update) {
  const run = async (button, fn) => {
    button.disabled = true;
    try { update(await fn()); } catch (err) { toast(err.message, 'error'); } finally { button.disabled = false; }
  };
  const path = '/api/v1/plugins/' + encodeURIComponent(p.id);
  const disabledByAdmin = p.enabled === false;
  const toggle = disabledByAdmin
    ? h('button', { 'data-test': 'plugin-enable', onclick: e => run(e.target, () => post(path + '/enable')) }, t('plugins.enable'))
    : h('button', { 'data-test': 'plugin-disable', onclick: e => run(e.target, () => post(path + '/disable')) }, t('plugins.disable'));
  const remove = h('button', { class: 'danger', 'data-test': 'plugin-remove', onclick: async () => {
    if (!await confirmDialog(t('plugins.remove.confirm', { id: p.id }), { danger: true, confirmLabel: t('plugins.remove') })) return;
    try {
      await del(path);
      toast(t('plugins.removed', { id: p.id }));
      ctx.navigate('#/plugins');
    } catch (err) { toast(err.message, 'error'); }
  } }, t('plugins.remove'));
  return h('div', { class: 'actions' }, toggle, remove);
}

/** The input for one key of the spec: type → input kind, allowedValues → select, secret → password. */
function inputFor(spec, value, disabled) {
  const common = { name: spec.key, 'data-test': 'config-' + spec.key, disabled, 'aria-required': spec.required ? 'true' : null };
  const shown = value === null || value === undefined ? '' : Array.isArray(value) ? value.join(', ') : String(value);
  const placeholder = spec.default !== null && spec.default !== undefined ? String(spec.default) : '';
  if (spec.allowedValues && spec.allowedValues.length) {
    return h('select', common,
      spec.required ? null : h('option', { value: '' }, placeholder ? t('plugins.config.default', { value: placeholder }) : t('plugins.config.unset')),
      spec.allowedValues.map(v => h('option', { value: v, selected: shown === v || (!shown && spec.required && v === placeholder) }, v)));
  }
  if (spec.type === 'BOOLEAN') {
    return h('select', common,
      h('option', { value: '' }, placeholder ? t('plugins.config.default', { value: t('plugins.config.' + placeholder) }) : t('plugins.config.unset')),
      ['true', 'false'].map(v => h('option', { value: v, selected: shown === v }, t('plugins.config.' + v))));
  }
  const kind = {
    INT: { type: 'text', inputmode: 'numeric' }, LONG: { type: 'text', inputmode: 'numeric' },
    DOUBLE: { type: 'text', inputmode: 'decimal' }, URL: { type: 'url' },
  }[spec.type] || { type: 'text' };
  if (spec.secret) kind.type = 'password';
  return h('input', Object.assign({}, common, kind, {
    value: shown, placeholder: placeholder || (spec.type === 'DURATION' ? '30s' : spec.type === 'LIST' ? 'a, b' : ''),
    autocomplete: spec.secret ? 'new-password' : 'off', spellcheck: 'false',
  }));
}

function hintFor(spec) {
  const bits = [];
  if (!(spec.allowedValues && spec.allowedValues.length)) bits.push(t('plugins.type.' + spec.type));
  if (spec.description) bits.push(spec.description);
  if (spec.default !== null && spec.default !== undefined && spec.default !== '') bits.push(t('plugins.config.defaultIs', { value: spec.default }));
  if (spec.secret) bits.push(t('plugins.config.secret'));
  return bits.join(' · ');
}

/** What the form would save: only keys with a value (an empty one means "use the default"). */
function formValues(form, specs) {
  const values = {};
  for (const spec of specs) {
    const input = form.querySelector(`[name="${CSS.escape(spec.key)}"]`);
    const v = input ? input.value.trim() : '';
    if (v !== '') values[spec.key] = v;
  }
  return values;
}

function configForm(ctx, plugin, update) {
  const specs = plugin.configSpec || [];
  const may = ctx.can('integration');
  const box = h('section', { class: 'panel config', 'data-test': 'plugin-config' });
  if (!specs.length) {
    return clear(box, h('h2', null, t('plugins.config.title')), h('p', { class: 'muted', 'data-test': 'config-empty' }, t('plugins.config.noSpec')));
  }
  const status = h('div', { class: 'config-status', 'data-test': 'config-status', 'aria-live': 'polite' });
  const form = h('form', { 'data-test': 'config-form', novalidate: true });
  let seq = 0; // answers older than the latest request are dropped
  const draw = p => {
    const config = p.config || {};
    clear(form, specs.map(spec => {
      const label = spec.key + (spec.required ? ' *' : '');
      return field(label, inputFor(spec, config[spec.key], !may), hintFor(spec));
    }),
    may ? h('div', { class: 'actions' },
      h('button', { class: 'primary', type: 'submit', 'data-test': 'config-save' }, t('common.save')),
      h('button', { type: 'button', 'data-test': 'config-reset', onclick: () => { draw(p); clearErrors(form); clear(status); } }, t('plugins.config.reset'))) : null);
  };
  const showProblems = problems => {
    if (!problems.length) {
      clearErrors(form);
      clear(status, h('span', { class: 'ok-text', 'data-test': 'config-valid' }, t('plugins.config.valid')));
      return;
    }
    showErrors(form, { detail: { problems }, message: '' });
    clear(status, h('span', { class: 'error-text', 'data-test': 'config-invalid' }, t('plugins.config.problems', { n: problems.length })));
  };
  const validate = async () => {
    const mine = ++seq;
    try {
      const answer = await post('/api/v1/plugins/' + encodeURIComponent(plugin.id) + '/config/validate', formValues(form, specs));
      if (mine === seq) showProblems((answer && answer.problems) || []);
    } catch (err) {
      if (mine !== seq) return;
      if (err.detail && Array.isArray(err.detail.problems)) showProblems(err.detail.problems);
      else clear(status, h('span', { class: 'error-text' }, err.message));
    }
  };
  const later = debounce(validate, 400);
  form.addEventListener('input', later);
  form.addEventListener('change', later);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    later.cancel();
    const mine = ++seq;
    const save = form.querySelector('[data-test="config-save"]');
    save.disabled = true;
    try {
      const fresh = await put('/api/v1/plugins/' + encodeURIComponent(plugin.id) + '/config', formValues(form, specs));
      if (mine !== seq) return;
      clearErrors(form);
      clear(status, h('span', { class: 'ok-text', 'data-test': 'config-saved' }, t('plugins.config.saved')));
      toast(t('common.saved'));
      plugin = fresh;
      update(fresh);
      draw(fresh);
    } catch (err) {
      if (mine !== seq) return;
      if (err.detail && Array.isArray(err.detail.problems)) showProblems(err.detail.problems);
      else { showErrors(form, err); clear(status); }
    } finally {
      const b = form.querySelector('[data-test="config-save"]');
      if (b) b.disabled = false;
    }
  });
  draw(plugin);
  clear(box, h('h2', null, t('plugins.config.title')),
    may ? h('p', { class: 'muted' }, t('plugins.config.hint', { file: 'config/plugins/' + plugin.id + '.yml' })) : readOnlyNote(),
    status, form);
  if (may && plugin.state !== 'STARTED') validate();
  return box;
}
