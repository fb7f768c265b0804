// Profiles: find a person by any identity; their identities, traits, consents, segments, one
// timeline of events and messages, merge history with undo; export and erase for admins.
import { h, clear, table, field, showErrors, toast, confirmDialog, errorBox, download } from '../../ui.js';
import { get, post, del } from '../../api.js';
import { t, fmtDate } from '../../i18n.js';
import { section, select } from './util.js';
import { ID_TYPES } from './templates.js';

function search(ctx, message) {
  const idType = select('idType', localStorage.getItem('atrium.profiles.idType') || 'email', ID_TYPES, { test: 'profile-id-type' });
  const idValue = h('input', { name: 'idValue', 'data-test': 'profile-id-value', placeholder: 'ann@example.com', required: true });
  const form = h('form', { class: 'panel', 'data-test': 'profile-search', onsubmit: e => {
    e.preventDefault();
    if (!idValue.value.trim()) return;
    localStorage.setItem('atrium.profiles.idType', idType.value);
    ctx.navigate('#/profiles/' + encodeURIComponent(idType.value) + '/' + encodeURIComponent(idValue.value.trim()));
  } },
    h('div', { class: 'row' }, field(t('profiles.idType'), idType), field(t('profiles.idValue'), idValue)),
    message ? errorBox(message) : null,
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit', 'data-test': 'profile-find' }, t('profiles.find'))));
  clear(ctx.el, h('h1', null, t('profiles.title')), h('p', { class: 'muted' }, t('profiles.searchHint')), form);
  idValue.focus();
}

function jsonText(v) { return typeof v === 'string' ? v : JSON.stringify(v); }

/** Events and messages of the person, newest first, as one list. */
function timelineItems(events, messages) {
  const items = [];
  for (const e of events) {
    items.push({ at: e.timestamp || e.receivedAt, kind: 'event', label: e.type === 'track' ? e.event : e.type + (e.name ? ' ' + e.name : ''),
      detail: e.properties && Object.keys(e.properties).length ? jsonText(e.properties) : e.traits && Object.keys(e.traits).length ? jsonText(e.traits) : '',
      source: e.source });
  }
  for (const m of messages) {
    items.push({ at: m.createdAt, kind: 'message', label: t('profiles.messageLabel', { channel: m.channel, template: m.template || '—' }),
      status: m.status, reason: m.reason, detail: [m.subject, m.campaignId ? t('profiles.fromCampaign', { campaign: m.campaignId, step: m.stepId || '' }) : null].filter(Boolean).join(' · '),
      history: m.history });
  }
  return items.sort((a, b) => String(b.at).localeCompare(String(a.at)));
}

async function profile(ctx, idType, idValue) {
  const base = `/api/v1/profiles/${encodeURIComponent(idType)}/${encodeURIComponent(idValue)}`;
  let p;
  try { p = await get(base); } catch (e) {
    if (e.status === 404 || e.status === 400) { search(ctx, e.status === 404 ? t('profiles.notFound') : e); return; }
    throw e;
  }
  const ref = encodeURIComponent(idType + ':' + idValue);
  const size = 50;
  let eventsPage = 0;
  let events = [];
  let eventsTotal = 0;
  let messages = [];
  let messagesTotal = 0;
  const timeline = h('ol', { class: 'timeline', 'data-test': 'timeline' });
  const more = h('button', { 'data-test': 'timeline-more', onclick: () => load(eventsPage + 1) }, t('profiles.more'));
  const load = async page => {
    const [ev, ms] = await Promise.all([get(`${base}/events?page=${page}&size=${size}`),
      page === 0 ? get(`/api/v1/messages?profile=${ref}&page=0&size=500`) : Promise.resolve(null)]);
    eventsPage = page;
    events = events.concat(ev.events);
    eventsTotal = ev.total;
    if (ms) { messages = ms.messages; messagesTotal = ms.total; }
    clear(timeline, timelineItems(events, messages).map(i => h('li', { class: 'tl-' + i.kind, 'data-test': 'timeline-' + i.kind },
      h('span', { class: 'when' }, fmtDate(i.at)), ' ',
      h('span', { class: 'badge ' + (i.kind === 'message' ? i.status : '') }, i.kind === 'message' ? t('profiles.status.' + i.status) : t('profiles.event')), ' ',
      h('strong', null, i.label), i.reason ? h('span', { class: 'muted' }, ' (' + i.reason + ')') : null,
      i.detail ? h('div', { class: 'muted small' }, i.detail) : null,
      i.history && i.history.length > 1 ? h('div', { class: 'muted small' }, i.history.map(s => t('profiles.status.' + s.status) + ' ' + fmtDate(s.at, { dateStyle: undefined, timeStyle: 'medium' })).join(' → ')) : null)));
    more.hidden = events.length >= eventsTotal;
    counts.textContent = t('profiles.timelineCounts', { events: eventsTotal, messages: messagesTotal });
  };
  const counts = h('span', { class: 'muted', 'data-test': 'timeline-counts' });

  const identities = table([
    { label: t('profiles.idType'), key: 'type' },
    { label: t('profiles.idValue'), render: i => h('code', null, i.value) },
  ], p.identities, { test: 'identities' });
  const traits = table([
    { label: t('profiles.trait'), key: 'k' },
    { label: t('profiles.value'), render: r => h('code', null, jsonText(r.v)) },
  ], Object.entries(p.traits || {}).map(([k, v]) => ({ k, v })), { test: 'traits', empty: t('profiles.noTraits') });
  const consentRows = [];
  Object.entries(p.consents || {}).forEach(([channel, byPurpose]) => Object.entries(byPurpose).forEach(([purpose, c]) =>
    consentRows.push({ channel, purpose, granted: c.granted, at: c.at })));
  const consents = table([
    { label: t('profiles.channel'), key: 'channel' },
    { label: t('profiles.purpose'), key: 'purpose' },
    { label: t('profiles.consent'), render: c => h('span', { class: 'badge ' + (c.granted ? 'ok' : 'bad') }, c.granted ? t('profiles.granted') : t('profiles.refused')) },
    { label: t('profiles.since'), render: c => fmtDate(c.at) },
  ], consentRows, { test: 'consents', empty: t('profiles.noConsents') });
  const segments = (p.segments || []).length
    ? h('ul', { 'data-test': 'segments' }, p.segments.map(s => h('li', null, h('a', { href: '#/segments/' + s.id }, s.name), ' ',
      h('span', { class: 'muted' }, t('profiles.enteredAt', { at: fmtDate(s.enteredAt) })))))
    : h('p', { class: 'muted', 'data-test': 'segments' }, t('profiles.noSegments'));

  const mergesBox = h('div');
  const merges = table([
    { label: t('profiles.merge'), num: true, key: 'id' },
    { label: t('profiles.mergedInto'), render: m => t('profiles.mergeText', { loser: m.loserId, winner: m.winnerId }) },
    { label: t('profiles.at'), render: m => fmtDate(m.at) },
    { label: '', render: m => m.undoneAt ? h('span', { class: 'muted' }, t('profiles.undoneAt', { at: fmtDate(m.undoneAt) }))
      : ctx.can('marketing') ? h('button', { 'data-test': 'undo-merge-' + m.id, onclick: async () => {
        if (!await confirmDialog(t('profiles.undoConfirm', { loser: m.loserId, winner: m.winnerId }), { confirmLabel: t('profiles.undo') })) return;
        try { await post(`/api/v1/profiles/merges/${m.id}/undo`); toast(t('profiles.undone')); ctx.navigate(location.hash); }
        catch (e) { showErrors(mergesBox, e); }
      } }, t('profiles.undo')) : null },
  ], p.merges || [], { test: 'merges', empty: t('profiles.noMerges') });
  mergesBox.append(merges);

  const admin = ctx.me.role === 'admin' ? h('div', { class: 'actions', 'data-test': 'admin-actions' },
    h('button', { 'data-test': 'export-profile', onclick: async () => {
      const doc = await get(base + '/export');
      download(`profile-${p.id}.json`, JSON.stringify(doc, null, 2), 'application/json');
    } }, t('profiles.export')),
    h('button', { class: 'danger', 'data-test': 'erase-profile', onclick: async () => {
      if (!await confirmDialog(t('profiles.eraseConfirm', { id: p.id }), { danger: true, typeToConfirm: idValue, confirmLabel: t('profiles.erase') })) return;
      try { await del(base); toast(t('profiles.erased')); ctx.navigate('#/profiles'); } catch (e) { toast(e.message, 'error'); }
    } }, t('profiles.erase'))) : null;

  clear(ctx.el,
    h('div', { class: 'page-head' }, h('h1', { 'data-test': 'profile-title' }, t('profiles.profileTitle', { id: p.id })),
      h('a', { class: 'button', href: '#/profiles', 'data-test': 'profile-search-again' }, t('profiles.findAnother'))),
    h('p', { class: 'muted' }, t('profiles.createdUpdated', { created: fmtDate(p.createdAt), updated: fmtDate(p.updatedAt) })),
    admin,
    h('div', { class: 'row' },
      section(t('profiles.identities'), identities),
      section(t('profiles.traits'), traits)),
    h('div', { class: 'row' },
      section(t('profiles.consents'), consents),
      section(t('profiles.segments'), segments)),
    section(t('profiles.timeline'), counts, timeline, h('div', { class: 'actions' }, more)),
    section(t('profiles.merges'), mergesBox));
  await load(0);
}

export default {
  path: 'profiles', nav: 'nav.profiles', title: 'profiles.title', order: 21,
  async render(ctx) {
    const [idType, idValue] = ctx.params;
    if (!idType || !idValue) return search(ctx);
    return profile(ctx, idType, idValue);
  },
};
