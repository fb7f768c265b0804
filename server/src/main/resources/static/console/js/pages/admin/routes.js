// Routes: every running Camel route and every route file that failed (with file and line), per-route
// throughput, and a file's YAML (read-only; files are edited in routes/ on the hub).
import { get } from '../../api.js';
import { t, fmtDate, fmtNumber } from '../../i18n.js';
import { h, clear, table } from '../../ui.js';
import { stateBadge } from './common.js';

export default {
  path: 'routes', nav: 'nav.routes', title: 'routes.title', order: 61,
  async render(ctx) {
    if (ctx.params[0] === 'files' && ctx.params[1]) return renderFile(ctx, ctx.params[1]);
    return renderList(ctx);
  },
};

const fileLink = file => h('a', { href: '#/routes/files/' + encodeURIComponent(file), 'data-test': 'route-file-' + file }, file);

/** Where an error points: "file.yaml, line 5, column 1". */
function where(r) {
  const bits = [];
  if (r.file) bits.push(r.file);
  if (r.line) bits.push(t('routes.line', { n: r.line }));
  if (r.column) bits.push(t('routes.column', { n: r.column }));
  return bits.join(', ');
}

/**
 * Keeps the previous exchange count of each route to tell the throughput between two polls
 * (exchanges per minute); a route whose count went down was restarted and starts again.
 */
function rateMeter() {
  const seen = new Map();
  return routes => {
    const now = performance.now();
    const rates = new Map();
    for (const r of routes) {
      if (!r.id || !r.stats) continue;
      const before = seen.get(r.id);
      const total = r.stats.exchangesTotal;
      if (before && total >= before.total && now > before.at) rates.set(r.id, (total - before.total) / ((now - before.at) / 60000));
      seen.set(r.id, { total, at: now });
    }
    return rates;
  };
}

function statsColumns(rates) {
  const s = r => r.stats || null;
  return [
    { label: t('routes.exchanges'), num: true, render: r => s(r) ? s(r).exchangesTotal : '' },
    { label: t('routes.failed'), num: true, render: r => s(r) ? h('span', { class: s(r).exchangesFailed ? 'error-text' : null }, fmtNumber(s(r).exchangesFailed)) : '' },
    { label: t('routes.inflight'), num: true, render: r => s(r) ? s(r).exchangesInflight : '' },
    { label: t('routes.perMinute'), num: true, render: r => rates.has(r.id) ? h('span', { 'data-test': 'route-rate-' + r.id }, fmtNumber(rates.get(r.id), { maximumFractionDigits: 1 })) : h('span', { class: 'muted' }, '…') },
    { label: t('routes.meanMs'), num: true, render: r => s(r) && s(r).meanProcessingMillis != null ? fmtNumber(s(r).meanProcessingMillis, { maximumFractionDigits: 1 }) : '' },
    { label: t('routes.lastExchange'), render: r => s(r) && s(r).lastExchangeAt ? h('span', { class: 'nowrap' }, fmtDate(s(r).lastExchangeAt)) : '' },
  ];
}

async function renderList(ctx) {
  const meter = rateMeter();
  const failedBox = h('div', { 'data-test': 'routes-failed' });
  const listBox = h('div', { 'data-test': 'routes-list' });
  const refresh = async () => {
    const routes = await get('/api/v1/routes');
    const rates = meter(routes);
    // One problem per file: a failed file, or the running routes of a file whose latest edit failed.
    const seen = new Set();
    const failed = routes.filter(r => (r.state === 'FAILED' || r.error) && !seen.has(r.file || r.id) && seen.add(r.file || r.id));
    clear(failedBox, failed.length ? h('section', { class: 'panel problems' },
      h('h2', null, t('routes.problems', { n: failed.length })),
      failed.map(r => h('div', { class: 'error-box', 'data-test': 'route-problem-' + (r.file || r.id) },
        h('strong', null, r.file ? fileLink(r.file) : r.id), r.line ? ' · ' + where(r).replace(r.file + ', ', '') : '',
        h('div', null, r.error)))) : null);
    const running = routes.filter(r => r.id);
    clear(listBox, table([
      { label: t('routes.id'), render: r => h('strong', null, r.id) },
      { label: t('routes.source'), render: r => r.file ? fileLink(r.file) : r.plugin ? h('span', null, t('routes.plugin'), ' ', h('a', { href: '#/plugins/' + encodeURIComponent(r.plugin) }, r.plugin)) : '' },
      { label: t('routes.from'), render: r => h('code', null, r.from || '') },
      { label: t('routes.state'), render: r => stateBadge(r.state, 'route-state-' + r.id) },
      ...statsColumns(rates),
    ], running, { test: 'routes-table', rowTest: r => 'route-row-' + r.id, empty: t('routes.none') }));
  };
  await refresh();
  clear(ctx.el, h('h1', null, t('routes.title')),
    h('p', { class: 'muted' }, t('routes.intro')),
    failedBox, listBox,
    h('p', { class: 'muted' }, t('routes.rateNote')));
  ctx.every(5000, () => refresh().catch(() => {}));
}

async function renderFile(ctx, file) {
  const [text, routes] = await Promise.all([
    get('/api/v1/routes/files/' + encodeURIComponent(file), { headers: { Accept: 'application/yaml, text/plain, */*' } }),
    get('/api/v1/routes'),
  ]);
  const mine = routes.filter(r => r.file === file);
  const failure = mine.find(r => r.error);
  const meter = rateMeter();
  meter(mine);
  const lines = String(text ?? '').replace(/\n$/, '').split('\n');
  // A parser that ran into the end of the file points at the line after the last one.
  if (failure && failure.line === lines.length + 1) lines.push('');
  const yaml = h('pre', { class: 'yaml', 'data-test': 'route-yaml' }, lines.map((line, i) =>
    h('span', { class: 'line' + (failure && failure.line === i + 1 ? ' error-line' : ''), 'data-line': i + 1 },
      h('span', { class: 'ln' }, String(i + 1)), line + '\n')));
  const table1 = h('div', { 'data-test': 'file-routes' });
  const drawRoutes = (list, rates) => clear(table1, table([
    { label: t('routes.id'), render: r => r.id ? h('strong', null, r.id) : h('span', { class: 'muted' }, '—') },
    { label: t('routes.from'), render: r => h('code', null, r.from || '') },
    { label: t('routes.state'), render: r => stateBadge(r.state) },
    ...statsColumns(rates),
  ], list, { test: 'file-routes-table' }));
  drawRoutes(mine, new Map());
  clear(ctx.el,
    h('h1', null, h('a', { href: '#/routes', class: 'back' }, t('routes.title')), ' / ', file),
    failure ? h('div', { class: 'error-box', 'data-test': 'route-file-error' }, h('strong', null, where(failure)), h('div', null, failure.error)) : null,
    table1,
    h('h2', null, t('routes.yaml')),
    h('p', { class: 'muted' }, t('routes.yamlHint', { file: 'routes/' + file })),
    yaml);
  ctx.every(5000, async () => {
    try {
      const fresh = (await get('/api/v1/routes')).filter(r => r.file === file);
      drawRoutes(fresh, meter(fresh));
    } catch (e) { /* next time */ }
  });
}
