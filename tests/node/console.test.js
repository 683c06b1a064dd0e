'use strict';
// The workspace console at /console, in a real browser: Debian's
// chromium driven by puppeteer-core, against a real fzrelay. Sign-in with
// an admin key kept in sessionStorage only; keys created (the token shown
// once, and working), revoked (refused at once); webhook endpoints
// created, rotated, inspected and deleted; the journal newest first and
// followed live; projects with their status and share link; sign-out.
// The page must never hit its own Content-Security-Policy.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const puppeteer = require('puppeteer-core');
const h = require('./harness');

const CHROMIUM = process.env.FZ_CHROMIUM || '/usr/bin/chromium';
const TOKEN_RE = /^fz_live_[A-Za-z0-9]{40}$/;

async function api(d, token, method, path, body) {
  const res = await fetch(d.base + path, {
    method,
    headers: { Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

// A receiver on 127.0.0.1 that answers 200 and counts what it gets.
function receiver() {
  return new Promise((resolve) => {
    const r = { hits: [] };
    r.srv = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => { body += c; });
      req.on('end', () => {
        r.hits.push(body);
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end('ok');
      });
    });
    r.srv.listen(0, '127.0.0.1', () => {
      r.url = `http://127.0.0.1:${r.srv.address().port}/hooks/finalizo`;
      resolve(r);
    });
  });
}

// Runs axe-core in the page (evaluated through the debugger, which the
// page's policy does not govern) and returns its violations.
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
async function axe(page) {
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document,
    { resultTypes: ['violations'] }));
  return res.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

async function browser() {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--no-first-run', '--disable-extensions'] });
}

// Opens the console; every console error and page error is collected,
// but the browser's note on a 400 or 401 a test provoked on purpose.
async function open(b, d) {
  const page = await b.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40[01] /.test(m.text()))
      page.problems.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  page.on('dialog', (dlg) => dlg.accept());
  await page.goto(`${d.base}/console`, { waitUntil: 'load' });
  return page;
}

async function signIn(page, token) {
  await page.waitForSelector('#signin-key', { visible: true });
  await page.type('#signin-key', token);
  await page.click('#signin-form button[type=submit]');
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent);
const rowsText = (page, table) => page.$$eval(`#${table} tbody tr`,
  (rs) => rs.map((r) => r.textContent));

// Waits (at most 10 s) until pred holds for the table's row texts.
async function waitRows(page, table, pred, what) {
  const deadline = Date.now() + 10000;
  let rows = [];
  for (;;) {
    rows = await rowsText(page, table);
    if (pred(rows)) return rows;
    if (Date.now() > deadline) {
      const st = await text(page, '#status');
      throw new Error(`timed out waiting for ${what}: rows ` +
        `${JSON.stringify(rows)}, status "${st}"`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

h.test('the page and its files carry a strict policy, nothing inline',
  async () => {
    const d = await h.start();
    try {
      const res = await fetch(`${d.base}/console`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type'), /^text\/html/);
      const csp = res.headers.get('content-security-policy');
      assert.match(csp, /default-src 'none'/);
      assert.match(csp, /script-src 'self'/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
      const html = await res.text();
      assert.doesNotMatch(html, /<script>|<style|\sstyle=|\son[a-z]+=/i);
      assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//);
      const js = await fetch(`${d.base}/console/console.js`);
      assert.match(js.headers.get('content-type'), /^text\/javascript/);
      const css = await fetch(`${d.base}/console/console.css`);
      assert.match(css.headers.get('content-type'), /^text\/css/);
      assert.equal((await fetch(`${d.base}/console/nope.js`)).status, 404);
      // Not part of the API and not in its description.
      const doc = await (await fetch(`${d.base}/api/v1/openapi.json`)).json();
      assert.equal(doc.paths['/console'], undefined);
    } finally {
      await h.stop(d);
    }
  });

h.test('sign in with an admin key only; the key stays in the tab',
  async () => {
    const d = await h.start();
    const b = await browser();
    try {
      const admin = h.key(d, 'agency', 'admin');
      const write = h.cli(d, ['key', 'create', '--workspace',
        (await api(d, admin, 'GET', '/api/v1/auth')).json.data.workspace.id,
        '--scopes', 'write', '--name', 'w']);
      const page = await open(b, d);
      await signIn(page, 'fz_live_short');
      await page.waitForFunction(() =>
        document.querySelector('#signin-error').textContent.length > 0);
      await page.$eval('#signin-key', (e) => { e.value = ''; });
      await signIn(page, write);
      await page.waitForFunction(() => /admin scope/.test(
        document.querySelector('#signin-error').textContent));
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      await page.$eval('#signin-key', (e) => { e.value = ''; });
      await signIn(page, 'fz_live_' + 'x'.repeat(40));
      await page.waitForFunction(() => /unknown API key/i.test(
        document.querySelector('#signin-error').textContent));
      await signIn(page, admin);
      await page.waitForSelector('#app', { visible: true });
      assert.equal(await page.evaluate(
        () => sessionStorage.getItem('fzrelay.console.key')), admin);
      assert.equal(await page.evaluate(() => document.cookie), '');
      assert.ok(!page.url().includes(admin));
      // A reload keeps the session; signing out forgets the key.
      await page.reload({ waitUntil: 'load' });
      await page.waitForSelector('#app', { visible: true });
      await page.click('#signout');
      await page.waitForSelector('#signin', { visible: true });
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      assert.deepEqual(page.problems, []);
    } finally {
      await b.close();
      await h.stop(d);
    }
  });

h.test('Settings -> Security: a key is made, shown once, listed, revoked',
  async () => {
    const d = await h.start();
    const b = await browser();
    try {
      const admin = h.key(d, 'pro', 'admin');
      const page = await open(b, d);
      await signIn(page, admin);
      await page.waitForSelector('#view-security', { visible: true });
      await waitRows(page, 'keys-table', (rows) => rows.length === 1,
        'the admin key listed');
      await page.type('#key-name', 'Zapier');
      await page.click('#key-form input[value=write]');
      await page.click('#key-form button[type=submit]');
      await page.waitForSelector('#new-token', { visible: true });
      const tok = await page.$eval('#new-token-value', (e) => e.value);
      assert.match(tok, TOKEN_RE);
      const me = await api(d, tok, 'GET', '/api/v1/auth');
      assert.equal(me.status, 200);
      assert.deepEqual(me.json.data.key.scopes, ['read', 'write']);
      await waitRows(page, 'keys-table', (rows) => rows.length === 2 &&
        rows.some((r) => r.includes('Zapier')), 'the new key listed');
      // Shown once: the list never carries it.
      const rows = await rowsText(page, 'keys-table');
      assert.ok(!rows.join('').includes(tok.slice(8)));
      await page.click('#new-token-done');
      assert.equal(await page.$eval('#new-token-value', (e) => e.value), '');
      // Empty name and no scope are refused next to the fields.
      for (const c of await page.$$('#key-form input[name=scope]:checked'))
        await c.click();
      await page.click('#key-form button[type=submit]');
      await page.waitForFunction(() =>
        document.querySelector('#key-name-error').textContent &&
        document.querySelector('#key-scopes-error').textContent);
      // Revoke (the confirmation is accepted): refused at once.
      const buttons = await page.$$('#keys-table button');
      let revoked = false;
      for (const btn of buttons) {
        const label = await btn.evaluate((e) => e.getAttribute('aria-label'));
        if (label === 'Revoke key Zapier') {
          await btn.click();
          revoked = true;
        }
      }
      assert.ok(revoked);
      await waitRows(page, 'keys-table', (rows) => rows.some((r) =>
        r.startsWith('Zapier') && !r.includes('Revoke')),
      'the key shown revoked');
      assert.equal((await api(d, tok, 'GET', '/api/v1/auth')).status, 401);
      assert.deepEqual(page.problems, []);
    } finally {
      await b.close();
      await h.stop(d);
    }
  });

h.test('Webhooks: create, secret once, rotate, deliveries, delete',
  async () => {
    const d = await h.start();
    const b = await browser();
    try {
      const admin = h.key(d, 'agency', 'admin');
      const page = await open(b, d);
      await signIn(page, admin);
      await page.waitForSelector('#app', { visible: true });
      await page.evaluate(() => { location.hash = '#webhooks'; });
      await page.waitForSelector('#view-webhooks', { visible: true });
      await page.type('#hook-url', 'not a url');
      await page.click('#hook-form button[type=submit]');
      await page.waitForFunction(() =>
        document.querySelector('#hook-url-error').textContent.length > 0);
      await page.$eval('#hook-url', (e) => { e.value = ''; });
      await page.type('#hook-url', 'https://crm.example.com/hooks/finalizo');
      await page.click('#hook-form button[type=submit]');
      await page.waitForSelector('#hook-secret', { visible: true });
      const secret = await page.$eval('#hook-secret-value', (e) => e.value);
      assert.match(secret, /^whsec_/);
      await waitRows(page, 'hooks-table', (rows) => rows.some((r) =>
        r.includes('crm.example.com') && r.includes('healthy')),
      'the endpoint listed, healthy');
      const list = await api(d, admin, 'GET', '/api/v1/webhooks');
      assert.equal(list.json.data.length, 1);
      const id = list.json.data[0].id;
      await page.click('#hook-secret-done');
      const click = async (label) => {
        const btn = await page.$(`#hooks-table button[aria-label="${label}"]`);
        assert.ok(btn, label);
        await btn.click();
      };
      await click('Rotate the secret of https://crm.example.com/hooks/finalizo');
      await page.waitForSelector('#hook-secret', { visible: true });
      const rotated = await page.$eval('#hook-secret-value', (e) => e.value);
      assert.match(rotated, /^whsec_/);
      assert.notEqual(rotated, secret);
      await click('Deliveries to https://crm.example.com/hooks/finalizo');
      await page.waitForSelector('#deliveries', { visible: true });
      await page.type('#replay-since', 'yesterday');
      await page.click('#replay-form button[type=submit]');
      await page.waitForFunction(() =>
        document.querySelector('#replay-since-error').textContent.length > 0);
      await click('Delete https://crm.example.com/hooks/finalizo');
      await waitRows(page, 'hooks-table', (rows) => rows.length === 1 &&
        !rows[0].includes('crm.example.com'), 'the endpoint gone');
      const after = await api(d, admin, 'GET', `/api/v1/webhooks/${id}`);
      assert.equal(after.status, 404);
      assert.deepEqual(page.problems, []);
    } finally {
      await b.close();
      await h.stop(d);
    }
  });

h.test('Webhooks: a delivery to a local receiver, its attempt, a replay',
  async () => {
    const d = await h.start(['--allow-private-targets', 'true']);
    const b = await browser();
    const rcv = await receiver();
    try {
      const admin = h.key(d, 'agency', 'admin');
      const page = await open(b, d);
      await signIn(page, admin);
      await page.waitForSelector('#app', { visible: true });
      await page.evaluate(() => { location.hash = '#webhooks'; });
      await page.waitForSelector('#view-webhooks', { visible: true });
      await page.type('#hook-url', rcv.url);
      await page.click('#hook-form button[type=submit]');
      await page.waitForSelector('#hook-secret', { visible: true });
      await page.click('#hook-secret-done');
      const p = await api(d, admin, 'POST', '/api/v1/projects', {
        name: 'Delivered site', clientName: 'Ada',
        clientEmail: 'ada@example.com', projectType: 'Web Design',
        launchDate: '2026-06-01' });
      assert.equal(p.status, 201);
      assert.equal((await api(d, admin, 'POST',
        `/api/v1/projects/${p.json.data.id}/pack/send`, {})).status, 200);
      const deadline = Date.now() + 10000;
      while (rcv.hits.length < 1 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(rcv.hits.length, 1);
      const btn = await page.$(`#hooks-table button[aria-label="Deliveries to ${rcv.url}"]`);
      assert.ok(btn);
      let rows = [];
      for (const end = Date.now() + 10000; Date.now() < end;) {
        await btn.click();
        await page.waitForSelector('#deliveries', { visible: true });
        rows = await rowsText(page, 'deliveries-table');
        if (rows.length === 1 && rows[0].includes('delivered') &&
            rows[0].includes('HTTP 200'))
          break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(rows[0].includes('delivered') && rows[0].includes('HTTP 200'),
        JSON.stringify(rows));
      await page.type('#replay-since', '2000-01-01T00:00:00Z');
      await page.click('#replay-form button[type=submit]');
      await page.waitForFunction(() => /Replay queued/.test(
        document.querySelector('#status').textContent));
      for (const end = Date.now() + 10000; rcv.hits.length < 2 &&
        Date.now() < end;)
        await new Promise((r) => setTimeout(r, 50));
      assert.equal(rcv.hits.length, 2);
      assert.deepEqual(page.problems, []);
    } finally {
      rcv.srv.close();
      await b.close();
      await h.stop(d);
    }
  });

h.test('Zapier hooks: listed with their status, removed', async () => {
  const d = await h.start();
  const b = await browser();
  try {
    const admin = h.key(d, 'pro', 'admin');
    const sub = await api(d, admin, 'POST', '/api/v1/zapier/hooks', {
      hookUrl: 'https://hooks.zapier.com/hooks/standard/1/abc/',
      event: 'pack_sent' });
    assert.equal(sub.status, 201);
    const page = await open(b, d);
    await signIn(page, admin);
    await page.waitForSelector('#app', { visible: true });
    await page.evaluate(() => { location.hash = '#zapier'; });
    await waitRows(page, 'zapier-table', (rows) => rows.length === 1 &&
      rows[0].includes('hooks.zapier.com') && rows[0].includes('active'),
    'the hook listed, active');
    const btn = await page.$('#zapier-table button');
    await btn.click();
    await waitRows(page, 'zapier-table', (rows) => rows.length === 1 &&
      rows[0].includes('No Zapier hooks'), 'the hook removed');
    const after = await api(d, admin, 'GET',
      `/api/v1/zapier/hooks/${sub.json.data.id}`);
    assert.equal(after.status, 404);
    assert.deepEqual(page.problems, []);
  } finally {
    await b.close();
    await h.stop(d);
  }
});

h.test('Events newest first, filtered, followed; projects with share links',
  async () => {
    const d = await h.start();
    const b = await browser();
    try {
      const admin = h.key(d, 'agency', 'admin');
      const send = async (name) => {
        const p = await api(d, admin, 'POST', '/api/v1/projects', {
          name, clientName: 'Ada', clientEmail: 'ada@example.com',
          projectType: 'Web Design', launchDate: '2026-06-01' });
        assert.equal(p.status, 201);
        const s = await api(d, admin, 'POST',
          `/api/v1/projects/${p.json.data.id}/pack/send`, {});
        assert.equal(s.status, 200);
        return p.json.data.id;
      };
      await send('First site');
      await send('Second site');
      const page = await open(b, d);
      await signIn(page, admin);
      await page.waitForSelector('#app', { visible: true });
      await page.evaluate(() => { location.hash = '#events'; });
      await waitRows(page, 'events-table', (rows) => rows.length === 2,
        'two events');
      let rows = await rowsText(page, 'events-table');
      assert.ok(rows[0].includes('Second site'), rows[0]);
      assert.ok(rows[1].includes('First site'), rows[1]);
      await page.select('#events-type', 'client.signed_off');
      await waitRows(page, 'events-table', (r) => r.length === 1 &&
        r[0].includes('No events'), 'an empty filtered list');
      await page.select('#events-type', '');
      await waitRows(page, 'events-table', (r) => r.length === 2,
        'both events again');
      await page.click('#events-follow');
      await send('Third site');
      await waitRows(page, 'events-table', (r) => r.length === 3 &&
        r[0].includes('Third site'), 'the new event followed');
      await page.click('#events-follow');

      await page.evaluate(() => { location.hash = '#projects'; });
      await waitRows(page, 'projects-table', (r) => r.length === 3 &&
        r.every((x) => x.includes('sent') && x.includes('/p/')),
      'three sent projects with share links');
      const links = await page.$$eval('#projects-table a', (as) =>
        as.map((a) => ({ href: a.href, rel: a.rel, target: a.target })));
      assert.equal(links.length, 3);
      for (const l of links) {
        assert.match(l.href, /\/p\/[A-Za-z0-9]+$/);
        assert.match(l.rel, /noopener/);
        assert.equal(l.target, '_blank');
      }
      assert.deepEqual(page.problems, []);
    } finally {
      await b.close();
      await h.stop(d);
    }
  });

h.test('readable at 320 px, every field labelled, text stays text',
  async () => {
    const d = await h.start();
    const b = await browser();
    try {
      const admin = h.key(d, 'agency', 'admin');
      const evil = '<img src=x onerror="window.pwned=1">';
      const p = await api(d, admin, 'POST', '/api/v1/projects', {
        name: evil, clientName: 'Ada', clientEmail: 'ada@example.com',
        projectType: 'Web Design', launchDate: '2026-06-01' });
      assert.equal(p.status, 201);
      const page = await open(b, d);
      await page.setViewport({ width: 320, height: 640 });
      await signIn(page, admin);
      await page.waitForSelector('#app', { visible: true });
      const unlabelled = await page.$$eval('input, select', (els) =>
        els.filter((e) => e.type !== 'checkbox' && !(e.labels &&
          e.labels.length)).map((e) => e.id));
      assert.deepEqual(unlabelled, []);
      await page.evaluate(() => { location.hash = '#projects'; });
      await waitRows(page, 'projects-table', (r) => r.length === 1 &&
        r[0].includes('<img'), 'the project name shown as text');
      assert.equal(await page.evaluate(() => window.pwned), undefined);
      assert.equal(await page.$('#projects-table img'), null);
      const wide = await page.evaluate(() =>
        document.documentElement.scrollWidth);
      assert.ok(wide <= 320, `page is ${wide} px wide at 320`);
      // An automated accessibility pass over every view: labels,
      // landmarks, contrast, names of buttons and links.
      for (const view of ['security', 'webhooks', 'zapier', 'events',
        'projects']) {
        await page.evaluate((v) => { location.hash = '#' + v; }, view);
        await page.waitForSelector(`#view-${view}`, { visible: true });
        await new Promise((r) => setTimeout(r, 200));
        assert.deepEqual(await axe(page), [], `axe on ${view}`);
      }
      await page.click('#signout');
      await page.waitForSelector('#signin', { visible: true });
      assert.deepEqual(await axe(page), [], 'axe on sign-in');
      assert.deepEqual(page.problems, []);
    } finally {
      await b.close();
      await h.stop(d);
    }
  });

if (!fs.existsSync(CHROMIUM)) {
  console.log('1..0 # SKIP no chromium at ' + CHROMIUM);
} else {
  h.run();
}
