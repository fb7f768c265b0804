// The dashboard (start page, every role): events per minute over the last hour, profiles, queue
// depths, plugin and route health and recent errors, from GET /api/v1/dashboard, refreshed every
// few seconds while it is shown.
import { get } from '../../api.js';
import { t, fmtDate, fmtTime, fmtNumber } from '../../i18n.js';
import { h, clear, barChart, errorBox } from '../../ui.js';
import { stateBadge } from './common.js';

const REFRESH_MS = 5000;

export default {
  path: 'dashboard', nav: 'nav.dashboard', title: 'dashboard.title', order: 0,
  async render(ctx) {
    const body = h('div', { 'data-test': 'dashboard-body' });
    const updated = h('span', { class: 'muted updated', 'data-test': 'dashboard-updated' });
    const problem = h('div');
    const refresh = async () => {
      try {
        const d = await get('/api/v1/dashboard');
        clear(problem);
        draw(body, d);
        updated.textContent = t('dashboard.updated', { time: fmtDate(new Date(), { dateStyle: undefined, timeStyle: 'medium' }) });
      } catch (err) {
        if (err.status === 401) throw err;
        clear(problem, errorBox(err));
      }
    };
    await refresh();
    clear(ctx.el, h('div', { 'data-test': 'dashboard' }, h('div', { class: 'toolbar' }, h('h1', null, t('dashboard.title')), updated), problem, body));
    ctx.every(REFRESH_MS, () => refresh().catch(() => {}));
  },
};

function card(label, value, test, kind) {
  return h('div', { class: 'card ' + (kind || ''), 'data-test': test },
    h('div', { class: 'label' }, label), h('div', { class: 'value', 'data-test': test + '-value' }, value));
}

const unknown = () => h('span', { class: 'muted' }, '—');

function draw(body, d) {
  const events = d.events || null;
  const messages = d.messages || null;
  const profiles = d.profiles || null;
  const queues = d.queues || null;
  const plugins = d.plugins || null;
  const routes = d.routes || null;
  const errors = d.recentErrors || [];
  const started = x => (x && x.byState && x.byState.STARTED) || 0;
  const pluginsBad = plugins ? (plugins.failing || []).length : 0;
  const routesBad = routes ? (routes.failing || []).length : 0;
  const depth = queues ? queues.reduce((n, q) => n + (q.messageCount || 0), 0) : null;
  clear(body,
    (d.unavailable || []).length ? h('div', { class: 'error-box', 'data-test': 'dashboard-unavailable' },
      t('dashboard.unavailable'), ' ', d.unavailable.join('; ')) : null,
    h('div', { class: 'cards' },
      card(t('dashboard.eventsLastHour'), events ? fmtNumber(events.lastHour) : unknown(), 'card-events'),
      card(t('dashboard.sentLastHour'), messages ? fmtNumber(messages.sentLastHour) : unknown(), 'card-sent'),
      card(t('dashboard.profiles'), profiles ? (profiles.estimated ? '≈ ' : '') + fmtNumber(profiles.count) : unknown(), 'card-profiles'),
      card(t('dashboard.queued'), depth === null ? unknown() : fmtNumber(depth), 'card-queued'),
      card(t('dashboard.plugins'), plugins ? t('dashboard.runningOf', { ok: started(plugins), n: plugins.total }) : unknown(), 'card-plugins', pluginsBad ? 'bad' : 'ok'),
      card(t('dashboard.routes'), routes ? t('dashboard.runningOf', { ok: started(routes), n: routes.total }) : unknown(), 'card-routes', routesBad ? 'bad' : 'ok'),
      card(t('dashboard.errors'), fmtNumber(errors.length), 'card-errors', errors.some(e => e.level === 'ERROR') ? 'bad' : 'ok')),
    h('div', { class: 'dash-charts' },
      chart(t('dashboard.eventsPerMinute'), events && events.perMinute, 'events-per-minute'),
      chart(t('dashboard.sentPerMinute'), messages && messages.sentPerMinute, 'sent-per-minute')),
    h('div', { class: 'dash-grid' },
      h('section', { class: 'panel', 'data-test': 'plugin-health' },
        h('h2', null, h('a', { href: '#/plugins' }, t('dashboard.plugins'))),
        plugins ? [byState(plugins.byState),
          plugins.disabledByAdmin ? h('p', { class: 'muted' }, t('dashboard.disabledByAdmin', { n: plugins.disabledByAdmin })) : null,
          failingList(plugins.failing || [], p => p.id, p => '#/plugins/' + encodeURIComponent(p.id), 'plugin-failing-', () => '')] : unknown()),
      h('section', { class: 'panel', 'data-test': 'route-health' },
        h('h2', null, h('a', { href: '#/routes' }, t('dashboard.routes'))),
        routes ? [byState(routes.byState),
          h('p', { class: 'muted' }, t('dashboard.exchanges', { n: routes.exchangesTotal || 0, failed: routes.exchangesFailed || 0 })),
          failingList(routes.failing || [], r => r.file || r.id, r => r.file ? '#/routes/files/' + encodeURIComponent(r.file) : '#/routes',
            'route-failing-', r => r.line ? t('routes.line', { n: r.line }) : '')] : unknown()),
      h('section', { class: 'panel', 'data-test': 'queues' }, h('h2', null, t('dashboard.queues')),
        !queues ? unknown() : queues.length ? h('ul', { class: 'health-list' }, [...queues].sort((a, b) => (b.messageCount || 0) - (a.messageCount || 0)).map(q =>
          h('li', { 'data-test': 'queue-' + q.name },
            h('span', { class: 'name' }, h('code', null, q.name)),
            h('span', { class: 'num', 'data-test': 'queue-depth-' + q.name }, fmtNumber(q.messageCount || 0)),
            h('span', { class: 'muted' }, t('dashboard.consumers', { n: q.consumerCount || 0 })))))
          : h('p', { class: 'muted' }, t('dashboard.noQueues'))),
      h('section', { class: 'panel wide', 'data-test': 'recent-errors' }, h('h2', null, t('dashboard.recentErrors')),
        errors.length ? h('ul', { class: 'health-list errors-list' }, errors.slice(0, 20).map(e => h('li', { 'data-test': 'recent-error' },
          h('span', { class: 'when' }, fmtDate(e.at)),
          h('span', { class: 'badge ' + (e.level === 'ERROR' ? 'bad' : 'DISABLED') }, e.level), ' ',
          h('code', { class: 'muted', title: e.logger }, shortLogger(e.logger)), ' ',
          h('span', null, e.message || ''))))
          : h('p', { class: 'muted', 'data-test': 'no-errors' }, t('dashboard.noErrors')))));
}

function chart(title, points, test) {
  return h('section', { class: 'panel', 'data-test': test + '-panel' }, h('h2', null, title),
    points ? barChart(points.map(m => ({ label: fmtTime(m.minute), value: m.count || 0 })), { test, height: 140 }) : unknown());
}

function byState(counts) {
  const entries = Object.entries(counts || {}).filter(([, n]) => n > 0);
  if (!entries.length) return h('p', { class: 'muted' }, t('common.none'));
  return h('p', { class: 'states' }, entries.map(([state, n]) => h('span', { class: 'state-count' }, stateBadge(state), ' ', fmtNumber(n))));
}

function failingList(items, name, link, prefix, where) {
  if (!items.length) return h('p', { class: 'ok-text' }, t('dashboard.allWell'));
  return h('ul', { class: 'health-list' }, items.map(x => h('li', { 'data-test': prefix + name(x) },
    h('span', { class: 'name' }, h('a', { href: link(x) }, name(x)), where(x) ? h('span', { class: 'muted' }, ' · ', where(x)) : null,
      x.error ? h('div', { class: 'error-text small clamp', title: x.error }, x.error) : null),
    stateBadge(x.state))));
}

/** io.atrium.server.plugin.PluginHost → PluginHost */
function shortLogger(name) {
  return String(name || '').split('.').pop();
}
