// The dashboard and the integrator's and admin's pages: plugins, routes, sources, users, audit.
// Each page is {path, nav (message key, shown in the top bar), title, order, roles (who sees it; omit = all), render(ctx)}.
export default [];
