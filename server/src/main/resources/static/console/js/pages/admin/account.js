// Account (every user): change one's own password (local users), language and time zone (kept in
// this browser, see i18n.js).
import { put } from '../../api.js';
import { t, fmtDate, currentLanguage, setLanguage, LANGUAGES, timeZone, setTimeZone } from '../../i18n.js';
import { h, clear, field, showErrors, clearErrors, toast } from '../../ui.js';

export default {
  path: 'account', nav: 'nav.account', title: 'account.title', order: 90,
  async render(ctx) {
    clear(ctx.el, h('h1', null, t('account.title')),
      h('div', { class: 'row' },
        h('div', null, passwordForm(ctx)),
        h('div', null, preferences())));
  },
};

function passwordForm(ctx) {
  if (ctx.me.source !== 'local') {
    return h('section', { class: 'panel', 'data-test': 'password-elsewhere' }, h('h2', null, t('account.password.title')),
      h('p', { class: 'muted' }, t(ctx.me.source === 'ldap' ? 'account.password.ldap' : 'account.password.token')));
  }
  const current = h('input', { type: 'password', name: 'currentPassword', autocomplete: 'current-password', 'data-test': 'current-password' });
  const fresh = h('input', { type: 'password', name: 'newPassword', autocomplete: 'new-password', 'data-test': 'new-password' });
  const repeat = h('input', { type: 'password', name: 'repeatPassword', autocomplete: 'new-password', 'data-test': 'repeat-password' });
  const done = h('div', { 'data-test': 'password-result' });
  const form = h('form', { class: 'panel', 'data-test': 'password-form', onsubmit: async e => {
    e.preventDefault();
    clearErrors(form);
    clear(done);
    if (fresh.value !== repeat.value) {
      showErrors(form, { detail: { field: 'repeatPassword', message: t('account.password.mismatch') } });
      return;
    }
    try {
      await put('/api/v1/me/password', { currentPassword: current.value, newPassword: fresh.value });
      current.value = fresh.value = repeat.value = '';
      clear(done, h('div', { class: 'ok-box', 'data-test': 'password-changed' }, t('account.password.changed')));
    } catch (err) {
      // The server names the new password "password".
      showErrors(form, err, name => name === 'password' ? 'newPassword' : name);
    }
  } },
    h('h2', null, t('account.password.title')),
    h('p', { class: 'muted' }, t('account.signedInAs', { user: ctx.me.username, role: t('role.' + ctx.me.role) })),
    field(t('account.password.current'), current),
    field(t('account.password.new'), fresh, t('users.password.hint')),
    field(t('account.password.repeat'), repeat),
    done,
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit', 'data-test': 'password-save' }, t('account.password.save'))));
  return form;
}

function zones() {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch (e) {
    return ['UTC', 'Europe/Kyiv', 'Europe/Moscow', 'Europe/London', 'Europe/Berlin', 'America/New_York'];
  }
}

function preferences() {
  const own = localStorage.getItem('atrium.tz');
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  const sample = h('p', { class: 'muted', 'data-test': 'time-sample' }, t('account.now', { time: fmtDate(new Date()) }));
  const lang = h('select', { name: 'language', 'data-test': 'account-language', onchange: async e => {
    await setLanguage(e.target.value);
    location.reload(); // every page and the top bar in the new language
  } }, Object.entries(LANGUAGES).map(([code, name]) => h('option', { value: code, selected: code === currentLanguage() }, name)));
  const tz = h('select', { name: 'timeZone', 'data-test': 'account-timezone', onchange: e => {
    if (e.target.value) setTimeZone(e.target.value); else localStorage.removeItem('atrium.tz');
    sample.textContent = t('account.now', { time: fmtDate(new Date()) });
    toast(t('account.timeZone.saved', { zone: timeZone() }));
  } },
    h('option', { value: '', selected: !own }, t('account.timeZone.browser', { zone: browserZone })),
    zones().map(z => h('option', { value: z, selected: z === own }, z)));
  return h('section', { class: 'panel', 'data-test': 'preferences' },
    h('h2', null, t('account.preferences')),
    h('p', { class: 'muted' }, t('account.preferences.hint')),
    field(t('account.language'), lang),
    field(t('account.timeZone'), tz),
    sample);
}
