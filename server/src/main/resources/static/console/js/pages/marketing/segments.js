// Segments: the list with live member counts, the rule editor (form and JSON, validated and
// counted as you type), the members, and the CSV export with its progress.
import { h, clear, table, field, showErrors, clearErrors, toast, progress, confirmDialog, errorBox } from '../../ui.js';
import { get, post, put, del } from '../../api.js';
import { t, fmtNumber, fmtDate } from '../../i18n.js';
import { RuleEditor } from './rule-editor.js';
import { debounce, nearest, showProblems, jsonEditor, profileHash, section, setBusy } from './util.js';

const COUNT_REFRESH_MS = 5000;

async function list(ctx) {
  const segments = await get('/api/v1/segments');
  const counts = {};
  const countCell = s => h('span', { 'data-test': 'count-' + s.id, class: 'count' }, '…');
  const rows = table([
    { label: t('segments.name'), render: s => h('a', { href: '#/segments/' + s.id, 'data-test': 'segment-' + s.id }, s.name) },
    { label: t('segments.description'), render: s => h('span', { class: 'muted' }, s.description || '') },
    { label: t('segments.members'), num: true, render: s => (counts[s.id] = countCell(s)) },
    { label: t('segments.updated'), render: s => fmtDate(s.updatedAt) },
  ], segments, { test: 'segments-table', empty: t('segments.none'), rowTest: s => 'segment-row-' + s.id });
  const refreshed = h('span', { class: 'muted', 'data-test': 'counts-refreshed' });
  // The members the segment stage keeps, in one call (GET /api/v1/segments/counts); new segments appear on reload.
  // A new or edited rule is computed over everyone in the background (computedAt stays null until then): its stored
  // count is the old one, or none, so the cell says so until the segment stage is done.
  const show = (s, n) => {
    const computing = !s.computedAt;
    counts[s.id].textContent = computing ? t('segments.computing') : n === undefined ? '—' : fmtNumber(n);
    counts[s.id].classList.toggle('muted', computing);
    counts[s.id].title = computing ? t('segments.computingHint') : '';
  };
  const refresh = async () => {
    let now;
    try {
      if (segments.some(s => !s.computedAt)) {
        const fresh = new Map((await get('/api/v1/segments')).map(s => [s.id, s]));
        segments.forEach(s => { if (fresh.has(s.id)) s.computedAt = fresh.get(s.id).computedAt; });
      }
      now = await get('/api/v1/segments/counts');
    } catch (e) { return; }
    segments.forEach(s => show(s, now[s.id]));
    refreshed.textContent = t('segments.countsAt', { time: fmtDate(new Date(), { dateStyle: undefined, timeStyle: 'medium' }) });
  };
  clear(ctx.el,
    h('div', { class: 'page-head' }, h('h1', null, t('segments.title')),
      ctx.can('marketing') ? h('a', { class: 'button primary', href: '#/segments/new', 'data-test': 'new-segment' }, t('segments.new')) : null),
    h('p', { class: 'muted' }, t('segments.liveHint'), ' ', refreshed),
    rows);
  refresh();
  ctx.every(COUNT_REFRESH_MS, refresh);
}

function emptyDefinition() {
  return { name: '', description: '', rule: { all: [{ event: '' }] } };
}

async function editor(ctx, id) {
  const segments = await get('/api/v1/segments');
  const saved = id ? await get('/api/v1/segments/' + id) : null;
  const def = saved ? { name: saved.name, description: saved.description || '', rule: saved.rule } : emptyDefinition();
  const readOnly = !ctx.can('marketing');

  const status = h('span', { class: 'validation', 'data-test': 'validation-status' });
  const count = h('span', { class: 'value', 'data-test': 'preview-count' }, '—');
  let seq = 0;

  const check = debounce(async () => {
    const mine = ++seq;
    try {
      const v = await post('/api/v1/segments/validate', def);
      if (mine !== seq) return;
      showProblems(form, v.problems, nearest(form, 'json'));
      status.textContent = v.valid ? t('segments.valid') : t('segments.problems', { n: v.problems.length });
      status.className = 'validation ' + (v.valid ? 'ok' : 'bad');
      if (v.valid) {
        count.textContent = '…';
        const p = await post('/api/v1/segments/preview', { rule: def.rule });
        if (mine === seq) count.textContent = fmtNumber(p.count);
      } else {
        count.textContent = '—';
      }
    } catch (e) {
      if (mine !== seq) return;
      if (e.detail && e.detail.problems) showErrors(form, e, nearest(form, 'json'));
      else { status.textContent = e.message; status.className = 'validation bad'; }
      count.textContent = '—';
    }
  }, 400);

  const onChange = () => { json.set(def); check(); };
  const rules = new RuleEditor({ rule: def.rule, segments, selfId: saved ? saved.id : null, readOnly,
    onChange: () => { def.rule = rules.rule; onChange(); } });
  const json = jsonEditor('json', def, v => {
    if (v && typeof v === 'object') {
      def.name = v.name ?? ''; def.description = v.description ?? ''; def.rule = v.rule;
      nameInput.value = def.name; descInput.value = def.description;
      rules.setRule(def.rule);
      check();
    }
  }, { readonly: readOnly || null });

  const nameInput = h('input', { name: '$.name', 'data-test': 'segment-name', value: def.name, disabled: readOnly,
    oninput: e => { def.name = e.target.value; onChange(); } });
  const descInput = h('input', { name: '$.description', 'data-test': 'segment-description', value: def.description, disabled: readOnly,
    oninput: e => { def.description = e.target.value; onChange(); } });

  const save = h('button', { class: 'primary', 'data-test': 'save', onclick: async () => {
    setBusy(save, true);
    try {
      clearErrors(form);
      const result = saved ? await put('/api/v1/segments/' + saved.id, def) : await post('/api/v1/segments', def);
      toast(t('common.saved'));
      ctx.navigate('#/segments/' + result.id);
    } catch (e) {
      showErrors(form, e, nearest(form, 'json'));
    } finally { setBusy(save, false); }
  } }, t('common.save'));
  const remove = saved ? h('button', { class: 'danger', 'data-test': 'delete', onclick: async () => {
    if (!await confirmDialog(t('segments.deleteConfirm', { name: saved.name }), { danger: true, confirmLabel: t('common.delete') })) return;
    try { await del('/api/v1/segments/' + saved.id); toast(t('common.deleted')); ctx.navigate('#/segments'); }
    catch (e) { showErrors(form, e); }
  } }, t('common.delete')) : null;

  const form = h('div', { class: 'segment-editor', 'data-test': 'segment-editor' },
    h('div', { class: 'row' },
      h('div', { class: 'panel' },
        field(t('segments.name'), nameInput),
        field(t('segments.description'), descInput),
        h('h2', null, t('segments.rule')),
        rules.el),
      h('div', { class: 'side' },
        h('div', { class: 'card preview' }, h('div', { class: 'label' }, t('segments.previewCount')), count,
          h('div', null, status)),
        h('div', { class: 'panel' }, h('h2', null, t('segments.json')), h('p', { class: 'muted' }, t('segments.jsonHint')), json.el))),
    readOnly ? h('p', { class: 'muted', 'data-test': 'read-only' }, t('common.readOnly'))
      : h('div', { class: 'actions' }, save, remove, h('a', { class: 'button', href: '#/segments', 'data-test': 'back' }, t('common.back'))));

  clear(ctx.el, h('h1', null, saved ? saved.name : t('segments.new')), form);
  if (saved) {
    ctx.el.append(await members(ctx, saved), await exportPanel(ctx, saved));
  }
  ctx.onLeave(() => check.cancel());
  check();
}

async function members(ctx, segment, pageNo = 0, box = h('div')) {
  const size = 25;
  const page = await get(`/api/v1/segments/${segment.id}/members?page=${pageNo}&size=${size}`);
  const pages = Math.max(1, Math.ceil(page.total / size));
  clear(box, section(t('segments.membersTitle'),
    h('p', null, h('span', { 'data-test': 'members-total' }, t('segments.membersTotal', { n: page.total }))),
    table([
      { label: t('profiles.id'), num: true, render: m => { const href = profileHash(m.identities); return href ? h('a', { href }, String(m.profileId)) : String(m.profileId); } },
      { label: t('profiles.identities'), render: m => m.identities.map(i => i.type + ': ' + i.value).join(', ') },
    ], page.members, { test: 'members-table', empty: t('segments.noMembers') }),
    h('div', { class: 'actions pager' },
      h('button', { 'data-test': 'members-prev', disabled: pageNo === 0, onclick: () => members(ctx, segment, pageNo - 1, box) }, '‹'),
      h('span', { class: 'muted' }, t('segments.page', { page: pageNo + 1, pages })),
      h('button', { 'data-test': 'members-next', disabled: pageNo + 1 >= pages, onclick: () => members(ctx, segment, pageNo + 1, box) }, '›'))));
  return box;
}

async function exportPanel(ctx, segment) {
  const box = h('div', { 'data-test': 'export' });
  let left = false;
  ctx.onLeave(() => { left = true; });
  const show = job => {
    if (!job) { clear(box); return; }
    const fraction = job.total ? job.rows / job.total : job.state === 'done' ? 1 : 0;
    clear(box,
      progress(fraction, 'export-progress'),
      h('p', { 'data-test': 'export-state' }, t('segments.export.' + job.state, { rows: job.rows, total: job.total ?? '…', error: job.error || '' }),
        ' ', h('span', { class: 'muted' }, fmtDate(job.startedAt))),
      job.state === 'done' ? h('a', { class: 'button', 'data-test': 'export-download', download: `segment-${segment.id}.csv`,
        href: `/api/v1/segments/${segment.id}/exports/${job.id}/file` }, t('segments.export.download')) : null);
  };
  const follow = async job => {
    show(job);
    while (job.state === 'running' && !left) {
      await new Promise(r => setTimeout(r, 500));
      job = await get(`/api/v1/segments/${segment.id}/exports/${job.id}`);
      if (!left) show(job);
    }
  };
  const start = h('button', { 'data-test': 'export-csv', onclick: async () => {
    setBusy(start, true);
    try { await follow(await post(`/api/v1/segments/${segment.id}/exports`)); }
    catch (e) { box.replaceChildren(errorBox(e)); }
    finally { setBusy(start, false); }
  } }, t('segments.export.start'));
  const jobs = await get(`/api/v1/segments/${segment.id}/exports`).catch(() => []);
  if (jobs.length) follow(jobs[0]);
  return section(t('segments.export.title'), h('p', { class: 'muted' }, t('segments.export.hint')),
    ctx.can('marketing') ? h('div', { class: 'actions' }, start) : null, box);
}

export default {
  path: 'segments', nav: 'nav.segments', title: 'segments.title', order: 22,
  async render(ctx) {
    const [id] = ctx.params;
    if (!id) return list(ctx);
    if (id === 'new') return editor(ctx, null);
    return editor(ctx, id);
  },
};
