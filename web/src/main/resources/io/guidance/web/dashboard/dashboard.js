// The guidance live dashboard: polls /dashboard/api/summary every 3 s and draws what it answers as inline SVG and
// compact tables. No framework, nothing loaded from elsewhere. Values from Redis are set as text, never as markup.
// Every number a test reads carries a data- attribute with the API's value, unrounded.
(function () {
  'use strict';

  var POLL_MS = 3000;
  var API = '/dashboard/api/summary';
  var SVG = 'http://www.w3.org/2000/svg';
  var STATUS_CLASSES = {
    'delivered': 's-delivered',
    'suppressed:dismissed': 's-dismissed',
    'suppressed:cooldown': 's-cooldown',
    'suppressed:min_gap': 's-min_gap',
    'suppressed:daily_cap': 's-daily_cap',
    'suppressed:holdout': 's-holdout',
    'suppressed:control': 's-control'
  };
  var STAGES = ['triggered', 'delivered', 'shown', 'clicked', 'completed'];

  // A token given as ?token= is kept for this tab and taken out of the address bar, so it is neither bookmarked
  // nor shown on screen; it is sent as a header, never in a URL.
  var token = null;
  (function readToken() {
    var params = new URLSearchParams(window.location.search);
    if (params.has('token')) {
      token = params.get('token');
      try { window.sessionStorage.setItem('guidance-dashboard-token', token); } catch (e) { /* private mode */ }
      params.delete('token');
      var rest = params.toString();
      window.history.replaceState(null, '', window.location.pathname + (rest ? '?' + rest : ''));
    } else {
      try { token = window.sessionStorage.getItem('guidance-dashboard-token'); } catch (e) { token = null; }
    }
  })();

  // --- small DOM helpers

  function el(tag, attrs, parent, text) {
    var e = document.createElement(tag);
    setAttrs(e, attrs);
    if (text !== undefined && text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function svg(tag, attrs, parent, text) {
    var e = document.createElementNS(SVG, tag);
    setAttrs(e, attrs);
    if (text !== undefined && text !== null) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  function setAttrs(e, attrs) {
    if (!attrs) return;
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]));
    });
  }

  function pct(x, digits) {
    if (x === undefined || x === null) return '-';
    return (x * 100).toFixed(digits === undefined ? 1 : digits) + '%';
  }

  function pp(x) {
    if (x === undefined || x === null) return '-';
    return (x >= 0 ? '+' : '') + (x * 100).toFixed(1) + ' pp';
  }

  function pValue(p) {
    if (p === undefined || p === null) return '-';
    return p < 0.001 ? '< 0.001' : p.toFixed(3);
  }

  function ago(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s ago';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ago';
  }

  function clamp(x, lo, hi) { return Math.max(lo, Math.min(hi, x)); }

  // --- polling

  function poll() {
    var headers = { 'Accept': 'application/json' };
    if (token) headers['Authorization'] = 'Bearer ' + token;
    fetch(API, { headers: headers, cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) throw new Error('the dashboard needs its token: open /dashboard?token=...');
        if (!r.ok) {
          return r.json().then(function (b) { throw new Error(b.detail || ('HTTP ' + r.status)); },
            function () { throw new Error('HTTP ' + r.status); });
        }
        return r.json();
      })
      .then(function (summary) {
        alertBanner(null);
        render(summary);
      })
      .catch(function (e) { alertBanner('Not refreshed: ' + e.message); })
      .then(function () { window.setTimeout(poll, POLL_MS); });
  }

  function alertBanner(message) {
    var a = document.getElementById('alert');
    a.hidden = !message;
    a.textContent = message || '';
  }

  // --- the page

  function render(summary) {
    var content = document.getElementById('content');
    var fresh = document.createDocumentFragment();
    var latest = null;
    var multiple = summary.sources.length > 1;
    summary.sources.forEach(function (source) {
      var section = el('section', { 'data-prefix': source.prefix }, fresh);
      if (multiple) el('h2', null, section, 'Redis prefix ' + source.prefix);

      el('h2', null, section, 'Experiments' + (multiple ? ' (' + source.prefix + ')' : ''));
      if (source.experiments.length === 0) {
        el('p', { 'class': 'muted' }, section, 'No experiment totals in Redis yet.');
      }
      var grid = el('div', { 'class': 'grid' }, section);
      source.experiments.forEach(function (x) {
        latest = Math.max(latest || 0, x.updatedAt || 0) || latest;
        grid.appendChild(experimentCard(source.prefix, x));
      });

      el('h2', null, section, 'Rules: triggers and guide funnel' + (multiple ? ' (' + source.prefix + ')' : ''));
      if (source.funnels.length === 0) {
        el('p', { 'class': 'muted' }, section, 'No funnel totals in Redis yet.');
      }
      var funnels = el('div', { 'class': 'grid' }, section);
      source.funnels.forEach(function (f) {
        latest = Math.max(latest || 0, f.updatedAt || 0) || latest;
        funnels.appendChild(funnelCard(source.prefix, f));
      });
    });
    content.replaceChildren(fresh);

    var updated = document.getElementById('updated');
    var stale = document.getElementById('stale');
    updated.setAttribute('data-now', summary.now);
    if (latest) {
      updated.setAttribute('data-updated-at', latest);
      updated.textContent = 'last update ' + new Date(latest).toLocaleTimeString() + ' (' +
        ago(summary.now - latest) + ')';
      var isStale = summary.now - latest > summary.staleAfterMs;
      stale.hidden = !isStale;
      stale.setAttribute('data-stale', isStale);
      stale.textContent = isStale
        ? 'No new totals for ' + ago(summary.now - latest).replace(' ago', '') +
          ': is the job running and reaching Redis?'
        : '';
    } else {
      updated.removeAttribute('data-updated-at');
      updated.textContent = 'no totals yet';
      stale.hidden = true;
      stale.setAttribute('data-stale', false);
    }
  }

  // --- experiments

  function experimentCard(prefix, x) {
    var card = el('div', {
      'class': 'card experiment',
      'data-prefix': prefix,
      'data-experiment': x.experiment,
      'data-salt': x.salt,
      'data-control-arm': x.controlArm,
      'data-srm': x.srm,
      'data-srm-p-value': x.srmPValue,
      'data-shares-known': x.sharesKnown,
      'data-updated-at': x.updatedAt
    });
    var title = el('h3', null, card, x.experiment + ' ');
    if (x.srm) el('span', { 'class': 'flag srm', 'data-flag': 'srm' }, title, 'SRM');
    el('div', { 'class': 'meta' }, card, 'salt ' + x.salt + ' \u00b7 compared with ' + x.controlArm +
      (x.updatedAt ? ' \u00b7 updated ' + new Date(x.updatedAt).toLocaleTimeString() : ''));

    if (!x.sharesKnown) {
      el('div', { 'class': 'note', 'data-note': 'no-shares' }, card,
        'The totals carry no arm shares yet, so there is no sample ratio check and no comparison; ' +
        'counts and rates only.');
    } else if (x.srm) {
      el('div', { 'class': 'note srm', 'data-note': 'srm' }, card,
        'Sample ratio mismatch: the split of users does not match the configured shares (p ' +
        pValue(x.srmPValue) + '). No result of this experiment is trustworthy.');
    }

    card.appendChild(rateChart(x));

    var table = el('table', { 'class': 'arms' }, card);
    var head = el('tr', null, el('thead', null, table));
    ['arm', 'share', 'exposed', 'converted', 'rate', '95% interval'].forEach(function (h) { el('th', null, head, h); });
    var body = el('tbody', null, table);
    x.arms.forEach(function (a) {
      var ci = a.rateCi95 || [null, null];
      var tr = el('tr', {
        'data-arm': a.arm,
        'data-share': x.sharesKnown ? a.share : null,
        'data-exposed': a.exposed,
        'data-converted': a.converted,
        'data-rate': a.rate,
        'data-rate-low': ci[0],
        'data-rate-high': ci[1]
      }, body);
      el('td', null, tr, a.arm + (a.arm === x.controlArm ? ' (control)' : ''));
      el('td', null, tr, x.sharesKnown ? a.share + '%' : '?');
      el('td', null, tr, String(a.exposed));
      el('td', null, tr, String(a.converted));
      el('td', null, tr, pct(a.rate));
      el('td', null, tr, a.rateCi95 ? '[' + pct(ci[0]) + ', ' + pct(ci[1]) + ']' : '-');
    });

    if (x.comparisons.length > 0) {
      card.appendChild(diffChart(x));
      var ct = el('table', { 'class': 'comparisons' }, card);
      var ch = el('tr', null, el('thead', null, ct));
      ['vs ' + x.controlArm, 'diff', '95% interval', 'always-valid 95%', 'lift', 'p']
        .forEach(function (h) { el('th', null, ch, h); });
      var cb = el('tbody', null, ct);
      var verdicts = el('div', { 'class': 'verdicts' });
      x.comparisons.forEach(function (c) {
        var tr = el('tr', {
          'data-comparison': c.arm,
          'data-vs': c.vs,
          'data-diff': c.diff,
          'data-ci-low': c.ci95[0],
          'data-ci-high': c.ci95[1],
          'data-always-valid-low': c.alwaysValid95[0],
          'data-always-valid-high': c.alwaysValid95[1],
          'data-lift': c.lift,
          'data-p-value': c.pValue,
          'data-significant': c.significant
        }, cb);
        el('td', null, tr, c.arm);
        el('td', null, tr, pp(c.diff));
        el('td', null, tr, '[' + pp(c.ci95[0]) + ', ' + pp(c.ci95[1]) + ']');
        el('td', null, tr, '[' + pp(c.alwaysValid95[0]) + ', ' + pp(c.alwaysValid95[1]) + ']');
        el('td', null, tr, c.lift === undefined ? '-' : pct(c.lift));
        el('td', null, tr, pValue(c.pValue));
        var line = el('div', { 'class': 'verdict', 'data-comparison': c.arm, 'data-significant': c.significant },
          verdicts, c.arm + ' vs ' + c.vs + ': ');
        el('span', { 'class': 'flag ' + (c.significant ? 'significant' : 'not-significant') }, line,
          c.significant ? 'significant' : 'not significant' + reason(x, c));
      });
      card.appendChild(verdicts);
    } else if (x.sharesKnown) {
      el('div', { 'class': 'meta' }, card, 'No comparison yet: the control arm and a variant both need exposed users.');
    }
    return card;
  }

  function reason(x, c) {
    if (x.srm) return ' (SRM)';
    if (c.pValue !== undefined && c.pValue < 0.05) return ' (too few users or conversions yet)';
    return '';
  }

  // Each arm's rate as a bar with its 95% interval as an error bar.
  function rateChart(x) {
    var rowH = 24, labelW = 150, plotW = 330, width = labelW + plotW + 70;
    var height = x.arms.length * rowH + 24;
    var max = 0.05;
    x.arms.forEach(function (a) {
      if (a.rateCi95) max = Math.max(max, a.rateCi95[1]);
      if (a.rate !== undefined) max = Math.max(max, a.rate);
    });
    max = Math.min(1, Math.ceil(max * 20) / 20);
    var sx = function (v) { return labelW + clamp(v, 0, max) / max * plotW; };
    var s = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'conversion rate per arm', 'data-chart': 'rates' });
    x.arms.forEach(function (a, i) {
      var y = i * rowH + 4;
      svg('text', { x: 0, y: y + 14 }, s, a.arm);
      if (a.rate === undefined) {
        svg('text', { x: labelW + 4, y: y + 14 }, s, 'no users yet');
        return;
      }
      svg('rect', { x: labelW, y: y + 3, width: Math.max(0, sx(a.rate) - labelW), height: rowH - 8,
        'class': a.arm === x.controlArm ? 'control' : 'rate', 'data-arm': a.arm, 'data-rate': a.rate }, s);
      if (a.rateCi95) {
        var lo = sx(a.rateCi95[0]), hi = sx(a.rateCi95[1]), mid = y + rowH / 2 - 1;
        svg('line', { x1: lo, x2: hi, y1: mid, y2: mid, 'class': 'whisker' }, s);
        svg('line', { x1: lo, x2: lo, y1: mid - 5, y2: mid + 5, 'class': 'whisker' }, s);
        svg('line', { x1: hi, x2: hi, y1: mid - 5, y2: mid + 5, 'class': 'whisker' }, s);
      }
      svg('text', { x: labelW + plotW + 8, y: y + 14 }, s, pct(a.rate));
    });
    var axisY = x.arms.length * rowH + 6;
    svg('line', { x1: labelW, x2: labelW + plotW, y1: axisY, y2: axisY, 'class': 'axis' }, s);
    svg('text', { x: labelW, y: axisY + 14 }, s, '0%');
    svg('text', { x: labelW + plotW - 24, y: axisY + 14 }, s, pct(max, 0));
    return s;
  }

  // Each comparison's difference with its fixed-sample 95% interval (thin) over the always-valid one (wide).
  function diffChart(x) {
    var rowH = 26, labelW = 150, plotW = 330, width = labelW + plotW + 70;
    var height = x.comparisons.length * rowH + 44;
    var m = 0.01;
    x.comparisons.forEach(function (c) {
      [c.diff, c.ci95[0], c.ci95[1], c.alwaysValid95[0], c.alwaysValid95[1]].forEach(function (v) {
        m = Math.max(m, Math.abs(v));
      });
    });
    m = Math.min(1, m * 1.1);
    var sx = function (v) { return labelW + (clamp(v, -m, m) + m) / (2 * m) * plotW; };
    var wrap = document.createElement('div');
    var legend = el('div', { 'class': 'legend' }, wrap);
    el('span', null, legend, 'difference vs ' + x.controlArm + ': dot; thin bar: 95% interval; ' +
      'wide bar: always-valid 95% interval');
    var s = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'difference in conversion rate against ' + x.controlArm, 'data-chart': 'diffs' }, wrap);
    var top = 4, bottom = x.comparisons.length * rowH + 8;
    svg('line', { x1: sx(0), x2: sx(0), y1: top, y2: bottom, 'class': 'zero' }, s);
    x.comparisons.forEach(function (c, i) {
      var y = top + i * rowH + rowH / 2;
      svg('text', { x: 0, y: y + 4 }, s, c.arm);
      svg('line', { x1: sx(c.alwaysValid95[0]), x2: sx(c.alwaysValid95[1]), y1: y, y2: y, 'class': 'always-valid' }, s);
      svg('line', { x1: sx(c.ci95[0]), x2: sx(c.ci95[1]), y1: y, y2: y, 'class': 'ci95' }, s);
      svg('circle', { cx: sx(c.diff), cy: y, r: 4.5, 'class': 'diff' + (c.significant ? ' significant' : ''),
        'data-comparison': c.arm, 'data-diff': c.diff }, s);
      svg('text', { x: labelW + plotW + 8, y: y + 4 }, s, pp(c.diff));
    });
    svg('line', { x1: labelW, x2: labelW + plotW, y1: bottom + 4, y2: bottom + 4, 'class': 'axis' }, s);
    svg('text', { x: labelW, y: bottom + 18 }, s, pp(-m));
    svg('text', { x: sx(0) - 6, y: bottom + 18 }, s, '0');
    svg('text', { x: labelW + plotW - 44, y: bottom + 18 }, s, pp(m));
    return wrap;
  }

  // --- funnels

  function funnelCard(prefix, f) {
    var card = el('div', { 'class': 'card funnel', 'data-prefix': prefix, 'data-rule': f.rule,
      'data-updated-at': f.updatedAt });
    el('h3', null, card, f.rule);
    el('div', { 'class': 'meta' }, card, 'triggers by status, then what users did with the guides' +
      (f.updatedAt ? ' \u00b7 updated ' + new Date(f.updatedAt).toLocaleTimeString() : ''));

    var statuses = [];
    f.guides.forEach(function (g) {
      Object.keys(g.statuses).forEach(function (s) { if (statuses.indexOf(s) < 0) statuses.push(s); });
    });
    var legend = el('div', { 'class': 'legend' }, card);
    statuses.forEach(function (s) {
      var item = el('span', null, legend);
      el('span', { 'class': 'swatch ' + (STATUS_CLASSES[s] || 's-other') }, item);
      item.appendChild(document.createTextNode(s));
    });
    card.appendChild(statusChart(f, statuses));

    f.guides.forEach(function (g) {
      var box = el('div', { 'class': 'guide', 'data-guide': g.guide }, card);
      el('div', { 'class': 'meta' }, box, 'funnel of ' + g.guide);
      box.appendChild(funnelChart(g));
    });

    // one column per guide, one row per status and feedback: narrow however many statuses there are
    var table = el('table', { 'class': 'statuses' }, card);
    var head = el('tr', null, el('thead', null, table));
    el('th', null, head, 'triggers');
    f.guides.forEach(function (g) { el('th', null, head, g.guide); });
    var body = el('tbody', null, table);
    function row(label, attr, name, valueOf) {
      var tr = el('tr', null, body);
      el('td', null, tr, label);
      f.guides.forEach(function (g) {
        var n = valueOf(g);
        var attrs = { 'data-guide': g.guide, 'data-count': n };
        attrs[attr] = name;
        el('td', attrs, tr, String(n));
      });
    }
    row('triggered', 'data-total', 'triggered', function (g) { return g.triggered; });
    statuses.forEach(function (st) {
      row(st, 'data-status', st, function (g) { return g.statuses[st] || 0; });
    });
    ['shown', 'clicked', 'dismissed', 'completed'].forEach(function (k) {
      row(k, 'data-feedback', k, function (g) { return g[k]; });
    });
    return card;
  }

  // One stacked bar per guide: its triggers by status.
  function statusChart(f, statuses) {
    var rowH = 24, labelW = 150, plotW = 330, width = labelW + plotW + 70;
    var height = f.guides.length * rowH + 8;
    var max = 1;
    f.guides.forEach(function (g) { max = Math.max(max, g.triggered); });
    var s = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'triggers by status', 'data-chart': 'statuses' });
    f.guides.forEach(function (g, i) {
      var y = i * rowH + 4, x = labelW;
      svg('text', { x: 0, y: y + 14 }, s, g.guide);
      statuses.forEach(function (st) {
        var n = g.statuses[st] || 0;
        if (n === 0) return;
        var w = n / max * plotW;
        var r = svg('rect', { x: x, y: y + 2, width: w, height: rowH - 6,
          'class': STATUS_CLASSES[st] || 's-other', 'data-guide': g.guide, 'data-status': st, 'data-count': n }, s);
        svg('title', null, r, st + ': ' + n);
        x += w;
      });
      svg('text', { x: x + 6, y: y + 14 }, s, String(g.triggered));
    });
    return s;
  }

  // triggered -> delivered -> shown -> clicked -> completed, with dismissed drawn aside.
  function funnelChart(g) {
    var barW = 64, gap = 14, plotH = 90, top = 16;
    var stages = STAGES.concat(['dismissed']);
    var width = stages.length * (barW + gap) + gap * 2, height = plotH + top + 34;
    var values = {
      triggered: g.triggered, delivered: g.statuses['delivered'] || 0,
      shown: g.shown, clicked: g.clicked, completed: g.completed, dismissed: g.dismissed
    };
    var max = Math.max(1, g.triggered);
    var s = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
      role: 'img', 'aria-label': 'guide funnel of ' + g.guide, 'data-chart': 'funnel', 'data-guide': g.guide });
    stages.forEach(function (stage, i) {
      var aside = stage === 'dismissed';
      var x = gap + i * (barW + gap) + (aside ? gap * 2 : 0);
      var n = values[stage];
      var h = Math.min(1, n / max) * plotH;
      svg('rect', { x: x, y: top + plotH - h, width: barW, height: h, 'class': 'stage' + (aside ? ' aside' : ''),
        'data-stage': stage, 'data-count': n }, s);
      svg('text', { x: x + 2, y: top + plotH - h - 4 }, s, String(n));
      svg('text', { x: x + 2, y: top + plotH + 14 }, s, stage);
      if (stage !== 'triggered' && g.triggered > 0) {
        svg('text', { x: x + 2, y: top + plotH + 28 }, s, pct(n / g.triggered, 0));
      }
    });
    return s;
  }

  poll();
})();
