// Campaigns: the list; the editor (form, JSON and YAML) validated as you type; dry run, launch and
// pause; stats per step and channel as funnels that follow a running campaign; the per-person trace.
import { h, clear, table, field, showErrors, clearErrors, toast, confirmDialog, errorBox, funnel, download } from '../../ui.js';
import { get, post, put, del } from '../../api.js';
import { t, fmtDate, fmtNumber } from '../../i18n.js';
import { CampaignForm } from './campaign-editor.js';
import { debounce, nearest, showProblems, jsonEditor, toYaml, badge, section, setBusy } from './util.js';

const STATS_REFRESH_MS = 2000;
const METRICS = ['sent', 'delivered', 'opened', 'clicked'];
const SIDE_METRICS = ['failed', 'skipped', 'fellBack', 'deferred'];

function triggerText(def, segments) {
  const tr = def && def.trigger;
  if (!tr) return '';
  const seg = id => { const s = segments.find(x => x.id === id); return s ? s.name : '#' + id; };
  switch (tr.type) {
    case 'event': return t('campaigns.triggerText.event', { event: tr.event || '?' });
    case 'segment_entered': return t('campaigns.triggerText.segment_entered', { segment: seg(tr.segment) });
    case 'schedule': return t('campaigns.triggerText.schedule', { at: tr.at || '?', zone: tr.timeZone || 'UTC' }) + (tr.every ? ' ' + t('campaigns.triggerText.every', { every: tr.every }) : '');
    case 'broadcast': return t('campaigns.triggerText.broadcast', { segment: def.audience ? seg(def.audience.segment) : '?' });
    default: return tr.type;
  }
}

async function list(ctx) {
  const [campaigns, segments] = await Promise.all([get('/api/v1/campaigns'), get('/api/v1/segments')]);
  const cells = {};
  const rows = table([
    { label: t('campaigns.name'), render: c => h('a', { href: '#/campaigns/' + encodeURIComponent(c.id), 'data-test': 'campaign-' + c.id }, c.name) },
    { label: t('campaigns.state'), render: c => badge(c.state) },
    { label: t('campaigns.triggerTitle'), render: c => triggerText(c.definition, segments) },
    ...['entered', 'running', 'converted'].map(k => ({ label: t('campaigns.journeys.' + k), num: true,
      render: c => ((cells[c.id] = cells[c.id] || {})[k] = h('span', { 'data-test': `campaign-${c.id}-${k}` }, '…')) })),
    { label: '', render: c => c.missingChannels && c.missingChannels.length ? h('span', { class: 'badge bad' }, t('campaigns.missingChannels', { channels: c.missingChannels.join(', ') })) : null },
  ], campaigns, { test: 'campaigns-table', empty: t('campaigns.none'), rowTest: c => 'campaign-row-' + c.id });
  const refresh = () => Promise.all(campaigns.map(async c => {
    try {
      const s = await get(`/api/v1/campaigns/${encodeURIComponent(c.id)}/stats`);
      for (const k of ['entered', 'running', 'converted']) cells[c.id][k].textContent = fmtNumber(s.journeys[k]);
    } catch (e) { /* shown as … */ }
  }));
  clear(ctx.el,
    h('div', { class: 'page-head' }, h('h1', null, t('campaigns.title')),
      ctx.can('marketing') ? h('a', { class: 'button primary', href: '#/campaigns/new', 'data-test': 'new-campaign' }, t('campaigns.new')) : null),
    rows);
  refresh();
  ctx.every(5000, refresh);
}

function newDefinition(segments) {
  return { name: '', purpose: 'marketing', trigger: segments.length ? { type: 'segment_entered', segment: segments[0].id } : { type: 'broadcast' }, steps: [] };
}

async function editor(ctx, id) {
  const [segments, templates, saved] = await Promise.all([get('/api/v1/segments'), get('/api/v1/templates'),
    id ? get('/api/v1/campaigns/' + encodeURIComponent(id)) : Promise.resolve(null)]);
  const state = saved ? saved.state : 'draft';
  const mayChange = ctx.can('marketing');
  const editable = mayChange && state !== 'active';
  let campaignId = saved ? saved.id : '';
  let def = saved ? structuredClone(saved.definition) : newDefinition(segments);
  const ORDER = ['name', 'purpose', 'trigger', 'audience', 'reentry', 'goal', 'policy', 'steps'];
  const body = () => {
    const b = { id: campaignId };
    ORDER.forEach(k => { if (def[k] !== undefined) b[k] = def[k]; });
    Object.keys(def).forEach(k => { if (!(k in b)) b[k] = def[k]; });
    return b;
  };

  const status = h('span', { class: 'validation', 'data-test': 'validation-status' });
  const missing = h('span', { class: 'muted', 'data-test': 'missing-channels' });
  const yaml = h('pre', { class: 'yaml', 'data-test': 'yaml' });
  let seq = 0;
  const check = debounce(async () => {
    const mine = ++seq;
    yaml.textContent = toYaml(body());
    try {
      const v = await post('/api/v1/campaigns/validate', body());
      if (mine !== seq) return;
      const problems = v.problems.filter(p => !(saved && p.path === '$.id'));
      showProblems(editorEl, problems, nearest(editorEl, 'json'));
      status.textContent = problems.length ? t('campaigns.problems', { n: problems.length }) : t('campaigns.valid');
      status.className = 'validation ' + (problems.length ? 'bad' : 'ok');
      missing.textContent = v.missingChannels && v.missingChannels.length ? t('campaigns.missingChannels', { channels: v.missingChannels.join(', ') }) : '';
    } catch (e) {
      if (mine === seq) { status.textContent = e.message; status.className = 'validation bad'; }
    }
  }, 400);

  const onChange = () => { json.set(body()); check(); };
  const form = new CampaignForm({ def, segments, templates, readOnly: !editable, onChange: () => { def = form.def; onChange(); } });
  const json = jsonEditor('json', body(), v => {
    if (!v || typeof v !== 'object' || Array.isArray(v)) return;
    const copy = Object.assign({}, v);
    if (!saved && typeof copy.id === 'string') { campaignId = copy.id; idInput.value = campaignId; }
    delete copy.id;
    def = copy;
    form.setDef(def);
    check();
  }, { readonly: editable ? null : true });
  const idInput = h('input', { name: '$.id', 'data-test': 'campaign-id', value: campaignId, disabled: !!saved || !editable, placeholder: 'abandoned-cart',
    oninput: e => { campaignId = e.target.value.trim(); onChange(); } });

  const views = h('div', { class: 'tabs' });
  const jsonPane = h('div', null, json.el);
  const yamlPane = h('div', { hidden: true }, yaml,
    h('div', { class: 'actions' }, h('button', { 'data-test': 'download-yaml', onclick: () => download((campaignId || 'campaign') + '.yaml', toYaml(body()) + '\n', 'application/yaml') }, t('campaigns.downloadYaml'))));
  const tab = (name, pane, other) => h('button', { type: 'button', 'data-test': 'view-' + name, class: name === 'json' ? 'active' : null, onclick: e => {
    pane.hidden = false; other.hidden = true; views.querySelectorAll('button').forEach(b => b.classList.remove('active')); e.target.classList.add('active');
  } }, t('campaigns.view.' + name));
  views.append(tab('json', jsonPane, yamlPane), tab('yaml', yamlPane, jsonPane));

  const actionsBox = h('div', { class: 'actions', 'data-test': 'campaign-actions' });
  const resultBox = h('div', { 'data-test': 'action-result' });
  const button = (test, label, cls, fn) => {
    const b = h('button', { class: cls, 'data-test': test, onclick: async () => {
      setBusy(b, true);
      try { await fn(); } catch (e) { showErrors(editorEl, e, nearest(editorEl, 'json')); } finally { setBusy(b, false); }
    } }, label);
    return b;
  };
  if (editable) {
    actionsBox.append(button('save', t('common.save'), 'primary', async () => {
      clearErrors(editorEl);
      const r = saved ? await put('/api/v1/campaigns/' + encodeURIComponent(saved.id), body()) : await post('/api/v1/campaigns', body());
      toast(t('common.saved'));
      ctx.navigate('#/campaigns/' + encodeURIComponent(r.id));
    }));
  }
  if (saved && mayChange) {
    if (state !== 'active') actionsBox.append(button('launch', state === 'paused' ? t('campaigns.resume') : t('campaigns.launch'), 'primary', async () => {
      if (!await confirmDialog(t('campaigns.launchConfirm', { name: saved.name }), { confirmLabel: t('campaigns.launch') })) return;
      const r = await post(`/api/v1/campaigns/${encodeURIComponent(saved.id)}/launch`);
      toast(r.entered !== undefined ? t('campaigns.launchedEntered', { n: r.entered }) : t('campaigns.launched'));
      ctx.navigate('#/campaigns/' + encodeURIComponent(saved.id));
    }));
    if (state === 'active') actionsBox.append(button('pause', t('campaigns.pause'), null, async () => {
      await post(`/api/v1/campaigns/${encodeURIComponent(saved.id)}/pause`);
      toast(t('campaigns.paused'));
      ctx.navigate('#/campaigns/' + encodeURIComponent(saved.id));
    }));
  }
  if (saved) actionsBox.append(button('dry-run', t('campaigns.dryRun'), null, async () => {
    clear(resultBox, dryRunView(await post(`/api/v1/campaigns/${encodeURIComponent(saved.id)}/dry-run`)));
  }));
  if (saved && editable) actionsBox.append(button('delete', t('common.delete'), 'danger', async () => {
    if (!await confirmDialog(t('campaigns.deleteConfirm', { name: saved.name }), { danger: true, confirmLabel: t('common.delete') })) return;
    await del('/api/v1/campaigns/' + encodeURIComponent(saved.id));
    toast(t('common.deleted'));
    ctx.navigate('#/campaigns');
  }));
  actionsBox.append(h('a', { class: 'button', href: '#/campaigns', 'data-test': 'back' }, t('common.back')));

  const editorEl = h('div', { class: 'campaign-editor', 'data-test': 'campaign-editor' },
    h('div', { class: 'page-head' },
      h('h1', null, saved ? saved.name : t('campaigns.new')), saved ? badge(state) : null,
      saved && saved.launchedAt ? h('span', { class: 'muted' }, t('campaigns.launchedAt', { at: fmtDate(saved.launchedAt) })) : null),
    !mayChange ? h('p', { class: 'muted', 'data-test': 'read-only' }, t('common.readOnly'))
      : state === 'active' ? h('p', { class: 'muted', 'data-test': 'read-only' }, t('campaigns.activeReadOnly')) : null,
    h('div', { class: 'panel' }, field(t('campaigns.id'), idInput, t('campaigns.idHint'))),
    form.el,
    h('section', { class: 'panel' }, h('h2', null, t('campaigns.definition')), views, jsonPane, yamlPane),
    h('p', null, status, ' ', missing),
    actionsBox, resultBox);

  clear(ctx.el, editorEl);
  if (saved) {
    ctx.el.append(statsPanel(ctx, saved), tracePanel(saved));
  }
  ctx.onLeave(() => check.cancel());
  check();
}

function dryRunView(r) {
  if (r.audience === null || r.audience === undefined) return h('div', { class: 'panel', 'data-test': 'dry-run-result' }, h('p', null, t('campaigns.dryRunNoAudience')));
  return h('div', { class: 'panel', 'data-test': 'dry-run-result' },
    h('h2', null, t('campaigns.dryRunTitle')),
    h('p', null, t('campaigns.dryRunAudience'), ' ', h('strong', { 'data-test': 'dry-run-audience' }, fmtNumber(r.audience))),
    r.steps.map(s => h('div', { class: 'dry-step', 'data-test': 'dry-run-step-' + s.step },
      h('h3', null, t('campaigns.stepTitle', { id: s.step })),
      table([
        { label: t('campaigns.channel'), render: x => x.channel === 'nobody' ? t('campaigns.nobody') : t('channel.' + x.channel) },
        { label: t('campaigns.wouldReach'), num: true, render: x => h('span', { 'data-test': `dry-run-${s.step}-${x.channel}` }, fmtNumber(x.n)) },
      ], Object.entries(s.wouldReach).map(([channel, n]) => ({ channel, n }))),
      Object.keys(s.skipped).length ? h('div', null, h('h4', null, t('campaigns.skippedWhy')),
        h('ul', { 'data-test': 'dry-run-skipped-' + s.step }, Object.entries(s.skipped).map(([why, n]) => h('li', null, why + ': ' + fmtNumber(n))))) : null)),
    h('p', { class: 'muted small' }, t('campaigns.dryRunNote')));
}

function statsPanel(ctx, campaign) {
  const box = h('div', { 'data-test': 'stats' });
  const updated = h('span', { class: 'muted small', 'data-test': 'stats-updated' });
  const refresh = async () => {
    let s;
    try { s = await get(`/api/v1/campaigns/${encodeURIComponent(campaign.id)}/stats`); } catch (e) { clear(box, errorBox(e)); return; }
    const j = s.journeys;
    const cards = h('div', { class: 'cards' }, ['entered', 'running', 'waiting', 'completed', 'exited', 'converted'].map(k =>
      h('div', { class: 'card' }, h('div', { class: 'label' }, t('campaigns.journeys.' + k)), h('div', { class: 'value', 'data-test': 'journeys-' + k }, fmtNumber(j[k])))));
    const steps = Object.entries(s.steps).map(([stepId, byChannel]) => {
      const channels = Object.entries(byChannel);
      if (!channels.length) return null;
      const rows = [{ label: t('campaigns.journeys.entered'), value: j.entered, test: `funnel-${stepId}-entered` }];
      channels.forEach(([ch, c]) => METRICS.forEach(m => rows.push({ label: t('channel.' + ch) + ': ' + t('campaigns.metric.' + m), value: c[m], test: `funnel-${stepId}-${ch}-${m}` })));
      return h('div', { class: 'step-stats', 'data-test': 'stats-step-' + stepId },
        h('h3', null, t('campaigns.stepTitle', { id: stepId })),
        funnel(rows, { test: 'funnel-' + stepId }),
        table([{ label: t('campaigns.channel'), render: r => t('channel.' + r[0]) },
          ...SIDE_METRICS.map(m => ({ label: t('campaigns.metric.' + m), num: true, render: r => h('span', { 'data-test': `stats-${stepId}-${r[0]}-${m}` }, fmtNumber(r[1][m])) }))],
        channels, { test: 'stats-table-' + stepId }));
    });
    clear(box, cards, steps);
    updated.textContent = t('campaigns.statsAt', { time: fmtDate(s.asOf ? new Date(s.asOf) : new Date(), { dateStyle: undefined, timeStyle: 'medium' }) });
  };
  refresh();
  ctx.every(STATS_REFRESH_MS, refresh);
  return section(t('campaigns.stats'), h('p', { class: 'muted small' }, t('campaigns.statsHint'), ' ', updated), box);
}

function tracePanel(campaign) {
  const who = h('input', { name: 'profile', 'data-test': 'trace-profile', placeholder: 'email:ann@example.com' });
  const out = h('div', { 'data-test': 'trace-result' });
  const panel = h('div');
  const run = async e => {
    e.preventDefault();
    clearErrors(panel); clear(out);
    const ref = who.value.trim();
    if (!ref) return;
    try {
      const r = await get(`/api/v1/campaigns/${encodeURIComponent(campaign.id)}/trace?profile=${encodeURIComponent(ref)}`);
      clear(out, traceView(r));
    } catch (err) {
      showErrors(panel, err.status === 404 ? { detail: { field: 'profile', message: t('campaigns.traceNotFound') } } : err);
    }
  };
  panel.append(h('form', { onsubmit: run }, h('p', { class: 'muted' }, t('campaigns.traceHint')),
    h('div', { class: 'fields' }, field(t('campaigns.tracePerson'), who), h('button', { class: 'primary', type: 'submit', 'data-test': 'trace-find' }, t('campaigns.traceFind')))), out);
  return section(t('campaigns.trace'), panel);
}

function traceView(r) {
  if (!r.journeys.length) return h('p', { 'data-test': 'trace-none' }, t('campaigns.traceNoJourney', { id: r.profileId }));
  return h('div', null,
    r.journeys.map(j => h('div', { class: 'journey', 'data-test': 'journey-' + j.journeyId },
      h('h3', null, t('campaigns.journeyTitle', { id: j.journeyId }), ' ', badge(j.state)),
      h('p', { class: 'muted small' }, t('campaigns.journeyTimes', { entered: fmtDate(j.enteredAt), ended: j.endedAt ? fmtDate(j.endedAt) : '—', reason: j.endReason || '—' })),
      table([
        { label: t('profiles.at'), render: l => fmtDate(l.at) },
        { label: t('campaigns.stepId'), key: 'stepId' },
        { label: t('campaigns.decision'), render: l => h('span', { class: 'badge ' + l.kind, 'data-test': 'trace-kind' }, t('trace.kind.' + l.kind)) },
        { label: t('campaigns.channel'), render: l => l.channel ? t('channel.' + l.channel) : '' },
        { label: t('campaigns.why'), render: l => l.detail || '' },
      ], j.log, { test: 'trace-log' }))),
    h('h3', null, t('campaigns.traceMessages')),
    table([
      { label: t('campaigns.stepId'), key: 'step' },
      { label: t('campaigns.channel'), render: m => t('channel.' + m.channel) },
      { label: t('campaigns.state'), render: m => h('span', { class: 'badge ' + m.status }, t('profiles.status.' + m.status)) },
      { label: t('campaigns.why'), render: m => [m.reason, m.detail].filter(Boolean).join(': ') },
      { label: t('campaigns.history'), render: m => (m.history || []).map(s => t('profiles.status.' + s.status) + ' ' + fmtDate(s.at, { dateStyle: undefined, timeStyle: 'medium' })).join(' → ') },
    ], r.messages, { test: 'trace-messages', empty: t('campaigns.traceNoMessages') }));
}

export default {
  path: 'campaigns', nav: 'nav.campaigns', title: 'campaigns.title', order: 24,
  async render(ctx) {
    const [id] = ctx.params;
    if (!id) return list(ctx);
    return editor(ctx, id === 'new' ? null : id);
  },
};
