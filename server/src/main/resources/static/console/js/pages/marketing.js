// The marketer's pages: profiles, segments, templates, campaigns. Each page is
// {path, nav (message key, shown in the top bar), title, order, roles (who sees it; omit = all), render(ctx)}.
import profiles from './marketing/profiles.js';
import segments from './marketing/segments.js';
import templates from './marketing/templates.js';
import campaigns from './marketing/campaigns.js';

export default [profiles, segments, templates, campaigns];
