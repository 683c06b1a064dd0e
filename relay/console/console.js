/*
 * The workspace console: a client of fzrelay's public API and nothing
 * more. The admin key lives in sessionStorage only (never a cookie, never
 * a URL); every text the API returns is put on the page as text, never as
 * markup.
 */
'use strict';

(function () {
  const KEY = 'fzrelay.console.key';
  const TOKEN_RE = /^fz_live_[A-Za-z0-9]{40}$/;
  const $ = (id) => document.getElementById(id);
  let followTimer = null;
  let eventsCursor = null;
  let eventsShown = [];
  let projectsCursor = null;

  function token() {
    return sessionStorage.getItem(KEY);
  }

  function status(msg, isError) {
    const s = $('status');
    s.textContent = msg || '';
    s.className = isError ? 'status error' : 'status';
  }

  async function api(method, path, body) {
    const headers = { Authorization: 'Bearer ' + token() };
    const init = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      return { status: 0, error: { message: 'fzrelay cannot be reached' } };
    }
    let json = null;
    try {
      json = await res.json();
    } catch (e) {
      json = null;
    }
    if (res.status === 401 && path !== '/api/v1/auth') {
      signOut('Your key is no longer valid: sign in again.');
    }
    return {
      status: res.status,
      data: json ? json.data : null,
      meta: json ? json.meta : null,
      error: json && json.error ? json.error : (res.ok ? null :
        { message: 'HTTP ' + res.status }),
    };
  }

  function el(tag, text, attrs) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }

  function button(text, onClick, label) {
    const b = el('button', text, { type: 'button' });
    if (label) b.setAttribute('aria-label', label);
    b.addEventListener('click', onClick);
    return b;
  }

  function row(cells) {
    const tr = document.createElement('tr');
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) td.appendChild(c);
      else td.textContent = c === null || c === undefined ? '—' : String(c);
      tr.appendChild(td);
    }
    return tr;
  }

  function fill(tableId, rows, empty) {
    const tbody = $(tableId).querySelector('tbody');
    tbody.replaceChildren();
    if (rows.length === 0) {
      const tr = document.createElement('tr');
      const td = el('td', empty);
      td.colSpan = $(tableId).querySelectorAll('thead th').length;
      tr.appendChild(td);
      tbody.appendChild(tr);
      return;
    }
    for (const r of rows) tbody.appendChild(r);
  }

  function when(s) {
    return s ? s.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null;
  }

  /* Shows each validation detail next to its field; the rest in msgs. */
  function fieldErrors(err, map) {
    for (const id of Object.values(map)) $(id).textContent = '';
    let shown = false;
    for (const d of (err && err.details) || []) {
      const id = map[d.field];
      if (id) {
        $(id).textContent = d.message;
        shown = true;
      }
    }
    if (!shown && err) status(err.message, true);
  }

  async function copy(inputId, btn) {
    const input = $(inputId);
    try {
      await navigator.clipboard.writeText(input.value);
    } catch (e) {
      input.select();
      document.execCommand('copy');
    }
    btn.textContent = 'Copied';
  }

  /* --- signing in ------------------------------------------------------ */

  function signOut(msg) {
    sessionStorage.removeItem(KEY);
    stopFollow();
    $('app').hidden = true;
    $('signout').hidden = true;
    $('who').textContent = '';
    $('signin').hidden = false;
    $('signin-key').value = '';
    $('signin-error').textContent = msg || '';
    $('signin-key').focus();
  }

  async function signIn(key) {
    sessionStorage.setItem(KEY, key);
    const r = await api('GET', '/api/v1/auth');
    if (r.status !== 200) {
      sessionStorage.removeItem(KEY);
      return r.error ? r.error.message : 'sign-in failed';
    }
    const k = r.data.key || {};
    if (!(k.scopes || []).includes('admin')) {
      sessionStorage.removeItem(KEY);
      return 'This key lacks the admin scope the console needs.';
    }
    const ws = r.data.workspace || {};
    $('who').textContent = (ws.name || ws.id || '') +
      (ws.plan ? ' · ' + ws.plan + ' plan' : '') +
      (k.name ? ' · signed in with “' + k.name + '”' : '');
    return null;
  }

  async function start() {
    if (token()) {
      const err = await signIn(token());
      if (!err) {
        showApp();
        return;
      }
    }
    signOut();
  }

  function showApp() {
    $('signin').hidden = true;
    $('app').hidden = false;
    $('signout').hidden = false;
    route();
  }

  /* --- routing ---------------------------------------------------------- */

  const views = {
    security: loadKeys,
    webhooks: loadHooks,
    zapier: loadZapier,
    events: loadEvents,
    projects: () => loadProjects(true),
  };

  function route() {
    const name = (location.hash || '#security').slice(1);
    const view = views[name] ? name : 'security';
    stopFollow();
    $('events-follow').checked = false;
    status('');
    for (const v of document.querySelectorAll('.view'))
      v.hidden = v.id !== 'view-' + view;
    for (const a of document.querySelectorAll('nav a')) {
      if (a.getAttribute('href') === '#' + view)
        a.setAttribute('aria-current', 'page');
      else
        a.removeAttribute('aria-current');
    }
    views[view]();
  }

  /* --- keys ------------------------------------------------------------- */

  async function loadKeys() {
    const r = await api('GET', '/api/v1/keys');
    if (r.status !== 200) return status(r.error.message, true);
    fill('keys-table', r.data.map((k) => row([
      k.name, k.scopes.join(', '), k.prefix + '…', when(k.createdAt),
      when(k.lastUsedAt) || 'never', when(k.revokedAt) || 'no',
      k.revokedAt ? '' : button('Revoke', () => revokeKey(k),
        'Revoke key ' + k.name),
    ])), 'No keys.');
  }

  async function revokeKey(k) {
    if (!confirm('Revoke the key “' + k.name + '”? Anything using it ' +
        'stops working at once. This cannot be undone.'))
      return;
    const r = await api('DELETE', '/api/v1/keys/' + encodeURIComponent(k.id));
    if (r.status !== 200) return status(r.error.message, true);
    status('Key “' + k.name + '” revoked.');
    loadKeys();
  }

  async function createKey(ev) {
    ev.preventDefault();
    const name = $('key-name').value.trim();
    const scopes = [...document.querySelectorAll('#key-form input[name=scope]:checked')]
      .map((c) => c.value);
    const map = { name: 'key-name-error', scopes: 'key-scopes-error' };
    if (!name || scopes.length === 0) {
      return fieldErrors({ details: [
        ...(name ? [] : [{ field: 'name', message: 'Give the key a name.' }]),
        ...(scopes.length ? [] : [{ field: 'scopes',
          message: 'Choose at least one scope.' }]),
      ] }, map);
    }
    const r = await api('POST', '/api/v1/keys', { name, scopes });
    if (r.status !== 201) return fieldErrors(r.error, map);
    fieldErrors(null, map);
    $('key-name').value = '';
    $('new-token-value').value = r.data.token;
    $('new-token-copy').textContent = 'Copy';
    $('new-token').hidden = false;
    $('new-token-value').focus();
    $('new-token-value').select();
    loadKeys();
  }

  /* --- webhooks --------------------------------------------------------- */

  function health(h) {
    if (h.enabled === false) return 'disabled';
    if (h.failingSince) return 'failing since ' + when(h.failingSince);
    return 'healthy';
  }

  async function loadHooks() {
    $('deliveries').hidden = true;
    const r = await api('GET', '/api/v1/webhooks');
    if (r.status !== 200) return status(r.error.message, true);
    fill('hooks-table', r.data.map((h) => {
      const actions = document.createElement('div');
      actions.className = 'actions';
      actions.append(
        button('Deliveries', () => loadDeliveries(h), 'Deliveries to ' + h.url),
        button('Rotate secret', () => rotateHook(h), 'Rotate the secret of ' + h.url));
      if (h.enabled === false)
        actions.append(button('Enable', () => enableHook(h), 'Enable ' + h.url));
      actions.append(button('Delete', () => deleteHook(h), 'Delete ' + h.url));
      return row([h.url, h.events.join(', '), health(h), when(h.createdAt),
        actions]);
    }), 'No endpoints yet.');
  }

  function showSecret(secret) {
    $('hook-secret-value').value = secret;
    $('hook-secret-copy').textContent = 'Copy';
    $('hook-secret').hidden = false;
    $('hook-secret-value').focus();
    $('hook-secret-value').select();
  }

  async function createHook(ev) {
    ev.preventDefault();
    const url = $('hook-url').value.trim();
    const description = $('hook-desc').value.trim();
    const events = [...document.querySelectorAll('#hook-form input[name=event]:checked')]
      .map((c) => c.value);
    const map = { url: 'hook-url-error', events: 'hook-events-error' };
    const body = { url, events };
    if (description) body.description = description;
    const r = await api('POST', '/api/v1/webhooks', body);
    if (r.status !== 201) return fieldErrors(r.error, map);
    fieldErrors(null, map);
    $('hook-url').value = '';
    $('hook-desc').value = '';
    showSecret(r.data.secret);
    loadHooks();
  }

  async function rotateHook(h) {
    if (!confirm('Make a new signing secret for ' + h.url + '? The old one ' +
        'keeps signing beside it for 24 hours.'))
      return;
    const r = await api('POST', '/api/v1/webhooks/' + encodeURIComponent(h.id) +
      '/rotate-secret');
    if (r.status !== 200) return status(r.error.message, true);
    showSecret(r.data.secret);
  }

  async function enableHook(h) {
    const r = await api('POST', '/api/v1/webhooks/' + encodeURIComponent(h.id) +
      '/enable');
    if (r.status !== 200) return status(r.error.message, true);
    status('Endpoint enabled.');
    loadHooks();
  }

  async function deleteHook(h) {
    if (!confirm('Delete the endpoint ' + h.url + ' and its pending ' +
        'deliveries?'))
      return;
    const r = await api('DELETE', '/api/v1/webhooks/' + encodeURIComponent(h.id));
    if (r.status !== 200) return status(r.error.message, true);
    status('Endpoint deleted.');
    loadHooks();
  }

  let deliveriesHook = null;

  async function loadDeliveries(h) {
    deliveriesHook = h;
    $('deliveries-h').textContent = 'Deliveries to ' + h.url;
    const r = await api('GET', '/api/v1/webhooks/' + encodeURIComponent(h.id) +
      '/deliveries');
    if (r.status !== 200) return status(r.error.message, true);
    fill('deliveries-table', r.data.map((d) => {
      const list = document.createElement('ol');
      for (const a of d.history || []) {
        const parts = [when(a.at), a.statusCode ? 'HTTP ' + a.statusCode : null,
          a.error].filter(Boolean);
        list.appendChild(el('li', parts.join(' · ')));
      }
      return row([d.eventId, d.status, list, when(d.nextAttemptAt)]);
    }), 'No deliveries yet.');
    $('deliveries').hidden = false;
  }

  async function replay(ev) {
    ev.preventDefault();
    if (!deliveriesHook) return;
    const since = $('replay-since').value.trim();
    const r = await api('POST', '/api/v1/webhooks/' +
      encodeURIComponent(deliveriesHook.id) + '/replay', { since });
    if (r.status !== 202 && r.status !== 200)
      return fieldErrors(r.error, { since: 'replay-since-error' });
    fieldErrors(null, { since: 'replay-since-error' });
    status('Replay queued' + (r.data && r.data.queued !== undefined ?
      ': ' + r.data.queued + ' events.' : '.'));
    loadDeliveries(deliveriesHook);
  }

  /* --- Zapier hooks ----------------------------------------------------- */

  async function loadZapier() {
    const r = await api('GET', '/api/v1/zapier/hooks');
    if (r.status !== 200) return status(r.error.message, true);
    fill('zapier-table', r.data.map((z) => row([z.event, z.target_url,
      z.status ? z.status + (z.status_reason ? ': ' + z.status_reason : '') : null,
      when(z.created_at),
      button('Remove', () => removeZapier(z), 'Remove the hook to ' +
        z.target_url)])), 'No Zapier hooks.');
  }

  async function removeZapier(z) {
    if (!confirm('Remove this Zapier hook? Its Zap stops receiving ' +
        z.event + ' until it is turned on again.'))
      return;
    const r = await api('DELETE', '/api/v1/zapier/hooks/' +
      encodeURIComponent(z.id));
    if (r.status !== 200) return status(r.error.message, true);
    status('Hook removed.');
    loadZapier();
  }

  /* --- events ----------------------------------------------------------- */

  function eventRow(e) {
    return row([when(e.occurred_at), e.type,
      e.project_name || e.project_id || null, e.id]);
  }

  function showEvents() {
    fill('events-table', eventsShown.slice().reverse().map(eventRow),
      'No events yet.');
  }

  /* Reads every page after the cursor; keeps the newest 500. */
  async function pullEvents() {
    const type = $('events-type').value;
    for (let pages = 0; pages < 1000; pages++) {
      const q = new URLSearchParams({ limit: '100' });
      if (eventsCursor) q.set('after', eventsCursor);
      if (type) q.set('types', type);
      const r = await api('GET', '/api/v1/events?' + q);
      if (r.status !== 200) {
        status(r.error.message, true);
        return false;
      }
      eventsShown = eventsShown.concat(r.data).slice(-500);
      if (r.meta && r.meta.next_cursor) eventsCursor = r.meta.next_cursor;
      if (r.data.length < 100) break;
    }
    return true;
  }

  async function loadEvents() {
    eventsCursor = null;
    eventsShown = [];
    if (await pullEvents()) showEvents();
  }

  function stopFollow() {
    if (followTimer) clearInterval(followTimer);
    followTimer = null;
  }

  function follow() {
    stopFollow();
    if (!$('events-follow').checked) return;
    followTimer = setInterval(async () => {
      const before = eventsShown.length ? eventsShown[eventsShown.length - 1].id : null;
      if (await pullEvents()) {
        const last = eventsShown.length ? eventsShown[eventsShown.length - 1].id : null;
        if (last !== before) showEvents();
      }
    }, 2000);
  }

  /* --- projects --------------------------------------------------------- */

  async function shareCell(p, td) {
    if (p.status === 'draft') {
      td.textContent = 'not sent';
      return;
    }
    const r = await api('GET', '/api/v1/projects/' + encodeURIComponent(p.id) +
      '/pack');
    if (r.status !== 200 || !r.data.share_url) {
      td.textContent = '—';
      return;
    }
    const a = el('a', r.data.share_url, { href: r.data.share_url,
      target: '_blank', rel: 'noopener noreferrer' });
    td.replaceChildren(a);
  }

  async function loadProjects(first) {
    if (first) {
      projectsCursor = null;
      $('projects-table').querySelector('tbody').replaceChildren();
    }
    const q = new URLSearchParams({ limit: '50' });
    if (projectsCursor) q.set('cursor', projectsCursor);
    const r = await api('GET', '/api/v1/projects?' + q);
    if (r.status !== 200) return status(r.error.message, true);
    const tbody = $('projects-table').querySelector('tbody');
    if (first && r.data.length === 0) fill('projects-table', [], 'No projects yet.');
    for (const p of r.data) {
      const share = el('span', '…');
      const tr = row([p.name, p.client ? p.client.name + ' <' + p.client.email + '>' : p.clientId,
        p.status.replace('_', ' '), share]);
      tbody.appendChild(tr);
      shareCell(p, tr.lastChild);
    }
    projectsCursor = r.meta && r.meta.next_cursor ? r.meta.next_cursor : null;
    $('projects-more').hidden = !projectsCursor;
  }

  /* --- wiring ------------------------------------------------------------ */

  document.addEventListener('DOMContentLoaded', () => {
    $('signin-form').addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const key = $('signin-key').value.trim();
      if (!TOKEN_RE.test(key)) {
        $('signin-error').textContent = 'An API key is fz_live_ and 40 ' +
          'letters and digits.';
        return;
      }
      const err = await signIn(key);
      $('signin-key').value = '';
      if (err) {
        $('signin-error').textContent = err;
        return;
      }
      $('signin-error').textContent = '';
      showApp();
    });
    $('signout').addEventListener('click', () => signOut('Signed out.'));
    $('key-form').addEventListener('submit', createKey);
    $('new-token-copy').addEventListener('click', (e) => copy('new-token-value', e.target));
    $('new-token-done').addEventListener('click', () => {
      $('new-token-value').value = '';
      $('new-token').hidden = true;
    });
    $('hook-form').addEventListener('submit', createHook);
    $('hook-secret-copy').addEventListener('click', (e) => copy('hook-secret-value', e.target));
    $('hook-secret-done').addEventListener('click', () => {
      $('hook-secret-value').value = '';
      $('hook-secret').hidden = true;
    });
    $('replay-form').addEventListener('submit', replay);
    $('events-type').addEventListener('change', () => {
      loadEvents();
    });
    $('events-follow').addEventListener('change', follow);
    $('projects-more').addEventListener('click', () => loadProjects(false));
    window.addEventListener('hashchange', () => {
      if (token()) route();
    });
    start();
  });
})();
