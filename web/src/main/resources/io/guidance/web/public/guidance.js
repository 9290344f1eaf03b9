/* guidance.js: sends a page's clickstream to the guidance service and shows the guides it triggers.
 * No dependencies. Guidance.init({endpoint, userId, sessionId, token, guides, pageProps}); see the project README. */
(function (w, d) {
  'use strict';
  var c, queue = [], flushTimer = null, pollTimer = null, pingTimer = null, delay, seen = {}, box = null, n = 0;
  var defaults = {endpoint: '', batchSize: 20, flushInterval: 2000, pollInterval: 2000, maxPollInterval: 60000,
    pingInterval: 15000, hoverDelay: 500, maxQueue: 500};

  function id() {
    if (w.crypto && w.crypto.randomUUID) return w.crypto.randomUUID();
    return 'g-' + Date.now().toString(36) + '-' + Math.random().toString(36).slice(2) + '-' + (++n);
  }

  function headers() {
    var h = {'Content-Type': 'application/json'};
    if (c.token) h.Authorization = 'Bearer ' + c.token;
    return h;
  }

  function track(type, target, props) {
    if (!c) return;
    var e = {eventId: id(), userId: c.userId, sessionId: c.sessionId, ts: Date.now(), type: type,
      page: w.location.pathname};
    if (target) e.target = target;
    if (props) e.props = props;
    queue.push(e);
    if (queue.length > c.maxQueue) queue.splice(0, queue.length - c.maxQueue);
    if (queue.length >= c.batchSize) flush();
    else if (!flushTimer) flushTimer = setTimeout(flush, c.flushInterval);
  }

  // keepalive lets a batch sent while the page goes away still arrive
  function flush() {
    clearTimeout(flushTimer);
    flushTimer = null;
    if (!queue.length) return;
    var batch = queue.splice(0, c.batchSize);
    fetch(c.endpoint + '/v1/events', {method: 'POST', headers: headers(), keepalive: true,
      body: JSON.stringify({sentAt: Date.now(), events: batch})})
      .then(function (r) { if (r.status === 429 || r.status >= 500) throw r; })
      .catch(function () {
        // unsent: back in front, tried again later (the job processes an eventId once)
        queue = batch.concat(queue).slice(0, c.maxQueue);
        if (!flushTimer) flushTimer = setTimeout(flush, c.flushInterval * 2);
      });
    if (queue.length) flushTimer = setTimeout(flush, 0);
  }

  function label(el) {
    return el.id ? '#' + el.id : (el.getAttribute('data-guidance') || el.tagName.toLowerCase());
  }

  function marked(ev) {
    return ev.target && ev.target.closest ? ev.target.closest('[data-guidance]') : null;
  }

  function listen() {
    d.addEventListener('click', function (ev) {
      var el = marked(ev);
      if (el) track('click', label(el));
    }, true);
    var hoverEl = null, hoverTimer = null;
    d.addEventListener('mouseover', function (ev) {
      var el = marked(ev);
      if (el === hoverEl) return;
      clearTimeout(hoverTimer);
      hoverEl = el;
      if (el) hoverTimer = setTimeout(function () { track('hover', label(el)); }, c.hoverDelay);
    }, true);
    d.addEventListener('invalid', function (ev) {
      var f = ev.target;
      track('form_error', label(f), {field: f.name || f.id || '', error: f.validationMessage || 'invalid'});
    }, true);
    d.addEventListener('visibilitychange', function () {
      track('visibility', null, {state: d.visibilityState});
      if (d.visibilityState === 'hidden') { flush(); stopPolling(); } else { schedule(0); }
    });
    w.addEventListener('pagehide', flush);
    pingTimer = setInterval(function () { if (d.visibilityState === 'visible') track('page_ping'); },
      c.pingInterval);
  }

  function stopPolling() { clearTimeout(pollTimer); pollTimer = null; }

  // a base interval while all is well, doubled up to maxPollInterval on errors, with +-20% jitter
  function schedule(ms) {
    stopPolling();
    pollTimer = setTimeout(poll, ms === undefined ? delay * (0.8 + Math.random() * 0.4) : ms);
  }

  function poll() {
    fetch(c.endpoint + '/v1/triggers/' + encodeURIComponent(c.userId), {headers: headers(), cache: 'no-store'})
      .then(function (r) {
        if (r.status === 204) { delay = c.pollInterval; return; }
        if (r.status !== 200) throw r;
        delay = c.pollInterval;
        return r.json().then(show);
      })
      .catch(function () { delay = Math.min(delay * 2, c.maxPollInterval); })
      .then(function () { if (d.visibilityState !== 'hidden') schedule(); });
  }

  function ack(t, tries) {
    fetch(c.endpoint + '/v1/triggers/' + encodeURIComponent(t.triggerId) + '/ack',
      {method: 'POST', headers: headers(), keepalive: true, body: JSON.stringify({userId: c.userId})})
      .then(function (r) { if (r.status === 429 || r.status >= 500) throw r; })
      .catch(function () { if ((tries || 0) < 5) setTimeout(function () { ack(t, (tries || 0) + 1); }, 3000); });
  }

  function feedback(type, t) { track(type, null, {guide: t.guide, triggerId: t.triggerId}); }

  // text only: the content comes from the site's catalogue, never from the trigger
  function show(t) {
    if (!t || !t.triggerId || seen[t.triggerId] || box) return;
    var g = c.guides && c.guides[t.guide];
    if (!g) return;
    seen[t.triggerId] = true;
    box = d.createElement('aside');
    box.className = 'guidance-guide';
    box.setAttribute('role', 'status');
    box.setAttribute('aria-live', 'polite');
    box.setAttribute('data-guide', t.guide);
    var close = d.createElement('button');
    close.type = 'button';
    close.className = 'guidance-close';
    close.setAttribute('aria-label', 'Dismiss');
    close.textContent = '\u00d7';
    var title = d.createElement('strong');
    title.textContent = g.title || '';
    var text = d.createElement('p');
    text.textContent = g.text || '';
    box.appendChild(close);
    box.appendChild(title);
    box.appendChild(text);
    if (g.action && g.action.label) {
      var a = d.createElement('a');
      a.className = 'guidance-action';
      a.textContent = g.action.label;
      if (g.action.href && /^(\/|https?:)/.test(g.action.href)) a.href = g.action.href;
      a.addEventListener('click', function () { feedback('guide_clicked', t); flush(); });
      box.appendChild(a);
    }
    close.addEventListener('click', function () {
      feedback('guide_dismissed', t);
      flush();
      box.parentNode.removeChild(box);
      box = null;
    });
    d.body.appendChild(box);
    feedback('guide_shown', t);
    ack(t);
  }

  function init(options) {
    if (c) return;
    c = {};
    var k;
    for (k in defaults) c[k] = defaults[k];
    for (k in options) c[k] = options[k];
    if (!c.userId || !c.sessionId) throw new Error('Guidance.init: userId and sessionId are required');
    c.endpoint = String(c.endpoint).replace(/\/$/, '');
    delay = c.pollInterval;
    if (typeof c.guides === 'string') {
      fetch(c.guides).then(function (r) { return r.json(); }).then(function (g) { c.guides = g; })
        .catch(function () { c.guides = {}; });
    }
    listen();
    track('page_view', null, c.pageProps);
    schedule(c.pollInterval);
  }

  w.Guidance = {init: init, track: track, flush: flush};
})(window, document);
