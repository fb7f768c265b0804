// The console's only way to the server: same-origin fetch with the sign-in session cookie and the
// CSRF token (the XSRF-TOKEN cookie's value sent back as X-XSRF-TOKEN on every change).

export class ApiError extends Error {
  constructor(status, body) {
    super((body && (typeof body.detail === 'string' ? body.detail : body.error)) || ('HTTP ' + status));
    this.status = status;
    this.error = body && body.error;   // the API's error code: invalid_segment, forbidden, ...
    this.detail = body && body.detail; // a text, or an object naming the field / listing problems
  }
  /** The field the server named, if any (detail.field or detail.problems[0].path/key). */
  get field() {
    const d = this.detail;
    if (!d || typeof d !== 'object') return null;
    if (d.field) return d.field;
    const p = Array.isArray(d) ? d : d.problems;
    if (Array.isArray(p) && p.length) return p[0].path || p[0].key || null;
    return null;
  }
}

let onUnauthorized = () => {};
export function setUnauthorizedHandler(fn) { onUnauthorized = fn; }

export function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)XSRF-TOKEN=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

/**
 * api('GET', '/api/v1/segments') → parsed JSON (or text for non-JSON answers, null for 204).
 * Throws ApiError for any 4xx/5xx. opts: {raw: true} gives the Response; {form: FormData|URLSearchParams};
 * {headers}; {contentType} with a string body.
 */
export async function api(method, path, body, opts = {}) {
  const headers = Object.assign({ 'Accept': 'application/json' }, opts.headers || {});
  let payload;
  if (opts.form) {
    payload = opts.form;
  } else if (body !== undefined && body !== null) {
    if (typeof body === 'string' || body instanceof Blob) {
      payload = body;
      headers['Content-Type'] = opts.contentType || 'application/json';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD') headers['X-XSRF-TOKEN'] = csrfToken();
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  if (opts.raw) return response;
  const type = response.headers.get('Content-Type') || '';
  const data = response.status === 204 ? null
    : type.includes('json') ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) {
    const err = new ApiError(response.status, data && typeof data === 'object' ? data : { error: 'http_' + response.status, detail: data });
    if (response.status === 401 && !opts.noRedirect) onUnauthorized(err);
    throw err;
  }
  return data;
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);
