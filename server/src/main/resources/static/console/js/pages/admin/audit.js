// The audit log (admin): who changed what through the API or the console, newest first.
import { get } from '../../api.js';
import { t, fmtDate } from '../../i18n.js';
import { h, clear, table } from '../../ui.js';

const LIMITS = [100, 500, 1000];

export default {
  path: 'audit', nav: 'nav.audit', title: 'audit.title', order: 81, roles: ['admin'],
  async render(ctx) {
    const limit = h('select', { name: 'limit', 'data-test': 'audit-limit', onchange: () => refresh() },
      LIMITS.map(n => h('option', { value: n }, t('audit.last', { n }))));
    const filter = h('input', { name: 'filter', type: 'search', 'data-test': 'audit-filter', placeholder: t('audit.filter'), oninput: () => draw() });
    const listBox = h('div', { 'data-test': 'audit-list' });
    let entries = [];
    const draw = () => {
      const q = filter.value.trim().toLowerCase();
      const shown = q ? entries.filter(e => [e.actor, e.action, e.target, JSON.stringify(e.detail || {})].join(' ').toLowerCase().includes(q)) : entries;
      clear(listBox, table([
        { label: t('audit.at'), render: e => h('span', { class: 'nowrap' }, fmtDate(e.at)) },
        { label: t('audit.actor'), render: e => h('strong', null, e.actor) },
        { label: t('audit.action'), render: e => h('code', null, e.action) },
        { label: t('audit.target'), key: 'target' },
        { label: t('audit.detail'), render: e => detail(e.detail) },
      ], shown, { test: 'audit-table', rowTest: e => 'audit-' + e.id, empty: t('audit.none') }));
    };
    const refresh = async () => { entries = await get('/api/v1/audit?limit=' + limit.value); draw(); };
    await refresh();
    clear(ctx.el, h('h1', null, t('audit.title')),
      h('div', { class: 'toolbar' }, limit, filter, h('button', { 'data-test': 'audit-refresh', onclick: () => refresh() }, t('common.refresh'))),
      listBox);
  },
};

function detail(d) {
  if (!d || typeof d !== 'object' || !Object.keys(d).length) return '';
  return h('span', { class: 'kv' }, Object.entries(d).map(([k, v]) =>
    h('span', { class: 'kv-item' }, h('span', { class: 'muted' }, k + ': '), typeof v === 'object' ? JSON.stringify(v) : String(v))));
}
