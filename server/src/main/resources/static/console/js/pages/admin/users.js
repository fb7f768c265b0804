// Users (admin): list, create, change role, disable/enable, reset password, delete.
import { get, post, put, del } from '../../api.js';
import { t, fmtDate } from '../../i18n.js';
import { h, clear, table, field, showErrors, clearErrors, confirmDialog, toast } from '../../ui.js';
import { formDialog } from './common.js';

const ROLES = ['admin', 'integrator', 'marketer', 'viewer'];

export default {
  path: 'users', nav: 'nav.users', title: 'users.title', order: 80, roles: ['admin'],
  async render(ctx) {
    const listBox = h('div', { 'data-test': 'users-list' });
    const refresh = async () => {
      const users = await get('/api/v1/users');
      clear(listBox, table([
        { label: t('users.username'), render: u => h('strong', null, u.username) },
        { label: t('users.displayName'), key: 'displayName' },
        { label: t('users.role'), render: u => roleSelect(ctx, u, refresh) },
        { label: t('users.state'), render: u => h('span', { class: 'badge ' + (u.enabled ? 'active' : 'DISABLED'), 'data-test': 'user-state-' + u.username },
            t(u.enabled ? 'users.enabled' : 'users.disabled')) },
        { label: t('users.source'), render: u => t('users.source.' + (u.source || 'local')) },
        { label: t('users.lastLoginAt'), render: u => fmtDate(u.lastLoginAt) },
        { label: '', render: u => rowActions(ctx, u, refresh) },
      ], users, { test: 'users-table', rowTest: u => 'user-row-' + u.username, empty: t('users.none') }));
    };
    await refresh();
    clear(ctx.el, h('h1', null, t('users.title')), createForm(refresh), listBox);
  },
};

function roleSelect(ctx, u, refresh) {
  return h('select', { name: 'role', 'data-test': 'user-role-' + u.username, 'aria-label': t('users.role'), onchange: async e => {
    const role = e.target.value;
    try {
      await put('/api/v1/users/' + encodeURIComponent(u.username), { role });
      toast(t('users.roleChanged', { user: u.username, role: t('role.' + role) }));
    } catch (err) {
      toast(err.message, 'error');
    }
    await refresh();
  } }, ROLES.map(r => h('option', { value: r, selected: r === u.role }, t('role.' + r))));
}

function rowActions(ctx, u, refresh) {
  const path = '/api/v1/users/' + encodeURIComponent(u.username);
  const self = u.username === ctx.me.username;
  return h('div', { class: 'row-actions' },
    h('button', { 'data-test': 'user-toggle-' + u.username, onclick: async () => {
      try {
        await put(path, { enabled: !u.enabled });
        toast(t(u.enabled ? 'users.disabledDone' : 'users.enabledDone', { user: u.username }));
      } catch (err) { toast(err.message, 'error'); }
      await refresh();
    } }, t(u.enabled ? 'users.disable' : 'users.enable')),
    h('button', { 'data-test': 'user-reset-' + u.username, onclick: () => resetPassword(u) }, t('users.resetPassword')),
    h('button', { class: 'danger', 'data-test': 'user-delete-' + u.username, disabled: self, title: self ? t('users.notYourself') : null, onclick: async () => {
      if (!await confirmDialog(t('users.delete.confirm', { user: u.username }), { danger: true, typeToConfirm: u.username, confirmLabel: t('common.delete') })) return;
      try {
        await del(path);
        toast(t('users.deleted', { user: u.username }));
      } catch (err) { toast(err.message, 'error'); }
      await refresh();
    } }, t('common.delete')));
}

function resetPassword(u) {
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'new-password', 'data-test': 'reset-password', minlength: 8 });
  return formDialog(t('users.reset.title', { user: u.username }), [
    h('p', { class: 'muted' }, t('users.reset.hint')),
    field(t('users.newPassword'), password, t('users.password.hint')),
  ], {
    test: 'reset-dialog', okLabel: t('users.resetPassword'),
    onSubmit: async () => {
      await put('/api/v1/users/' + encodeURIComponent(u.username), { password: password.value });
      toast(t('users.reset.done', { user: u.username }));
    },
    onError: (form, err) => showErrors(form, err),
  });
}

function createForm(refresh) {
  const inputs = {
    username: h('input', { name: 'username', 'data-test': 'new-username', autocomplete: 'off', maxlength: 64 }),
    displayName: h('input', { name: 'displayName', 'data-test': 'new-displayName', autocomplete: 'off' }),
    role: h('select', { name: 'role', 'data-test': 'new-role' }, ROLES.map(r => h('option', { value: r, selected: r === 'viewer' }, t('role.' + r)))),
    password: h('input', { name: 'password', type: 'password', 'data-test': 'new-user-password', autocomplete: 'new-password' }),
  };
  const form = h('form', { class: 'panel', 'data-test': 'user-form', onsubmit: async e => {
    e.preventDefault();
    clearErrors(form);
    try {
      const body = { username: inputs.username.value.trim(), displayName: inputs.displayName.value.trim() || null,
        role: inputs.role.value, password: inputs.password.value };
      const created = await post('/api/v1/users', body);
      toast(t('users.created', { user: created.username }));
      inputs.username.value = ''; inputs.displayName.value = ''; inputs.password.value = '';
      await refresh();
    } catch (err) {
      showErrors(form, err);
    }
  } },
    h('h2', null, t('users.create.title')),
    h('div', { class: 'grid4' },
      field(t('users.username'), inputs.username, t('users.username.hint')),
      field(t('users.displayName'), inputs.displayName),
      field(t('users.role'), inputs.role),
      field(t('users.password'), inputs.password, t('users.password.hint'))),
    h('div', { class: 'actions' }, h('button', { class: 'primary', type: 'submit', 'data-test': 'user-create' }, t('common.create'))));
  return form;
}
