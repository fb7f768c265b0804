// The marketer's pages: profiles, segments, templates, campaigns. Each page is
// {path, nav (message key, shown in the top bar), title, order, roles (who sees it; omit = all), render(ctx)}.
export default [];
