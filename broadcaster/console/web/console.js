'use strict';
// The Tocsin console: one page, views chosen by the address's #fragment, everything through the
// same /v1 API the tokens use. The session is an HttpOnly cookie; every change sends the
// session's CSRF token. Text from the server is always set as text, never as markup.
(function () {
  const main = document.getElementById('main');
  const nav = document.getElementById('nav');
  const who = document.getElementById('who');
  const signOutButton = document.getElementById('sign-out');
  const liveBanner = document.getElementById('live-banner');
  const session = { me: null, csrf: '' };
  let timers = [];

  // --- small helpers ---------------------------------------------------------------------------

  function h(tag, attrs) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : v);
    }
    for (let i = 2; i < arguments.length; i++) {
      const kid = arguments[i];
      if (kid === null || kid === undefined || kid === false) continue;
      if (Array.isArray(kid)) kid.forEach(function (k) { if (k) el.append(k); });
      else el.append(kid);
    }
    return el;
  }
  function field(label, input, hint) {
    return h('div', {}, h('label', { for: input.id, text: label }), hint ? h('div', { class: 'muted', text: hint }) : null, input);
  }
  function message(kind, text, id) { return h('div', { class: 'message ' + kind, role: kind === 'error' ? 'alert' : 'status', id: id, text: text }); }
  function show(title) {
    const nodes = Array.prototype.slice.call(arguments, 1);
    document.title = title + ' · Tocsin console';
    main.replaceChildren(h('h1', { text: title }), ...nodes);
    main.focus({ preventScroll: true });
  }
  function every(ms, fn) { timers.push(setInterval(fn, ms)); }
  function personOf(actor) { const m = /^person:([^ ]+)/.exec(actor || ''); return m ? m[1] : actor; }
  function isoIn(hours) { return new Date(Date.now() + hours * 3600e3).toISOString().replace(/\.\d+Z$/, 'Z'); }
  function debounce(fn, ms) { let t = null; return function () { clearTimeout(t); t = setTimeout(fn, ms); }; }

  // `poll`: the page refreshing itself, which does not keep an idle session alive.
  async function api(method, path, body, type, poll) {
    const headers = {};
    if (poll) headers['X-Tocsin-Poll'] = '1';
    if (session.csrf) headers['X-CSRF-Token'] = session.csrf;  // also on the GETs that record something (an export)
    let payload;
    if (body !== undefined) {
      headers['Content-Type'] = type || 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const res = await fetch(path, { method: method, headers: headers, body: payload, credentials: 'same-origin' });
    let data = null;
    const text = await res.text();
    if (text) { try { data = JSON.parse(text); } catch (e) { data = { text: text }; } }
    if (res.status === 401 && session.me && path !== '/v1/session') { session.me = null; go('#/sign-in'); }
    const error = data && data.error ? data.error.message : (res.ok ? null : 'HTTP ' + res.status);
    return { ok: res.ok, status: res.status, data: data || {}, error: error };
  }
  function go(hash) { if (location.hash === hash) route(); else location.hash = hash; }

  // --- navigation ---------------------------------------------------------------------------

  const views = {
    operator: [['#/dashboard', 'Dashboard'], ['#/compose', 'Compose an alert'], ['#/alerts', 'Alerts']],
    approver: [['#/dashboard', 'Dashboard'], ['#/approvals', 'Waiting for approval'], ['#/compose', 'Compose an alert'], ['#/alerts', 'Alerts']],
    marketer: [['#/campaigns', 'Campaigns'], ['#/campaign/new', 'New campaign']],
    auditor: [['#/dashboard', 'Dashboard'], ['#/alerts', 'Alerts'], ['#/audit', 'Audit and consent']],
    admin: [['#/dashboard', 'Dashboard'], ['#/admin', 'People and settings'], ['#/zones', 'Zones']],
  };
  function drawNav() {
    nav.replaceChildren();
    if (!session.me) { who.textContent = ''; signOutButton.hidden = true; return; }
    const here = location.hash.split('/').slice(0, 2).join('/');
    (views[session.me.role] || []).forEach(function (v) {
      nav.append(h('a', { href: v[0], text: v[1], 'aria-current': here === v[0] ? 'page' : null }));
    });
    nav.append(h('a', { href: '/public', text: 'Public page' }));
    who.textContent = session.me.person + ' (' + session.me.role + (session.me.shop ? ', ' + session.me.shop : '') + ')';
    signOutButton.hidden = false;
  }
  signOutButton.addEventListener('click', async function () {
    await api('DELETE', '/v1/session');
    session.me = null;
    go('#/sign-in');
  });

  async function refreshSession(poll) {
    const r = await api('GET', '/v1/session', undefined, undefined, poll);
    if (!r.ok) { session.me = null; liveBanner.hidden = true; return false; }
    session.me = r.data;
    session.csrf = r.data.csrf;
    const live = r.data.live || [];
    liveBanner.hidden = live.length === 0;
    liveBanner.replaceChildren(...live.map(function (a) {
      return h('span', {}, 'LIVE ALERT IN PROGRESS: ', h('a', { href: '#/alert/' + a.id, text: a.title + ' (' + a.state + ')' }), ' ');
    }));
    return true;
  }

  async function route() {
    timers.forEach(clearInterval);
    timers = [];
    const parts = location.hash.replace(/^#\/?/, '').split('/');
    if (!session.me && parts[0] !== 'sign-in') {
      if (!(await refreshSession())) { go('#/sign-in'); return; }
    }
    drawNav();
    const home = session.me ? (views[session.me.role] || [['#/dashboard']])[0][0] : '#/sign-in';
    try {
      switch (parts[0]) {
        case 'sign-in': return signInView();
        case 'dashboard': return dashboardView();
        case 'compose': return composeView(parts[1]);
        case 'alerts': return alertsView(false);
        case 'approvals': return alertsView(true);
        case 'alert': return alertView(parts[1]);
        case 'campaigns': return campaignsView();
        case 'campaign': return parts[1] === 'new' ? campaignComposeView() : campaignView(parts[1]);
        case 'audit': return auditView();
        case 'admin': return adminView();
        case 'zones': return zonesView();
        default: go(home);
      }
    } catch (e) {
      show('Something went wrong', message('error', String(e)));
    }
  }
  window.addEventListener('hashchange', route);
  // The LIVE banner follows the appliance within 2 s on every page.
  setInterval(function () { if (session.me) refreshSession(true); }, 2000);

  // --- signing in ---------------------------------------------------------------------------

  function signInView() {
    session.me = null;
    drawNav();
    liveBanner.hidden = true;
    const user = h('input', { id: 'username', autocomplete: 'username', required: true });
    const pass = h('input', { id: 'password', type: 'password', autocomplete: 'current-password', required: true });
    const out = h('div', { 'aria-live': 'polite' });
    const form = h('form', { class: 'signin', onsubmit: async function (e) {
      e.preventDefault();
      out.replaceChildren();
      const r = await api('POST', '/v1/session', { username: user.value, password: pass.value });
      if (!r.ok) { out.replaceChildren(message('error', r.error, 'sign-in-error')); return; }
      codeStep(r.data);
    } }, field('Username', user), field('Password', pass), h('div', { class: 'row' }, h('button', { id: 'sign-in', type: 'submit', text: 'Next' })), out);
    show('Sign in', form);
    user.focus();
  }

  function codeStep(step) {
    const code = h('input', { id: 'code', inputmode: 'numeric', autocomplete: 'one-time-code', pattern: '[0-9]{6}', maxlength: '6', required: true });
    const out = h('div', { 'aria-live': 'polite' });
    const enrol = step.next === 'enrol' ? h('div', { class: 'card' },
      h('p', { text: 'Set up your authenticator app: scan this code, or type the link below into the app. Then enter the 6-digit code it shows.' }),
      h('img', { class: 'qr', src: '/v1/session/enrolment.svg', alt: 'QR code of the authenticator link' }),
      h('p', {}, 'Link: ', h('code', { id: 'otpauth', class: 'secret', text: step.otpauth }))) : null;
    const form = h('form', { class: 'signin', onsubmit: async function (e) {
      e.preventDefault();
      const r = await api('POST', '/v1/session/code', { code: code.value.trim() });
      if (!r.ok) { out.replaceChildren(message('error', r.error, 'code-error')); if (r.status === 429) setTimeout(function () { go('#/sign-in'); }, 4000); return; }
      session.me = r.data;
      session.csrf = r.data.csrf;
      await refreshSession();
      go((views[session.me.role] || [['#/dashboard']])[0][0]);
    } }, enrol, field('Code from your authenticator', code), h('div', { class: 'row' }, h('button', { id: 'verify-code', type: 'submit', text: 'Sign in' })), out);
    show(step.next === 'enrol' ? 'Set up your second factor' : 'Enter your code', form);
    code.focus();
  }

  // --- dashboard ----------------------------------------------------------------------------

  async function dashboardView() {
    const body = h('div', { id: 'dashboard' });
    show('Dashboard', body);
    async function load(poll) {
      const r = await api('GET', '/v1/dashboard', undefined, undefined, poll);
      if (!r.ok) { body.replaceChildren(message('error', r.error)); return; }
      const d = r.data;
      const bearers = h('table', {}, h('thead', {}, h('tr', {}, ['Bearer', 'State', 'Signal', 'Outstanding', 'Accepted', 'Failed', 'Updated'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
        h('tbody', {}, d.bearers.map(function (b) {
          const s = b.status || {};
          return h('tr', {}, h('td', { text: b.name }), h('td', { text: s.state || 'unknown' }), h('td', { text: s.signal !== undefined ? String(s.signal) : '–' }),
            h('td', { text: String(s.outstanding || 0) }), h('td', { text: String(s.accepted || 0) }), h('td', { text: String(s.failed || 0) }), h('td', { text: b.updated_at }));
        })));
      const alerts = h('ul', {}, d.alerts.map(function (a) {
        return h('li', {}, h('a', { href: '#/alert/' + a.id, text: '#' + a.id + ' ' + a.title }), ' — ' + a.mode + ', ' + a.state);
      }));
      body.replaceChildren(
        d.promotions_paused_by_alerts ? message('error', 'Promotions are held: a live alert is being sent.') : message('ok', 'No live alert is being sent; promotions may run within their hours.'),
        h('h2', { text: 'Bearers' }), d.bearers.length ? bearers : h('p', { class: 'muted', text: 'No bearer has reported yet (is tocsin-broadcaster running?).' }),
        h('h2', { text: 'Alerts in progress and drafts' }), d.alerts.length ? alerts : h('p', { class: 'muted', text: 'None.' }),
        h('h2', { text: 'Campaigns paused' }), d.campaigns_paused.length ? h('ul', {}, d.campaigns_paused.map(function (c) { return h('li', { text: '#' + c.id + ' ' + c.title }); })) : h('p', { class: 'muted', text: 'None.' }),
        d.events.length ? h('h2', { text: 'Recent events' }) : null,
        d.events.length ? h('table', {}, h('tbody', {}, d.events.map(function (e) { return h('tr', {}, h('td', { text: e.at }), h('td', { text: e.action }), h('td', { text: e.actor })); }))) : null);
    }
    await load();
    every(2000, function () { load(true); });
  }

  // --- composing an alert -------------------------------------------------------------------

  function capPolygon(points) {
    const ring = points.slice();
    const first = ring[0], last = ring[ring.length - 1];
    if (first[0] !== last[0] || first[1] !== last[1]) ring.push(first);
    return ring.map(function (p) { return p[0] + ',' + p[1]; }).join(' ');
  }
  function capCircle(c) { return c.lat + ',' + c.lon + ' ' + c.radius_km; }

  async function composeView(editId) {
    const [zonesReply, templatesReply, existing] = await Promise.all([
      api('GET', '/v1/zones'), api('GET', '/v1/templates'), editId ? api('GET', '/v1/alerts/' + editId) : Promise.resolve(null)]);
    const zones = zonesReply.ok ? zonesReply.data.zones : [];
    const templates = templatesReply.ok ? templatesReply.data.templates : [];
    const out = h('div', { 'aria-live': 'polite' });

    const title = h('input', { id: 'title', required: true, maxlength: '200' });
    const mode = h('select', { id: 'mode', required: true },
      h('option', { value: '', text: 'Choose: live, test or exercise' }), h('option', { value: 'live', text: 'LIVE: a real alert to the public' }),
      h('option', { value: 'test', text: 'Test: marked TEST' }), h('option', { value: 'exercise', text: 'Exercise: marked EXERCISE' }));
    const cls = h('select', { id: 'class' }, ['extreme', 'severe', 'public_safety', 'amber', 'national', 'test'].map(function (c) { return h('option', { value: c, text: c }); }));
    const expires = h('input', { id: 'expires', value: isoIn(6) });
    const modeBanner = h('div', { id: 'mode-banner' });
    function onMode() {
      const live = mode.value === 'live';
      if (!live && mode.value) cls.value = 'test';
      cls.disabled = !live;
      modeBanner.className = 'banner ' + (mode.value || 'test');
      modeBanner.textContent = live ? 'LIVE: this alert will reach real people once a second person approves it.' : mode.value ? mode.value.toUpperCase() + ': not a real alert; every message is marked ' + mode.value.toUpperCase() + '.' : 'Choose whether this is live, a test or an exercise.';
    }
    mode.addEventListener('change', onMode);

    const languages = h('div', { class: 'languages', id: 'languages' });
    const counterUpdate = debounce(updateCounters, 250);
    function addLanguage(code, text) {
      const n = languages.children.length;
      const lang = h('input', { id: 'lang-' + n, class: 'lang-code', value: code || '', maxlength: '8', 'aria-label': 'Language code' });
      const area = h('textarea', { id: 'text-' + n, class: 'lang-text', 'aria-label': 'Text in this language' });
      area.value = text || '';
      const counter = h('div', { class: 'counter', id: 'counter-' + n, 'aria-live': 'polite' });
      lang.addEventListener('input', counterUpdate);
      area.addEventListener('input', counterUpdate);
      languages.append(h('div', { class: 'language' }, h('label', { for: lang.id, text: 'Language' }), lang, h('label', { for: area.id, text: 'Text' }), area, counter));
    }
    function texts() {
      return Array.prototype.map.call(languages.children, function (div) {
        return { language: div.querySelector('.lang-code').value.trim(), text: div.querySelector('.lang-text').value };
      }).filter(function (t) { return t.language || t.text; });
    }
    async function updateCounters() {
      const list = Array.prototype.map.call(languages.children, function (div) {
        return { language: div.querySelector('.lang-code').value.trim() || '?', text: div.querySelector('.lang-text').value };
      });
      const r = await api('POST', '/v1/texts/preview', { for: 'alert', texts: list });
      if (!r.ok) return;
      r.data.texts.forEach(function (t, i) {
        const c = document.getElementById('counter-' + i);
        if (!c) return;
        const over = t.parts > t.max_parts;
        c.className = 'counter' + (over ? ' over' : '');
        c.textContent = t.encoding + ', ' + t.parts + (t.parts === 1 ? ' part' : ' parts') + ' (at most ' + t.max_parts + ')' +
          (t.ucs2_characters && t.ucs2_characters.length ? '; UCS-2 because of: ' + t.ucs2_characters.join(' ') : '');
      });
    }

    const zoneBoxes = h('div', { id: 'zones' }, zones.map(function (z) {
      return h('label', { class: 'check' }, h('input', { type: 'checkbox', value: z.name, class: 'zone', onchange: zonesChanged }), z.name + ' — ' + z.contacts + ' people' + (z.geometry ? '' : ' (no boundary on the map)'));
    }));
    function chosenZones() { return Array.prototype.filter.call(zoneBoxes.querySelectorAll('input.zone'), function (i) { return i.checked; }).map(function (i) { return i.value; }); }
    const mapEl = h('div', { class: 'map', id: 'map', role: 'application', 'aria-label': 'Map of the zones; draw polygons and circles here' });
    const shapesList = h('div', { id: 'shapes', class: 'muted', 'aria-live': 'polite' });
    const radius = h('input', { id: 'radius', type: 'number', min: '0.1', step: '0.1', value: '1', 'aria-label': 'Circle radius in km' });
    let m = null, draw = null;
    function zonesChanged() { if (m) TocsinMap.highlightZones(m, chosenZones()); }
    function describeShapes(s) {
      shapesList.textContent = (s.polygons.length || s.circles.length) ? s.polygons.length + ' polygon(s), ' + s.circles.length + ' circle(s) drawn' : 'No shape drawn.';
    }
    const tools = h('div', { class: 'row' },
      h('button', { type: 'button', class: 'secondary', id: 'draw-polygon', text: 'Draw a polygon', onclick: function () { draw.startPolygon(); shapesList.textContent = 'Click each corner on the map, then “Finish the polygon”.'; } }),
      h('button', { type: 'button', class: 'secondary', id: 'finish-polygon', text: 'Finish the polygon', onclick: function () { if (!draw.finishPolygon()) shapesList.textContent = 'A polygon needs at least 3 corners.'; } }),
      h('button', { type: 'button', class: 'secondary', id: 'draw-circle', text: 'Draw a circle', onclick: function () { draw.startCircle(parseFloat(radius.value) || 1); shapesList.textContent = 'Click the circle’s centre on the map.'; } }),
      h('label', { for: 'radius', class: 'check', text: 'Radius (km)' }), radius,
      h('button', { type: 'button', class: 'secondary', id: 'clear-shapes', text: 'Clear the shapes', onclick: function () { draw.clear(); } }));

    function request() {
      const area = { zones: chosenZones(), circles: draw.shapes.circles.map(capCircle), polygons: draw.shapes.polygons.map(capPolygon) };
      const body = { title: title.value, mode: mode.value, texts: texts(), area: area, expires: expires.value };
      if (mode.value === 'live') body.class = cls.value;
      return body;
    }
    async function save() {
      if (!mode.value) { out.replaceChildren(message('error', 'Choose live, test or exercise.', 'compose-error')); return; }
      const r = editId ? await api('PUT', '/v1/alerts/' + editId, request()) : await api('POST', '/v1/alerts', request());
      if (!r.ok) { out.replaceChildren(message('error', r.error, 'compose-error')); return; }
      go('#/alert/' + r.data.id);
    }
    const templateName = h('input', { id: 'template-name', 'aria-label': 'Template name', placeholder: 'Template name' });
    async function saveTemplate() {
      const r = await api('POST', '/v1/templates', { name: templateName.value, alert: request() });
      out.replaceChildren(r.ok ? message('ok', 'Template “' + templateName.value + '” saved.') : message('error', r.error, 'compose-error'));
    }
    function fill(a) {
      title.value = a.title || '';
      mode.value = a.mode || '';
      if (a.class) cls.value = a.class;
      onMode();
      if (a.expires || a.expires_at) expires.value = a.expires || a.expires_at;
      languages.replaceChildren();
      (a.texts || []).forEach(function (t) { addLanguage(t.language, t.text); });
      if (!languages.children.length) addLanguage('en', '');
      const area = a.area || {};
      Array.prototype.forEach.call(zoneBoxes.querySelectorAll('input.zone'), function (i) { i.checked = (area.zones || []).indexOf(i.value) >= 0; });
      const polys = (area.polygons || []).map(function (p) { return typeof p === 'string' ? p.split(' ').map(function (q) { return q.split(',').map(Number); }) : p; });
      const circles = (area.circles || []).map(function (c) {
        if (typeof c !== 'string') return c;
        const [centre, r] = c.split(' ');
        const [lat, lon] = centre.split(',').map(Number);
        return { lat: lat, lon: lon, radius_km: Number(r) };
      });
      draw.set(polys, circles);
      zonesChanged();
      updateCounters();
    }

    const templatePicker = h('select', { id: 'template', onchange: function () {
      const t = templates.find(function (x) { return x.name === templatePicker.value; });
      if (t) fill(Object.assign({}, t.alert, { expires: isoIn(6) }));
    } }, h('option', { value: '', text: templates.length ? 'Start from a template…' : 'No template saved yet' }), templates.map(function (t) { return h('option', { value: t.name, text: t.name }); }));
    const capFile = h('input', { id: 'cap-file', type: 'file', accept: '.xml,.cap,application/cap+xml,application/xml' });
    const capUpload = h('button', { type: 'button', id: 'upload-cap', class: 'secondary', text: 'Draft from this CAP file', onclick: async function () {
      if (!capFile.files.length) { out.replaceChildren(message('error', 'Choose a CAP 1.2 file first.', 'compose-error')); return; }
      const text = await capFile.files[0].text();
      const r = await api('POST', '/v1/alerts', text, 'application/cap+xml');
      if (!r.ok) { out.replaceChildren(message('error', 'The CAP file was refused: ' + r.error, 'compose-error')); return; }
      go('#/alert/' + r.data.id);
    } });

    const starts = editId ? null : h('fieldset', {}, h('legend', { text: 'Start from' }),
      h('div', { class: 'row' }, templatePicker),
      h('div', { class: 'row' }, h('label', { for: 'cap-file', text: 'or a CAP 1.2 file' }), capFile, capUpload));
    show(editId ? 'Edit draft #' + editId : 'Compose an alert', starts,
      h('form', { onsubmit: function (e) { e.preventDefault(); save(); } },
        modeBanner, field('Mode', mode), field('Class', cls, 'Test and exercise alerts are of class test.'), field('Title (for operators and the public page)', title),
        field('Expires (UTC, ISO 8601)', expires),
        h('h2', { text: 'Texts, side by side' }), languages,
        h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', id: 'add-language', text: 'Add a language', onclick: function () { addLanguage('', ''); } })),
        h('h2', { text: 'Area' }),
        h('div', { class: 'two' }, h('fieldset', {}, h('legend', { text: 'Zones (people with alerts)' }), zoneBoxes), h('div', {}, mapEl, tools, shapesList)),
        h('div', { class: 'row' }, h('button', { type: 'submit', id: 'save-draft', text: editId ? 'Save the draft' : 'Save as a draft for approval' }),
          editId ? null : templateName, editId ? null : h('button', { type: 'button', class: 'secondary', id: 'save-template', text: 'Save as a template', onclick: saveTemplate })),
        out));
    m = TocsinMap.create(mapEl, zones);
    draw = TocsinMap.drawing(m, describeShapes);
    if (existing && existing.ok) fill(existing.data);
    else { addLanguage('en', ''); onMode(); describeShapes(draw.shapes); }
  }

  // --- alerts -------------------------------------------------------------------------------

  async function alertsView(draftsOnly) {
    const r = await api('GET', '/v1/alerts');
    if (!r.ok) { show('Alerts', message('error', r.error)); return; }
    const list = r.data.alerts.filter(function (a) { return !draftsOnly || a.state === 'draft'; });
    show(draftsOnly ? 'Waiting for approval' : 'Alerts',
      list.length ? h('table', { id: 'alert-list' }, h('thead', {}, h('tr', {}, ['Alert', 'Mode', 'Class', 'State', 'Drafted by'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
        h('tbody', {}, list.map(function (a) {
          return h('tr', {}, h('td', {}, h('a', { href: '#/alert/' + a.id, text: '#' + a.id + ' ' + a.title })), h('td', { text: a.mode }), h('td', { text: a.class }), h('td', { text: a.state }), h('td', { text: personOf(a.created_by) }));
        }))) : h('p', { class: 'muted', text: draftsOnly ? 'No draft is waiting.' : 'No alert yet.' }));
  }

  function progressTable(p) {
    const states = ['queued', 'waiting', 'submitted', 'sent', 'delivered', 'failed', 'refused', 'expired', 'cancelled'];
    const bearers = Object.keys(p.per_bearer || {});
    return h('div', {},
      h('table', { id: 'progress' }, h('thead', {}, h('tr', {}, h('th', { text: 'Recipients' }), states.map(function (s) { return h('th', { scope: 'col', text: s }); }))),
        h('tbody', {}, h('tr', {}, h('td', { text: String(p.recipients) }), states.map(function (s) { return h('td', { text: String(p[s] || 0) }); })))),
      bearers.length ? h('table', { id: 'per-bearer' }, h('thead', {}, h('tr', {}, h('th', { text: 'Bearer' }), states.map(function (s) { return h('th', { scope: 'col', text: s }); }))),
        h('tbody', {}, bearers.map(function (b) { return h('tr', {}, h('td', { text: b }), states.map(function (s) { return h('td', { text: String(p.per_bearer[b][s] || 0) }); })); }))) : null,
      Object.keys(p.per_zone || {}).length ? h('table', { id: 'per-zone' }, h('thead', {}, h('tr', {}, h('th', { text: 'Zone' }), states.map(function (s) { return h('th', { scope: 'col', text: s }); }))),
        h('tbody', {}, Object.keys(p.per_zone).map(function (z) { return h('tr', {}, h('td', { text: z }), states.map(function (s) { return h('td', { text: String(p.per_zone[z][s] || 0) }); })); }))) : null,
      (p.reasons || []).length ? h('ul', {}, p.reasons.map(function (r) { return h('li', { text: r.count + ' ' + r.state + ': ' + r.reason }); })) : null);
  }

  function statusLine(a) {
    const p = a.progress || {};
    const finished = (p.sent || 0) + (p.delivered || 0);
    if (a.state === 'done') return (p.failed || 0) + (p.refused || 0) + (p.expired || 0) === 0 ? 'All sent: ' + finished + ' of ' + p.recipients : 'Finished: ' + finished + ' sent, ' + ((p.failed || 0) + (p.refused || 0) + (p.expired || 0)) + ' not sent';
    if (a.state === 'draft') return 'Draft: waiting for a second person’s approval';
    if (a.state === 'cancelled') return 'Cancelled';
    return 'Sending: ' + finished + ' of ' + p.recipients + ' sent';
  }

  async function alertView(id) {
    const out = h('div', { 'aria-live': 'polite', id: 'alert-messages' });
    const body = h('div', {});
    show('Alert #' + id, body, out);
    let a = null;
    let m = null;
    const mine = function () { return personOf(a.created_by) === session.me.person; };
    const approver = session.me.role === 'approver';
    const drafter = session.me.role === 'operator' || session.me.role === 'approver';

    function actions() {
      const row = h('div', { class: 'row', id: 'actions' });
      if (a.state === 'draft') {
        if (mine()) {
          row.append(h('a', { class: 'button secondary', id: 'edit', href: '#/compose/' + a.id, text: 'Edit this draft' }));
          row.append(h('span', { class: 'muted', id: 'needs-other', text: 'Another person approves what you drafted.' }));
        }
        if (approver && !mine()) {
          const reason = h('input', { id: 'reject-reason', 'aria-label': 'Reason for rejecting', placeholder: 'Reason for rejecting' });
          row.append(h('button', { id: 'approve', text: 'Approve and release exactly this (' + a.digest.slice(0, 12) + '…)', onclick: async function () {
            const r = await api('POST', '/v1/alerts/' + a.id + '/approve', { digest: a.digest });
            out.replaceChildren(r.ok ? message('ok', 'Approved and released.') : message('error', r.error, 'approve-error'));
            load();
          } }), reason, h('button', { class: 'secondary', id: 'reject', text: 'Reject', onclick: async function () {
            const r = await api('POST', '/v1/alerts/' + a.id + '/reject', { reason: reason.value });
            out.replaceChildren(r.ok ? message('ok', 'Rejected.') : message('error', r.error, 'reject-error'));
            load();
          } }));
        }
      }
      if (drafter && ['draft', 'approved', 'expanding', 'sending'].indexOf(a.state) >= 0) {
        const reason = h('input', { id: 'cancel-reason', 'aria-label': 'Reason for cancelling', placeholder: 'Reason for cancelling' });
        row.append(reason, h('button', { class: 'secondary', id: 'cancel', text: 'Cancel unsent messages', onclick: async function () {
          const r = await api('POST', '/v1/alerts/' + a.id + '/cancel', { reason: reason.value });
          out.replaceChildren(r.ok ? message('ok', 'Cancelled.') : message('error', r.error));
          load();
        } }));
      }
      if (drafter && a.type !== 'all_clear' && ['approved', 'expanding', 'sending', 'done'].indexOf(a.state) >= 0 && a.mode === 'live') {
        row.append(h('button', { class: 'danger', id: 'false-alarm', text: 'False alarm: stop and draft the correction', onclick: async function () {
          if (!window.confirm('Stop this alert and draft its correction for approval?')) return;
          const r = await api('POST', '/v1/alerts/' + a.id + '/false-alarm');
          if (!r.ok) { out.replaceChildren(message('error', r.error)); return; }
          go('#/alert/' + r.data.id);
        } }));
      }
      return row;
    }

    async function load() {
      const r = await api('GET', '/v1/alerts/' + id);
      if (!r.ok) { body.replaceChildren(message('error', r.error)); return; }
      a = r.data;
      const mapEl = h('div', { class: 'map', id: 'alert-map', role: 'img', 'aria-label': 'The alert’s area: ' + a.area_description });
      body.replaceChildren(
        h('div', { class: 'banner ' + a.mode, id: 'banner', text: a.banner }),
        h('p', { class: 'status', id: 'status', role: 'status', text: statusLine(a) }),
        h('table', {}, h('tbody', {}, [['Title', a.title], ['State', a.state], ['Type', a.type], ['Mode', a.mode], ['Class', a.class], ['Drafted by', personOf(a.created_by)],
          ['Approved by', a.approved_by ? personOf(a.approved_by) : '—'], ['Expires', a.expires_at || '—'], ['Bearers', (a.bearers || []).join(', ')],
          ['Refers to', a.references ? '#' + a.references : '—'], [a.state === 'draft' ? 'Digest an approval binds' : 'Digest approved', a.digest]].map(function (row) {
          return h('tr', {}, h('th', { scope: 'row', text: row[0] }), h('td', { text: String(row[1]) }));
        }))),
        h('h2', { text: 'Texts as they will be sent' }),
        h('div', { class: 'languages', id: 'texts' }, (a.texts || []).map(function (t) {
          return h('div', { class: 'language' }, h('strong', { text: t.language }), h('pre', { class: 'sms', lang: t.language, text: t.text }),
            h('div', { class: 'counter', text: t.encoding + ', ' + t.parts + (t.parts === 1 ? ' part' : ' parts') }));
        })),
        h('h2', { text: 'Area and reach' }),
        h('div', { class: 'two' }, h('div', {}, h('p', { text: a.area_description }),
          a.recipients ? h('table', { id: 'reach' }, h('tbody', {}, a.recipients.by_area.map(function (x) { return h('tr', {}, h('td', { text: x.area }), h('td', { text: x.contacts + ' people' })); }),
            h('tr', {}, h('th', { text: 'In all' }), h('th', { text: a.recipients.total + ' people' })))) : null), mapEl),
        h('h2', { text: 'Delivery' }), progressTable(a.progress || {}),
        actions());
      const zones = await api('GET', '/v1/zones');
      m = TocsinMap.create(mapEl, zones.ok ? zones.data.zones : []);
      TocsinMap.showArea(m, a.area);
    }
    await load();
    // Polled every 2 s; a few more times once finished, as the tallies lag up to a second.
    let settled = 0;
    every(2000, async function () {
      if (!a || (['done', 'cancelled', 'expired'].indexOf(a.state) >= 0 && ++settled > 3)) return;
      const r = await api('GET', '/v1/alerts/' + id, undefined, undefined, true);
      if (!r.ok) return;
      const before = a.state;
      a = r.data;
      if (a.state !== before) { load(); return; }
      document.getElementById('status').textContent = statusLine(a);
      const old = document.getElementById('progress');
      if (old) old.parentElement.replaceWith(progressTable(a.progress || {}));
      if (['done', 'cancelled', 'expired'].indexOf(a.state) >= 0) document.getElementById('status').textContent = statusLine(a);
    });
  }

  // --- shops --------------------------------------------------------------------------------

  async function campaignsView() {
    const r = await api('GET', '/v1/campaigns');
    if (!r.ok) { show('Campaigns', message('error', r.error)); return; }
    show('Campaigns',
      h('p', {}, h('a', { class: 'button', href: '#/campaign/new', id: 'new-campaign', text: 'New campaign' })),
      r.data.campaigns.length ? h('table', { id: 'campaign-list' }, h('tbody', {}, r.data.campaigns.map(function (c) {
        return h('tr', {}, h('td', {}, h('a', { href: '#/campaign/' + c.id, text: '#' + c.id + ' ' + c.title })), h('td', { text: c.state }));
      }))) : h('p', { class: 'muted', text: 'No campaign yet.' }));
  }

  async function campaignComposeView() {
    const shop = session.me.shop;
    const [zonesReply, sendersReply, listsReply] = await Promise.all([api('GET', '/v1/zones'), api('GET', '/v1/shops/' + encodeURIComponent(shop) + '/senders'),
      api('GET', '/v1/shops/' + encodeURIComponent(shop) + '/lists')]);
    const zones = zonesReply.ok ? zonesReply.data.zones : [];
    const lists = listsReply.ok ? listsReply.data.lists : [];
    const listBoxes = h('div', {}, lists.map(function (l) { return h('label', { class: 'check' }, h('input', { type: 'checkbox', class: 'campaign-list', value: l.name }), l.name + ' (' + l.members + ' members)'); }));
    const out = h('div', { 'aria-live': 'polite' });
    const preview = h('div', { id: 'campaign-preview' });
    const title = h('input', { id: 'campaign-title' });
    const language = h('input', { id: 'campaign-language', value: 'en', maxlength: '8' });
    const text = h('textarea', { id: 'campaign-text' });
    const sender = h('select', { id: 'campaign-sender' }, h('option', { value: '', text: 'The bearer’s default sender' }),
      (sendersReply.ok ? sendersReply.data.senders : []).map(function (s) { return h('option', { value: s, text: s }); }));
    const everyone = h('input', { type: 'checkbox', id: 'campaign-everyone' });
    const zoneBoxes = h('div', {}, zones.map(function (z) { return h('label', { class: 'check' }, h('input', { type: 'checkbox', class: 'campaign-zone', value: z.name }), z.name); }));
    const at = h('input', { id: 'campaign-at', placeholder: 'now, or an ISO 8601 time' });
    function request() {
      const ticked = function (box) { return Array.prototype.filter.call(box.querySelectorAll('input'), function (i) { return i.checked; }).map(function (i) { return i.value; }); };
      const area = everyone.checked ? { all: true } : { zones: ticked(zoneBoxes) };
      if (!everyone.checked && ticked(listBoxes).length) area.lists = ticked(listBoxes);
      const body = { title: title.value, texts: [{ language: language.value.trim(), text: text.value }], area: area };
      if (sender.value) body.sender = sender.value;
      if (at.value.trim()) body.at = at.value.trim();
      return body;
    }
    async function doPreview() {
      const r = await api('POST', '/v1/campaigns/preview', request());
      if (!r.ok) { preview.replaceChildren(message('error', r.error, 'campaign-error')); return false; }
      const credits = r.data.credits || {};
      preview.replaceChildren(h('h2', { text: 'Preview (with a sample personalisation, short links and the STOP footer)' }),
        ...r.data.preview.map(function (t) { return h('div', { class: 'language' }, h('pre', { class: 'sms', text: t.text }), h('div', { class: 'counter', text: t.encoding + ', ' + t.parts + ' part(s), at most ' + t.max_parts })); }),
        h('p', { id: 'consent-counts', text: r.data.recipients_with_confirmed_consent + ' people with confirmed consent; ' + r.data.awaiting_confirmation + ' awaiting confirmation (not sent to).' }),
        h('p', { id: 'campaign-cost', text: 'Cost: ' + credits.cost + ' SMS parts' + (credits.mode === 'unmetered' ? ' (not counted for this shop).' :
          '; balance ' + credits.balance + (credits.shortfall > 0 ? ': ' + credits.shortfall + ' short, so it would be refused.' : '.')) +
          (r.data.moderated ? ' An admin approves it before it starts.' : '') }),
        h('p', { class: 'muted', text: r.data.note }));
      return true;
    }
    show('New campaign for ' + shop,
      h('form', { onsubmit: function (e) { e.preventDefault(); } }, field('Title', title), field('Language', language), field('Text ({name} is replaced by the person’s name)', text), field('Sender', sender),
        h('fieldset', {}, h('legend', { text: 'Who (always only people who consented to your promotions)' }), h('label', { class: 'check' }, everyone, 'Everyone who consented'), zoneBoxes,
          lists.length ? h('p', { class: 'muted', text: 'Or your lists:' }) : null, listBoxes),
        field('When', at, 'Empty: now (within the legal sending hours).'),
        h('div', { class: 'row' }, h('button', { type: 'button', class: 'secondary', id: 'preview-campaign', text: 'Preview', onclick: doPreview }),
          h('button', { type: 'button', id: 'start-campaign', text: 'Start the campaign', onclick: async function () {
            const r = await api('POST', '/v1/campaigns', request());
            if (!r.ok) { out.replaceChildren(message('error', r.error, 'campaign-error')); return; }
            go('#/campaign/' + r.data.id);
          } })), preview, out));
  }

  async function campaignView(id) {
    const body = h('div', {});
    const out = h('div', { 'aria-live': 'polite' });
    show('Campaign #' + id, body, out);
    async function load(poll) {
      const r = await api('GET', '/v1/campaigns/' + id, undefined, undefined, poll);
      if (!r.ok) { body.replaceChildren(message('error', r.error)); return; }
      const c = r.data;
      const p = c.progress || {};
      const act = function (what) {
        return h('button', { class: 'secondary', id: what, text: what[0].toUpperCase() + what.slice(1), onclick: async function () {
          const x = await api('POST', '/v1/campaigns/' + id + '/' + what);
          out.replaceChildren(x.ok ? message('ok', what === 'pause' ? 'Paused.' : 'Resumed.') : message('error', x.error));
          load();
        } });
      };
      body.replaceChildren(h('p', { class: 'status', id: 'campaign-state', text: c.state + ': ' + ((p.sent || 0) + (p.delivered || 0)) + ' of ' + p.recipients + ' sent' }),
        h('p', { text: c.title + ' (' + c.shop + ')' }),
        ...(c.preview || []).map(function (t) { return h('pre', { class: 'sms', text: t.text }); }),
        progressTable(p),
        c.credits ? h('p', { id: 'campaign-credits', text: 'Credits: ' + c.credits.reserved + ' parts reserved, ' + c.credits.used_so_far + ' used so far' +
          (c.credits.settled ? ', ' + c.credits.refunded + ' refunded (settled).' : '.') }) : null,
        c.clicks && c.clicks.links ? h('p', { id: 'campaign-clicks' }, c.clicks.clicks + ' clicks on ' + c.clicks.links + ' short links; ' +
          c.clicks.recipients_who_clicked + ' people clicked. ', h('a', { href: '/v1/campaigns/' + id + '/clicks?format=csv', text: 'Clicks as CSV' })) : null,
        h('div', { class: 'row' }, ['sending', 'approved', 'expanding'].indexOf(c.state) >= 0 ? act('pause') : null, c.state === 'paused' ? act('resume') : null));
    }
    await load();
    every(2000, function () { load(true); });
  }

  // --- auditors -----------------------------------------------------------------------------

  async function auditView() {
    const verdict = h('div', { id: 'verdict', 'aria-live': 'polite' });
    const downloads = h('div', { id: 'downloads', 'aria-live': 'polite' });
    const entries = h('div', {});
    function download(name, text, id) {
      const url = URL.createObjectURL(new Blob([text], { type: 'application/octet-stream' }));
      return h('li', {}, h('a', { href: url, download: name, id: id, text: 'Download ' + name }));
    }
    show('Audit and consent',
      h('div', { class: 'row' }, h('button', { id: 'verify', text: 'Verify the audit chain', onclick: async function () {
        const r = await api('GET', '/v1/audit/verify');
        const ok = r.ok && r.data.intact === true;
        verdict.replaceChildren(message(ok ? 'ok' : 'error', (ok ? 'Verdict: intact. ' : 'Verdict: NOT intact. ') + (r.data.explanation || r.error || '')));
      } }), h('button', { id: 'export', class: 'secondary', text: 'Export consent records (signed)', onclick: async function () {
        const r = await api('GET', '/v1/consent/export');
        if (!r.ok) { downloads.replaceChildren(message('error', r.error)); return; }
        downloads.replaceChildren(message('ok', r.data.events + ' consent events exported; SHA-256 ' + r.data.sha256 + '; key ' + r.data.key_fingerprint + '.'),
          h('ul', {}, download('consent.json', r.data.export, 'export-file'), download('consent.json.sig', r.data.signature, 'export-signature'),
            download('signing-key.pub.txt', r.data.public_key + '\n', 'export-key')),
          h('p', { class: 'muted', text: 'Check it anywhere with: tocsinctl consent verify consent.json --public-key ' + r.data.public_key }));
      } })),
      verdict, downloads, h('h2', { text: 'Audit log' }), entries);
    let after = 0;
    async function page() {
      const r = await api('GET', '/v1/audit?after=' + after + '&limit=100');
      if (!r.ok) { entries.replaceChildren(message('error', r.error)); return; }
      const list = r.data.entries;
      entries.replaceChildren(h('table', { id: 'audit-log' }, h('thead', {}, h('tr', {}, ['#', 'When', 'Who', 'What', 'On', 'Why'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
        h('tbody', {}, list.map(function (e) { return h('tr', {}, h('td', { text: String(e.seq) }), h('td', { text: e.at }), h('td', { text: e.actor }), h('td', { text: e.action }), h('td', { text: e.object }), h('td', { text: e.reason })); }))),
        h('div', { class: 'row' }, after > 0 ? h('button', { class: 'secondary', text: 'First entries', onclick: function () { after = 0; page(); } }) : null,
          list.length === 100 ? h('button', { class: 'secondary', id: 'next-page', text: 'Next 100', onclick: function () { after = list[list.length - 1].seq; page(); } }) : null));
    }
    page();
  }

  // --- admins -------------------------------------------------------------------------------

  function section(title, id) { return h('section', { id: id, class: 'card' }, h('h2', { text: title })); }

  async function adminView() {
    const out = h('div', { 'aria-live': 'polite', id: 'admin-messages' });
    const people = section('People (console accounts)', 'people');
    const tokens = section('API tokens (for machines and scripts)', 'tokens');
    const kiosks = section('Kiosks', 'kiosks');
    const hooks = section('Webhooks', 'webhooks');
    const senders = section('Shops’ sender IDs', 'senders');
    const shops = section('Shops', 'shops');
    show('People and settings', out, people, tokens, kiosks, shops, senders, hooks);
    const report = function (r, okText) { out.replaceChildren(r.ok ? message('ok', okText) : message('error', r.error)); };

    async function loadPeople() {
      const r = await api('GET', '/v1/users');
      const name = h('input', { id: 'user-name' }), role = h('select', { id: 'user-role' }, ['operator', 'approver', 'marketer', 'auditor', 'admin'].map(function (x) { return h('option', { value: x, text: x }); }));
      const shop = h('input', { id: 'user-shop' }), pass = h('input', { id: 'user-password', type: 'password', autocomplete: 'new-password' });
      people.replaceChildren(h('h2', { text: 'People (console accounts)' }),
        r.ok ? h('table', {}, h('tbody', {}, r.data.users.map(function (u) {
          return h('tr', {}, h('td', { text: u.name }), h('td', { text: u.role + (u.shop ? ' (' + u.shop + ')' : '') }), h('td', { text: u.totp }),
            h('td', { text: u.disabled ? 'disabled' : u.locked ? 'locked' : 'active' }),
            h('td', {}, u.disabled ? null : h('button', { class: 'secondary', text: 'Reset TOTP', onclick: async function () { report(await api('POST', '/v1/users/' + encodeURIComponent(u.name) + '/reset-totp'), u.name + ' enrols again at the next sign-in.'); loadPeople(); } }),
              u.disabled ? null : h('button', { class: 'danger', text: 'Disable', onclick: async function () { if (window.confirm('Disable ' + u.name + ' everywhere?')) { report(await api('POST', '/v1/users/' + encodeURIComponent(u.name) + '/disable'), u.name + ' disabled.'); loadPeople(); } } })));
        }))) : message('error', r.error),
        h('form', { onsubmit: async function (e) { e.preventDefault(); report(await api('POST', '/v1/users', { name: name.value, role: role.value, shop: shop.value || undefined, password: pass.value }), name.value + ' added; they enrol their authenticator at the first sign-in.'); loadPeople(); } },
          h('h3', { text: 'Add a person' }), field('Name', name), field('Role', role), field('Shop (marketers only)', shop), field('First password (12 characters or more)', pass), h('button', { type: 'submit', text: 'Add' })));
    }
    async function loadTokens() {
      const list = await api('GET', '/v1/tokens');
      const name = h('input', { id: 'token-name' }), role = h('select', { id: 'token-role' }, ['operator', 'approver', 'marketer', 'auditor', 'admin'].map(function (x) { return h('option', { value: x, text: x }); }));
      const shop = h('input', { id: 'token-shop' }), person = h('input', { id: 'token-person' }), revoke = h('input', { id: 'token-revoke' });
      const shown = h('div', { 'aria-live': 'polite' });
      tokens.replaceChildren(h('h2', { text: 'API tokens (for machines and scripts)' }),
        list.ok ? h('table', { id: 'token-list' }, h('tbody', {}, list.data.tokens.map(function (t) {
          return h('tr', {}, h('td', { text: t.name }), h('td', { text: t.role + (t.shop ? ' (' + t.shop + ')' : '') }), h('td', { text: t.person ? 'for ' + t.person : 'a machine' }),
            h('td', { text: t.revoked_at ? 'revoked ' + t.revoked_at : 'active since ' + t.created_at }));
        }))) : message('error', list.error),
        h('form', { onsubmit: async function (e) { e.preventDefault();
          const r = await api('POST', '/v1/tokens', { name: name.value, role: role.value, shop: shop.value || undefined, person: person.value || undefined });
          shown.replaceChildren(r.ok ? h('p', {}, 'Token (shown once): ', h('code', { class: 'secret', text: r.data.token })) : message('error', r.error)); } },
          field('Name', name), field('Role', role), field('Shop (marketers)', shop), field('Acts for person (optional)', person), h('button', { type: 'submit', text: 'Create a token' })), shown,
        h('form', { onsubmit: async function (e) { e.preventDefault(); report(await api('DELETE', '/v1/tokens/' + encodeURIComponent(revoke.value)), 'Token ' + revoke.value + ' revoked.'); } },
          field('Revoke the token named', revoke), h('button', { type: 'submit', class: 'danger', text: 'Revoke' })));
    }
    async function loadKiosks() {
      const r = await api('GET', '/v1/kiosks');
      const id = h('input', { id: 'kiosk-id' }), shop = h('input', { id: 'kiosk-shop' });
      const shown = h('div', { 'aria-live': 'polite' });
      kiosks.replaceChildren(h('h2', { text: 'Kiosks' }),
        r.ok ? h('table', {}, h('tbody', {}, (r.data.kiosks || []).map(function (k) {
          return h('tr', {}, h('td', { text: k.id }), h('td', { text: k.shop }), h('td', { text: k.state || (k.paired_at ? 'paired' : 'waiting for pairing') }), h('td', { text: k.last_seen || '' }),
            h('td', {}, h('button', { class: 'danger', text: 'Revoke', onclick: async function () { report(await api('DELETE', '/v1/kiosks/' + encodeURIComponent(k.id)), 'Kiosk ' + k.id + ' revoked.'); loadKiosks(); } })));
        }))) : message('error', r.error),
        h('form', { onsubmit: async function (e) { e.preventDefault(); const x = await api('POST', '/v1/kiosks', { id: id.value, shop: shop.value });
          shown.replaceChildren(x.ok ? h('p', {}, 'Pairing code for the kiosk (shown once): ', h('code', { class: 'secret', text: x.data.pairing_code || x.data.code })) : message('error', x.error)); } },
          field('Kiosk ID', id), field('Shop', shop), h('button', { type: 'submit', text: 'Enrol a kiosk' })), shown);
    }
    async function loadShops() {
      const r = await api('GET', '/v1/shops');
      const id = h('input', { id: 'shop-id' }), name = h('input', { id: 'shop-name' }), country = h('input', { id: 'shop-country', maxlength: '2', value: 'FR' });
      const owner = h('input', { id: 'shop-owner', type: 'tel' }), parts = h('input', { id: 'shop-parts', type: 'number', min: '0', value: '1000' });
      shops.replaceChildren(h('h2', { text: 'Shops' }),
        r.ok ? h('table', { id: 'shop-list' }, h('tbody', {}, r.data.shops.map(function (x) {
          const c = x.credits || {};
          return h('tr', {}, h('td', { text: x.id }), h('td', { text: x.name + ' (' + (x.country || '?') + ')' }), h('td', { text: x.state }),
            h('td', { text: c.mode === 'unmetered' ? 'unmetered' : c.balance + ' parts' + (c.monthly_quota ? ' of ' + c.monthly_quota + ' a month' : '') }),
            h('td', {}, x.state === 'active' && c.mode === 'balance' ? h('button', { class: 'secondary', text: 'Add 1000 parts', onclick: async function () { report(await api('POST', '/v1/shops/' + encodeURIComponent(x.id) + '/credits', { parts: 1000 }), '1000 parts added to ' + x.id + '.'); loadShops(); } }) : null,
              x.state === 'active' ? h('button', { class: 'danger', text: 'Suspend', onclick: async function () { const why = window.prompt('Why suspend ' + x.id + '?'); if (why) { report(await api('POST', '/v1/shops/' + encodeURIComponent(x.id) + '/suspend', { reason: why }), x.id + ' suspended.'); loadShops(); } } }) : null,
              x.state === 'suspended' ? h('button', { class: 'secondary', text: 'Resume', onclick: async function () { report(await api('POST', '/v1/shops/' + encodeURIComponent(x.id) + '/resume'), x.id + ' resumed.'); loadShops(); } }) : null));
        }))) : message('error', r.error),
        h('form', { onsubmit: async function (e) { e.preventDefault();
          report(await api('POST', '/v1/shops', { id: id.value, name: name.value, country: country.value, owner_phone: owner.value, credits: { mode: 'balance', parts: Number(parts.value) } }),
            'Shop ' + id.value + ' registered; its owner activates it with the code sent to their mobile.'); loadShops(); } },
          h('h3', { text: 'Register a shop' }), field('ID (a-z, 0-9, -)', id), field('Name', name), field('Country', country), field('Owner’s mobile', owner), field('SMS parts', parts),
          h('button', { type: 'submit', text: 'Register' })));
    }
    async function loadHooks() {
      const r = await api('GET', '/v1/webhooks');
      const name = h('input', { id: 'hook-name' }), url = h('input', { id: 'hook-url', type: 'url' });
      hooks.replaceChildren(h('h2', { text: 'Webhooks' }),
        r.ok ? h('table', {}, h('tbody', {}, (r.data.webhooks || []).map(function (w) {
          return h('tr', {}, h('td', { text: w.name }), h('td', { text: w.url }), h('td', { text: (w.events || []).join(', ') }),
            h('td', {}, h('button', { class: 'danger', text: 'Remove', onclick: async function () { report(await api('DELETE', '/v1/webhooks/' + encodeURIComponent(w.name)), 'Webhook removed.'); loadHooks(); } })));
        }))) : message('error', r.error),
        h('form', { onsubmit: async function (e) { e.preventDefault(); report(await api('POST', '/v1/webhooks', { name: name.value, url: url.value }), 'Webhook added.'); loadHooks(); } },
          field('Name', name), field('URL (HTTPS)', url), h('button', { type: 'submit', text: 'Add a webhook' })));
    }
    function loadSenders() {
      const shop = h('input', { id: 'sender-shop' }), sender = h('input', { id: 'sender-id', maxlength: '16' });
      const shown = h('div', { 'aria-live': 'polite', id: 'sender-list' });
      async function lookUp() {
        const r = await api('GET', '/v1/shops/' + encodeURIComponent(shop.value) + '/senders');
        shown.replaceChildren(r.ok ? h('ul', {}, r.data.senders.map(function (x) {
          return h('li', {}, x + ' ', h('button', { class: 'secondary', text: 'Withdraw', onclick: async function () {
            report(await api('DELETE', '/v1/shops/' + encodeURIComponent(shop.value) + '/senders/' + encodeURIComponent(x)), x + ' withdrawn.'); lookUp(); } }));
        })) : message('error', r.error));
      }
      senders.replaceChildren(h('h2', { text: 'Shops’ sender IDs' }),
        h('form', { onsubmit: async function (e) { e.preventDefault();
          const r = await api('POST', '/v1/shops/' + encodeURIComponent(shop.value) + '/senders', { sender: sender.value });
          report(r, sender.value + ' approved for ' + shop.value + '.' + (r.data.warning ? ' Note: ' + r.data.warning + '.' : '')); lookUp(); } },
          field('Shop', shop), field('Sender ID to approve (never the town’s)', sender),
          h('div', { class: 'row' }, h('button', { type: 'submit', text: 'Approve' }), h('button', { type: 'button', class: 'secondary', text: 'Show the shop’s sender IDs', onclick: lookUp }))), shown);
    }
    loadPeople(); loadTokens(); loadKiosks(); loadShops(); loadSenders(); loadHooks();
  }

  async function zonesView() {
    const out = h('div', { 'aria-live': 'polite', id: 'zone-messages' });
    const file = h('input', { id: 'zones-file', type: 'file', accept: '.geojson,.json,application/geo+json,application/json' });
    const list = h('div', {});
    const mapEl = h('div', { class: 'map', id: 'zones-map', role: 'img', 'aria-label': 'Map of the zones' });
    let m = null;
    async function load() {
      const r = await api('GET', '/v1/zones');
      const zones = r.ok ? r.data.zones : [];
      list.replaceChildren(h('table', { id: 'zone-list' }, h('tbody', {}, zones.map(function (z) { return h('tr', {}, h('td', { text: z.name }), h('td', { text: z.contacts + ' people with alerts' }), h('td', { text: z.geometry ? z.geometry.type : 'no boundary' })); }))));
      if (m) m.map.remove();
      m = TocsinMap.create(mapEl, zones);
    }
    show('Zones', h('p', { text: 'Upload the zones’ boundaries as a GeoJSON FeatureCollection: each feature a Polygon or MultiPolygon with properties.name, the zone’s name as contacts have it. The upload replaces every boundary.' }),
      h('div', { class: 'row' }, h('label', { for: 'zones-file', text: 'GeoJSON file' }), file, h('button', { id: 'upload-zones', text: 'Upload', onclick: async function () {
        if (!file.files.length) return;
        const r = await api('PUT', '/v1/zones', await file.files[0].text(), 'application/geo+json');
        out.replaceChildren(r.ok ? message('ok', r.data.zones + ' zones uploaded.') : message('error', r.error, 'zones-error'));
        load();
      } })), out, h('div', { class: 'two' }, list, mapEl));
    load();
  }

  route();
})();
