// Sources: the write keys systems and web sites send events with, and the tracker snippet to copy.
import { get, post, del } from '../../api.js';
import { t, fmtDate } from '../../i18n.js';
import { h, clear, table, field, showErrors, clearErrors, confirmDialog, toast } from '../../ui.js';
import { readOnlyNote, copyText } from './common.js';

export default {
  path: 'sources', nav: 'nav.sources', title: 'sources.title', order: 62,
  async render(ctx) {
    const may = ctx.can('integration');
    const tracker = await trackerScript();
    const listBox = h('div', { 'data-test': 'sources-list' });
    const created = h('div', { 'data-test': 'source-created' });
    const refresh = async () => {
      const sources = await get('/api/v1/sources');
      sources.sort((a, b) => (b.active - a.active) || String(a.name).localeCompare(String(b.name)));
      clear(listBox, table([
        { label: t('sources.name'), render: s => h('strong', null, s.name) },
        { label: t('sources.writeKey'), render: s => h('code', { 'data-test': 'source-key-' + s.name }, s.writeKey) },
        { label: t('sources.state'), render: s => h('span', { class: 'badge ' + (s.active ? 'active' : 'bad') }, t(s.active ? 'sources.active' : 'sources.revoked')) },
        { label: t('sources.createdAt'), render: s => fmtDate(s.createdAt) },
        { label: t('sources.revokedAt'), render: s => fmtDate(s.revokedAt) },
        { label: '', render: s => s.active ? h('div', { class: 'row-actions' },
            h('button', { 'data-test': 'source-snippet-' + s.name, onclick: () => showSnippet(created, s, tracker) }, t('sources.snippet')),
            may ? h('button', { class: 'danger', 'data-test': 'source-revoke-' + s.name, onclick: () => revoke(s, refresh) }, t('sources.revoke')) : null) : '' },
      ], sources, { test: 'sources-table', rowTest: s => 'source-row-' + s.name, empty: t('sources.none') }));
    };
    await refresh();
    clear(ctx.el,
      h('h1', null, t('sources.title')),
      h('p', { class: 'muted' }, t('sources.intro')),
      may ? createForm(created, tracker, refresh) : readOnlyNote(),
      created,
      listBox);
  },
};

/**
 * Where the web-tracker plugin serves its script: its script-path (else the default) on the hub's
 * public URL (atrium.public-url, as the plugin's entry gives it), else on this page's own address.
 */
async function trackerScript() {
  try {
    const p = await get('/api/v1/plugins/web-tracker', { noRedirect: true });
    const configured = p.config && p.config['script-path'];
    const spec = (p.configSpec || []).find(k => k.key === 'script-path');
    return { base: p.publicUrl || location.origin, path: configured || (spec && spec.default) || '/js/atrium.js' };
  } catch (e) {
    // No web-tracker plugin (yet): the public URL from any plugin's entry, for the default path.
    const any = await get('/api/v1/plugins', { noRedirect: true }).catch(() => []);
    const withUrl = (any || []).find(p => p.publicUrl);
    return { base: withUrl ? withUrl.publicUrl : location.origin, path: '/js/atrium.js' };
  }
}

export function snippet(writeKey, tracker) {
  return `<script async src="${tracker.base}${tracker.path}" data-write-key="${writeKey}"></script>`;
}

function showSnippet(box, source, tracker, isNew) {
  const text = snippet(source.writeKey, tracker);
  const area = h('textarea', { readonly: true, rows: 2, class: 'snippet', 'data-test': 'snippet', onfocus: e => e.target.select() }, text);
  const copied = h('span', { class: 'muted', 'data-test': 'snippet-copied' });
  clear(box, h('div', { class: 'panel snippet-panel', 'data-test': 'snippet-panel' },
    isNew ? h('div', { class: 'ok-box', 'data-test': 'new-source' },
      t('sources.created', { name: source.name }), ' ', h('code', { 'data-test': 'new-write-key' }, source.writeKey)) : null,
    h('h2', null, t('sources.snippet.title', { name: source.name })),
    h('p', { class: 'muted' }, t('sources.snippet.hint')),
    area,
    h('div', { class: 'actions' },
      h('button', { class: 'primary', 'data-test': 'snippet-copy', onclick: async () => {
        const ok = await copyText(text);
        copied.textContent = ok ? t('sources.snippet.copied') : t('sources.snippet.copyFailed');
        if (!ok) area.select();
      } }, t('sources.snippet.copy')),
      copied)));
}

function createForm(created, tracker, refresh) {
  const name = h('input', { name: 'name', 'data-test': 'source-name', maxlength: 100, autocomplete: 'off', placeholder: 'web-shop' });
  const form = h('form', { class: 'panel', 'data-test': 'source-form', onsubmit: async e => {
    e.preventDefault();
    clearErrors(form);
    try {
      const s = await post('/api/v1/sources', { name: name.value.trim() });
      name.value = '';
      showSnippet(created, s, tracker, true);
      await refresh();
    } catch (err) {
      showErrors(form, err);
    }
  } },
    h('h2', null, t('sources.create.title')),
    h('div', { class: 'inline' }, field(t('sources.name'), name, t('sources.name.hint')),
      h('button', { class: 'primary', type: 'submit', 'data-test': 'source-create' }, t('common.create'))));
  return form;
}

async function revoke(source, refresh) {
  if (!await confirmDialog(t('sources.revoke.confirm', { name: source.name }), { danger: true, confirmLabel: t('sources.revoke') })) return;
  try {
    await del('/api/v1/sources/' + encodeURIComponent(source.id));
    toast(t('sources.revoked.done', { name: source.name }));
    await refresh();
  } catch (err) {
    toast(err.message, 'error');
  }
}
