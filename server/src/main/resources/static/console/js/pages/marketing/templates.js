// Templates: the list, and the editor per channel with inline validation (unknown variables
// named) and a preview rendered for a chosen person.
import { h, clear, table, field, showErrors, clearErrors, toast, confirmDialog, errorBox } from '../../ui.js';
import { get, post, put, del } from '../../api.js';
import { t, fmtDate } from '../../i18n.js';
import { debounce, showProblems, nearest, section, setBusy, select } from './util.js';

export const CHANNELS = ['email', 'sms', 'viber', 'crm-task'];
export const ID_TYPES = ['email', 'phone', 'user_id', 'viber_id', 'crm_id', 'erp_id', 'anonymous_id'];

async function list(ctx) {
  const templates = await get('/api/v1/templates');
  clear(ctx.el,
    h('div', { class: 'page-head' }, h('h1', null, t('templates.title')),
      ctx.can('marketing') ? h('a', { class: 'button primary', href: '#/templates/new', 'data-test': 'new-template' }, t('templates.new')) : null),
    table([
      { label: t('templates.id'), render: x => h('a', { href: '#/templates/' + encodeURIComponent(x.id), 'data-test': 'template-' + x.id }, x.id) },
      { label: t('templates.name'), key: 'name' },
      { label: t('templates.channel'), render: x => h('span', { class: 'badge' }, x.channel) },
      { label: t('templates.updated'), render: x => fmtDate(x.updatedAt) },
    ], templates, { test: 'templates-table', empty: t('templates.none') }));
}

async function editor(ctx, id) {
  const saved = id ? await get('/api/v1/templates/' + encodeURIComponent(id)) : null;
  const tpl = saved ? { id: saved.id, name: saved.name || '', channel: saved.channel, subject: saved.subject || '', text: saved.text || '',
    html: saved.html || '', defaults: Object.assign({}, saved.defaults || {}) }
    : { id: '', name: '', channel: 'email', subject: '', text: '', html: '', defaults: {} };
  const readOnly = !ctx.can('marketing');
  const status = h('span', { class: 'validation', 'data-test': 'validation-status' });

  const body = () => {
    const b = { id: tpl.id, name: tpl.name, channel: tpl.channel, text: tpl.text };
    if (tpl.channel === 'email') { if (tpl.subject) b.subject = tpl.subject; if (tpl.html) b.html = tpl.html; }
    if (Object.keys(tpl.defaults).length) b.defaults = tpl.defaults;
    return b;
  };
  let seq = 0;
  const check = debounce(async () => {
    const mine = ++seq;
    try {
      const b = body();
      if (saved) delete b.id;
      const v = await post('/api/v1/templates/validate', b);
      if (mine !== seq) return;
      showProblems(form, v.problems, nearest(form, null));
      status.textContent = v.valid ? t('templates.valid') : t('templates.problems', { n: v.problems.length });
      status.className = 'validation ' + (v.valid ? 'ok' : 'bad');
    } catch (e) { if (mine === seq) { status.textContent = e.message; status.className = 'validation bad'; } }
  }, 400);

  const text = (name, attrs = {}) => h(attrs.tag || 'input', { name, 'data-test': 'template-' + name, value: tpl[name], disabled: readOnly || (name === 'id' && !!saved),
    rows: attrs.rows, oninput: e => { tpl[name] = e.target.value; check(); } });
  const areaOf = name => { const a = text(name, { tag: 'textarea', rows: name === 'html' ? 8 : 5 }); a.value = tpl[name]; return a; };

  const defaultsBox = h('div', { class: 'defaults', 'data-test': 'template-defaults' });
  const renderDefaults = () => {
    clear(defaultsBox, Object.entries(tpl.defaults).map(([k, v], i) => h('div', { class: 'fields' },
      h('input', { name: 'defaults.' + k, 'data-test': 'default-name-' + i, value: k, disabled: readOnly, placeholder: 'traits.first_name',
        onchange: e => { const nk = e.target.value.trim(); const copy = {}; Object.entries(tpl.defaults).forEach(([a, b]) => { copy[a === k ? nk : a] = b; }); tpl.defaults = copy; renderDefaults(); check(); } }),
      h('input', { name: 'default-value-' + i, 'data-test': 'default-value-' + i, value: v, disabled: readOnly, oninput: e => { tpl.defaults[k] = e.target.value; check(); } }),
      readOnly ? null : h('button', { type: 'button', class: 'remove', 'data-test': 'default-remove-' + i, onclick: () => { delete tpl.defaults[k]; renderDefaults(); check(); } }, '✕'),
      h('span', { class: 'field-error', 'data-error-for': 'defaults.' + k }))),
    readOnly ? null : h('button', { type: 'button', 'data-test': 'default-add', onclick: () => { let n = 'traits.name'; let i = 2; while (n in tpl.defaults) n = 'traits.name' + i++; tpl.defaults[n] = ''; renderDefaults(); check(); } }, t('templates.addDefault')));
  };
  renderDefaults();

  const subjectField = field(t('templates.subject'), text('subject'));
  const htmlField = field(t('templates.html'), areaOf('html'), t('templates.htmlHint'));
  const emailOnly = { set hidden(v) { subjectField.hidden = v; htmlField.hidden = v; } };
  const channelInput = h('input', { name: 'channel', 'data-test': 'template-channel', list: 'template-channels', value: tpl.channel, disabled: readOnly,
    oninput: e => { tpl.channel = e.target.value.trim(); emailOnly.hidden = tpl.channel !== 'email'; check(); } });
  emailOnly.hidden = tpl.channel !== 'email';

  const save = h('button', { class: 'primary', 'data-test': 'save', onclick: async () => {
    setBusy(save, true);
    try {
      clearErrors(form);
      const b = body();
      const r = saved ? await put('/api/v1/templates/' + encodeURIComponent(saved.id), b) : await post('/api/v1/templates', b);
      toast(t('common.saved'));
      ctx.navigate('#/templates/' + encodeURIComponent(r.id));
    } catch (e) { showErrors(form, e, nearest(form, null)); }
    finally { setBusy(save, false); }
  } }, t('common.save'));
  const remove = saved ? h('button', { class: 'danger', 'data-test': 'delete', onclick: async () => {
    if (!await confirmDialog(t('templates.deleteConfirm', { id: saved.id }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await del('/api/v1/templates/' + encodeURIComponent(saved.id)); toast(t('common.deleted')); ctx.navigate('#/templates'); }
    catch (e) { showErrors(form, e); }
  } }, t('common.delete')) : null;

  const form = h('div', { class: 'panel template-editor', 'data-test': 'template-editor' },
    h('div', { class: 'row' },
      field(t('templates.id'), text('id'), t('templates.idHint')),
      field(t('templates.name'), text('name')),
      field(t('templates.channel'), channelInput)),
    h('datalist', { id: 'template-channels' }, CHANNELS.map(c => h('option', { value: c }))),
    subjectField,
    field(t('templates.text'), areaOf('text'), t('templates.textHint')),
    htmlField,
    h('h2', null, t('templates.defaults')), h('p', { class: 'muted' }, t('templates.defaultsHint')), defaultsBox,
    h('p', null, status),
    h('details', { class: 'muted' }, h('summary', null, t('templates.variables')), h('p', null, t('templates.variablesList'))),
    readOnly ? h('p', { class: 'muted', 'data-test': 'read-only' }, t('common.readOnly'))
      : h('div', { class: 'actions' }, save, remove, h('a', { class: 'button', href: '#/templates', 'data-test': 'back' }, t('common.back'))));

  clear(ctx.el, h('h1', null, saved ? (saved.name || saved.id) : t('templates.new')), form, saved ? previewPanel(saved) : null);
  ctx.onLeave(() => check.cancel());
  if (saved) check();
}

function previewPanel(saved) {
  const idType = select('idType', 'email', ID_TYPES, { test: 'preview-id-type' });
  const idValue = h('input', { name: 'idValue', 'data-test': 'preview-id-value', placeholder: 'ann@example.com' });
  const data = h('textarea', { name: 'data', class: 'small-area', 'data-test': 'preview-data', rows: 2, placeholder: '{"order_id": "A-17"}' });
  const out = h('div', { class: 'preview-out', 'data-test': 'preview-out' });
  const panel = h('div');
  const run = h('button', { class: 'primary', 'data-test': 'preview', onclick: async () => {
    clearErrors(panel); clear(out);
    let extra;
    try { extra = data.value.trim() ? JSON.parse(data.value) : undefined; }
    catch (e) { showErrors(panel, { detail: { field: 'data', message: t('json.invalid', { message: e.message }) } }); return; }
    try {
      const r = await post(`/api/v1/templates/${encodeURIComponent(saved.id)}/preview`,
        { profile: { idType: idType.value, idValue: idValue.value.trim() }, data: extra, event: extra });
      clear(out,
        r.subject ? h('div', null, h('strong', null, t('templates.subject') + ': '), h('span', { 'data-test': 'preview-subject' }, r.subject)) : null,
        h('pre', { 'data-test': 'preview-text' }, r.text),
        r.html ? h('iframe', { class: 'html-preview', sandbox: '', 'data-test': 'preview-html', srcdoc: r.html, title: t('templates.html') }) : null);
    } catch (e) {
      if (e.status === 404) showErrors(panel, { detail: { field: 'idValue', message: t('templates.noSuchPerson') } });
      else out.appendChild(errorBox(e));
    }
  } }, t('templates.render'));
  panel.append(h('p', { class: 'muted' }, t('templates.previewHint')),
    h('div', { class: 'row' }, field(t('profiles.idType'), idType), field(t('profiles.idValue'), idValue), field(t('templates.data'), data)),
    h('div', { class: 'actions' }, run), out);
  return section(t('templates.preview'), panel);
}

export default {
  path: 'templates', nav: 'nav.templates', title: 'templates.title', order: 23,
  async render(ctx) {
    const [id] = ctx.params;
    if (!id) return list(ctx);
    return editor(ctx, id === 'new' ? null : id);
  },
};
