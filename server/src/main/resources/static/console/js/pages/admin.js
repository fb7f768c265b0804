// The dashboard and the integrator's and admin's pages: plugins, routes, sources, users, audit, account.
// Each page is {path, nav (message key, shown in the top bar), title, order, roles (who sees it; omit = all), render(ctx)}.
import dashboard from './admin/dashboard.js';
import plugins from './admin/plugins.js';
import routes from './admin/routes.js';
import sources from './admin/sources.js';
import users from './admin/users.js';
import audit from './admin/audit.js';
import account from './admin/account.js';

export default [dashboard, plugins, routes, sources, users, audit, account];
