/*
 * Atrium web tracker. Add to a page:
 *   <script async src="https://atrium.example.com/js/atrium.js" data-write-key="WRITE_KEY"></script>
 * then call atrium.track(name, properties), atrium.identify(userId, traits), atrium.page().
 * Calls made before the script has loaded can be queued: window.atrium = window.atrium || [];
 * atrium.push(['track', 'signup', {plan: 'pro'}]).
 */
(function (window, document) {
  'use strict';
  if (window.atrium && window.atrium.__atrium) { return; }

  var script = document.currentScript || (function () {
    var all = document.getElementsByTagName('script');
    for (var i = all.length - 1; i >= 0; i--) { if (/atrium\.js/.test(all[i].src)) { return all[i]; } }
    return null;
  })();
  var endpoint = script ? script.src.replace(/\/js\/atrium\.js.*$/, '') : '';
  var writeKey = script ? script.getAttribute('data-write-key') : null;
  var autoPage = !script || script.getAttribute('data-auto-page') !== 'false';
  var ANON = 'atrium_anonymous_id', USER = 'atrium_user_id', QUEUE = 'atrium_queue';
  var MAX_BATCH = 20, FLUSH_MS = 1000, MAX_QUEUE = 500;

  function uuid() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return 'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, function (c) {
      var r = Math.random() * 16 | 0; return (c === 'x' ? r : (r & 0x3 | 0x8)).toString(16);
    });
  }
  function readCookie(name) {
    var m = document.cookie.match(new RegExp('(?:^|; )' + name + '=([^;]*)'));
    return m ? decodeURIComponent(m[1]) : null;
  }
  function writeCookie(name, value) {
    document.cookie = name + '=' + encodeURIComponent(value) + '; Max-Age=' + (365 * 24 * 3600) + '; Path=/; SameSite=Lax';
  }
  function store(name, value) {
    try { window.localStorage.setItem(name, value); } catch (e) { /* private mode */ }
    writeCookie(name, value);
  }
  function load(name) {
    var v = null;
    try { v = window.localStorage.getItem(name); } catch (e) { /* private mode */ }
    return v || readCookie(name);
  }

  var anonymousId = load(ANON);
  if (!anonymousId) { anonymousId = uuid(); }
  store(ANON, anonymousId);
  var userId = load(USER);

  var queue = [];
  try { queue = JSON.parse(window.localStorage.getItem(QUEUE) || '[]'); } catch (e) { queue = []; }
  var timer = null, inFlight = false, backoff = FLUSH_MS;

  function persist() {
    try { window.localStorage.setItem(QUEUE, JSON.stringify(queue.slice(-MAX_QUEUE))); } catch (e) { /* full */ }
  }
  function context() {
    return {
      library: { name: 'atrium.js', version: '0.1.0' },
      page: { path: location.pathname, referrer: document.referrer, search: location.search, title: document.title, url: location.href },
      userAgent: navigator.userAgent,
      locale: navigator.language
    };
  }
  function enqueue(msg) {
    msg.messageId = uuid();
    msg.anonymousId = anonymousId;
    if (userId) { msg.userId = userId; }
    msg.timestamp = new Date().toISOString();
    msg.context = context();
    queue.push(msg);
    if (queue.length > MAX_QUEUE) { queue.splice(0, queue.length - MAX_QUEUE); }
    persist();
    schedule(queue.length >= MAX_BATCH ? 0 : FLUSH_MS);
  }
  function schedule(ms) {
    if (timer) { return; }
    timer = setTimeout(function () { timer = null; flush(); }, ms);
  }
  function body(batch) {
    return JSON.stringify({ batch: batch, sentAt: new Date().toISOString(), writeKey: writeKey });
  }
  function flush() {
    if (inFlight || !queue.length || !writeKey) { return; }
    var batch = queue.slice(0, MAX_BATCH);
    inFlight = true;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', endpoint + '/v1/batch', true);
    xhr.setRequestHeader('Content-Type', 'text/plain');
    xhr.setRequestHeader('Authorization', 'Basic ' + btoa(writeKey + ':'));
    xhr.onreadystatechange = function () {
      if (xhr.readyState !== 4) { return; }
      inFlight = false;
      if (xhr.status >= 200 && xhr.status < 300 || xhr.status === 400 || xhr.status === 413) {
        // delivered, or refused for good: either way these events are done
        queue.splice(0, batch.length);
        persist();
        backoff = FLUSH_MS;
        if (queue.length) { schedule(0); }
      } else {
        backoff = Math.min(backoff * 2, 60000);
        schedule(backoff);
      }
    };
    xhr.send(body(batch));
  }
  function flushOnUnload() {
    if (!queue.length || !writeKey || !navigator.sendBeacon) { return; }
    var batch = queue.slice(0, MAX_BATCH);
    if (navigator.sendBeacon(endpoint + '/v1/batch', new Blob([body(batch)], { type: 'text/plain' }))) {
      queue.splice(0, batch.length);
      persist();
    }
  }

  var api = {
    __atrium: true,
    track: function (event, properties) { enqueue({ type: 'track', event: event, properties: properties || {} }); },
    page: function (name, properties) { enqueue({ type: 'page', name: name || document.title, properties: properties || {} }); },
    identify: function (id, traits) {
      if (typeof id === 'object') { traits = id; id = null; }
      if (id) { userId = String(id); store(USER, userId); }
      enqueue({ type: 'identify', traits: traits || {} });
    },
    reset: function () {
      userId = null; anonymousId = uuid();
      store(ANON, anonymousId);
      try { window.localStorage.removeItem(USER); } catch (e) { /* ignore */ }
      document.cookie = USER + '=; Max-Age=0; Path=/';
    },
    anonymousId: function () { return anonymousId; },
    flush: flush,
    push: function (call) { if (call && api[call[0]]) { api[call[0]].apply(api, call.slice(1)); } }
  };

  var early = window.atrium;
  window.atrium = api;
  if (early && early.length) { for (var i = 0; i < early.length; i++) { api.push(early[i]); } }
  document.addEventListener('visibilitychange', function () { if (document.visibilityState === 'hidden') { flushOnUnload(); } });
  window.addEventListener('pagehide', flushOnUnload);
  if (autoPage) { api.page(); }
  if (queue.length) { schedule(0); }
})(window, document);
