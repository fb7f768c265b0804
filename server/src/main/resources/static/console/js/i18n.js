// Message bundles (i18n/<lang>/<area>.json, merged; English is the fallback) and the user's locale
// and time zone for dates and numbers. The user's choice is kept in this browser.

export const LANGUAGES = { en: 'English', ru: 'Русский', uk: 'Українська' };
const AREAS = ['common', 'marketing', 'admin'];
const INTL = { en: 'en-GB', ru: 'ru-RU', uk: 'uk-UA' };

let messages = {};
let fallback = {};
let lang = 'en';

export function currentLanguage() { return lang; }
export function timeZone() {
  return localStorage.getItem('atrium.tz') || Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
export function setTimeZone(tz) { localStorage.setItem('atrium.tz', tz); }

async function loadBundles(l) {
  const parts = await Promise.all(AREAS.map(a => fetch(`/console/i18n/${l}/${a}.json`).then(r => r.ok ? r.json() : {}).catch(() => ({}))));
  return Object.assign({}, ...parts);
}

export async function setLanguage(l) {
  lang = LANGUAGES[l] ? l : 'en';
  localStorage.setItem('atrium.lang', lang);
  document.documentElement.lang = lang;
  if (!Object.keys(fallback).length) fallback = await loadBundles('en');
  messages = lang === 'en' ? fallback : await loadBundles(lang);
}

export function initialLanguage() {
  const saved = localStorage.getItem('atrium.lang');
  if (saved && LANGUAGES[saved]) return saved;
  const nav = (navigator.language || 'en').slice(0, 2);
  return LANGUAGES[nav] ? nav : 'en';
}

/** t('segments.count', {n: 3}) → the message with {n} replaced; the key itself when missing. */
export function t(key, params) {
  let s = messages[key] ?? fallback[key] ?? key;
  if (params) for (const [k, v] of Object.entries(params)) s = s.split('{' + k + '}').join(typeof v === 'number' ? fmtNumber(v) : String(v));
  return s;
}

export function fmtNumber(n, opts) {
  if (n === null || n === undefined || n === '') return '';
  return new Intl.NumberFormat(INTL[lang], opts).format(n);
}

/** A date-time in the user's locale and time zone ('' for none). */
export function fmtDate(value, opts) {
  if (!value) return '';
  const d = value instanceof Date ? value : new Date(value);
  if (isNaN(d)) return String(value);
  return new Intl.DateTimeFormat(INTL[lang], Object.assign({ dateStyle: 'medium', timeStyle: 'medium', timeZone: timeZone() }, opts || {})).format(d);
}

export function fmtTime(value) { return fmtDate(value, { dateStyle: undefined, timeStyle: 'short' }); }
