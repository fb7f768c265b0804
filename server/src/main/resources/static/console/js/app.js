// The console's shell: sign-in, the top bar (navigation by role, language, sign-out) and a hash
// router (#/segments/12 → the page 'segments' with params ['12']). Pages live in pages/*.js.
import { api, get, setUnauthorizedHandler } from './api.js';
import { t, setLanguage, initialLanguage, currentLanguage, LANGUAGES } from './i18n.js';
import { h, clear, errorBox } from './ui.js';
import marketingPages from './pages/marketing.js';
import adminPages from './pages/admin.js';

const PAGES = [...adminPages, ...marketingPages].sort((a, b) => (a.order ?? 50) - (b.order ?? 50));
const root = document.getElementById('app');
let me = null;
let leaveHandlers = [];

/** What a role may change (the server enforces the same, docs/console.md#roles). */
export function can(area, user = me) {
  if (!user) return false;
  if (user.role === 'admin') return true;
  if (area === 'integration') return user.role === 'integrator';
  if (area === 'marketing') return user.role === 'marketer';
  return false; // 'admin' and anything else
}

export function navigate(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

function leave() {
  const handlers = leaveHandlers;
  leaveHandlers = [];
  handlers.forEach(fn => { try { fn(); } catch (e) { console.error(e); } });
}

async function route() {
  leave();
  if (!me) return;
  const parts = (location.hash.replace(/^#\/?/, '') || 'dashboard').split('/').map(decodeURIComponent);
  const page = PAGES.find(p => p.path === parts[0]);
  renderFrame(page);
  const main = document.getElementById('main');
  if (!page) { clear(main, h('h1', null, t('common.notFound')), h('p', null, location.hash)); return; }
  if (page.roles && !page.roles.includes(me.role)) { clear(main, h('h1', null, t('common.forbidden'))); return; }
  document.title = t(page.title || page.nav || page.path) + ' · Atrium';
  const ctx = {
    el: main, params: parts.slice(1), me, can: area => can(area), navigate,
    onLeave: fn => leaveHandlers.push(fn),
    /** Repeats fn every ms milliseconds while the page is shown (dashboards, progress). */
    every: (ms, fn) => { const id = setInterval(fn, ms); leaveHandlers.push(() => clearInterval(id)); },
  };
  try {
    clear(main, h('p', { class: 'loading' }, t('common.loading')));
    await page.render(ctx);
  } catch (e) {
    console.error(e);
    if (e.status !== 401) clear(main, errorBox(e));
  }
}

function renderFrame(active) {
  if (document.getElementById('main')) {
    document.querySelectorAll('header.top nav a').forEach(a => a.classList.toggle('active', active && a.dataset.page === active.path));
    return;
  }
  const nav = PAGES.filter(p => p.nav && (!p.roles || p.roles.includes(me.role)))
    .map(p => h('a', { href: '#/' + p.path, 'data-page': p.path, 'data-test': 'nav-' + p.path, class: active === p ? 'active' : null }, t(p.nav)));
  clear(root,
    h('header', { class: 'top' },
      h('span', { class: 'brand' }, 'Atrium'),
      h('nav', null, nav),
      h('span', { class: 'user' },
        languagePicker(),
        h('span', { 'data-test': 'whoami' }, me.displayName || me.username),
        h('span', { class: 'badge', 'data-test': 'role' }, t('role.' + me.role)),
        h('button', { 'data-test': 'sign-out', onclick: signOut }, t('common.signOut')))),
    h('main', { id: 'main' }));
}

function languagePicker() {
  return h('select', { name: 'language', 'data-test': 'language', 'aria-label': t('common.language'),
    onchange: async e => { await setLanguage(e.target.value); const m = document.getElementById('main'); if (m) root.replaceChildren(); route(); if (!me) showSignIn(); } },
    Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, selected: code === currentLanguage() }, name)));
}

async function signOut() {
  leave();
  await api('POST', '/console/logout', undefined, { noRedirect: true }).catch(() => {});
  me = null;
  showSignIn();
}

function showSignIn(message) {
  leave();
  me = null;
  const error = h('div', { 'data-test': 'sign-in-error' });
  if (message) error.appendChild(errorBox(message));
  const username = h('input', { name: 'username', autocomplete: 'username', 'data-test': 'username', required: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', 'data-test': 'password', required: true });
  const form = h('form', { class: 'panel login', 'data-test': 'sign-in', onsubmit: async e => {
    e.preventDefault();
    clear(error);
    try {
      await get('/api/v1/me', { noRedirect: true }).catch(() => null); // sets the CSRF cookie
      await api('POST', '/console/login', undefined, { form: new URLSearchParams({ username: username.value, password: password.value }), noRedirect: true });
      await start();
    } catch (err) {
      error.appendChild(errorBox(err));
      password.value = '';
      password.focus();
    }
  } },
    h('h1', null, 'Atrium'),
    h('label', null, t('signIn.username')), username,
    h('label', null, t('signIn.password')), password,
    error,
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit', 'data-test': 'sign-in-submit' }, t('signIn.submit')), languagePicker()));
  clear(root, form);
  username.focus();
}

async function start() {
  try {
    me = await get('/api/v1/me', { noRedirect: true });
  } catch (e) {
    if (e.status === 401) { showSignIn(); return; }
    clear(root, errorBox(e));
    return;
  }
  root.replaceChildren();
  route();
}

setUnauthorizedHandler(() => { if (me) showSignIn(t('signIn.expired')); });
window.addEventListener('hashchange', route);
setLanguage(initialLanguage()).then(start);
