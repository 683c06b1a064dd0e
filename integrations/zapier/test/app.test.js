#!/usr/bin/env node
'use strict';
// The Zapier app, run by zapier-platform-core's own app tester against the
// real fzrelay (FZRELAY_BIN) on 127.0.0.1. Prints TAP.
//
// Nothing here may reach Zapier or any other host: the SDK's log shipping
// stays off (no LOGGING_TOKEN), its RPC (the cursor store that z.cursor uses)
// is answered by a stand-in on 127.0.0.1, and every outgoing connection is
// checked to stay on loopback.

// Before zapier-platform-core loads: it reads these at require time.
process.env.NODE_ENV = 'test'; // core's IS_TESTING: no memory log lines
delete process.env.LOGGING_TOKEN; // no token, no log stream to Zapier
delete process.env.ZAPIER_DEPLOY_KEY;

const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const h = require('../../../tests/node/harness');

// --- Every connection stays on loopback --------------------------------------
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const escaped = [];
const realConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  let opts = args[0];
  if (Array.isArray(opts)) opts = opts[0]; // net.connect's normalized form
  let host;
  if (opts && typeof opts === 'object') {
    // A pipe has a path and no port; http passes its URL path along too.
    if (opts.port != null || opts.path == null)
      host = opts.host || opts.hostname || 'localhost';
  } else if (typeof opts === 'number' || /^\d+$/.test(String(opts))) {
    host = typeof args[1] === 'string' ? args[1] : 'localhost';
  }
  if (host !== undefined && !LOOPBACK.has(String(host).replace(/^\[|\]$/g,
    ''))) {
    escaped.push(String(host));
    process.nextTick(() => this.destroy(new Error(
      `the test refused a connection to ${host}`)));
    return this;
  }
  return realConnect.apply(this, args);
};

// Plain fetch for the REST API and the client portal: the app tester wraps
// the global one with its logger on every run.
const plainFetch = globalThis.fetch;

// --- A stand-in for Zapier's RPC: only the cursor store ----------------------
function startRpc() {
  const cursors = new Map();
  const calls = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      let body = {};
      try { body = JSON.parse(raw); } catch { /* answered below */ }
      calls.push({ url: req.url, method: body.method,
        storeKey: body.storeKey, params: body.params });
      let out;
      if (body.method === 'get_cursor')
        out = { id: body.id, result: cursors.get(body.storeKey) ?? null };
      else if (body.method === 'set_cursor') {
        cursors.set(body.storeKey, body.params[0]);
        out = { id: body.id, result: null };
      } else
        out = { id: body.id, error: `stand-in has no ${body.method}` };
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, calls, cursors,
      base: `http://127.0.0.1:${server.address().port}` }));
  });
}

// --- Helpers -----------------------------------------------------------------
async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, it succeeded');
}

// z.errors.Error carries {message, code, status} as JSON in its message.
function appError(e) {
  assert.equal(e.name, 'AppError', String(e && e.stack || e));
  return JSON.parse(e.message);
}

const keysOf = (o) => Object.keys(o).sort();
const fieldKeys = (fields) => fields.map((f) => f.key).sort();

// The polling triggers and the journal type each one lists; each also has a
// REST hook variant, key + "_hook".
const EVENT_TYPES = {
  pack_sent: 'pack.sent',
  pack_viewed: 'pack.viewed',
  client_signed_off: 'client.signed_off',
};

// --- A sink on 127.0.0.1 for REST hook deliveries ----------------------------
function startSink() {
  const got = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => { raw += c; });
    req.on('end', () => {
      got.push({ method: req.method, path: req.url,
        type: req.headers['content-type'], raw });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{}');
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, got,
      base: `http://127.0.0.1:${server.address().port}` }));
  });
}

// Polls fn until it returns something truthy, for at most ms.
async function waitFor(what, fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const rpc = await startRpc();
  process.env.ZAPIER_BASE_ENDPOINT = rpc.base; // RPC goes to the stand-in
  process.env.ZAPIER_DEPLOY_KEY = 'local-stand-in';
  process.env.LOGGING_ENDPOINT = `${rpc.base}/log`; // never used: no token

  const zapier = require('zapier-platform-core');
  const schema = require('zapier-platform-schema');
  const App = require('..');
  const appTester = zapier.createAppTester(App);

  let d; // the daemon
  let agency; // tokens
  let pro;
  let free;
  let auth; // bundle.authData of the agency key
  const produced = { sent: [], viewed: [], signed: [] }; // project ids
  const clientEmail = {}; // project id -> its client's email

  async function rest(method, p, body) {
    const res = await plainFetch(`${d.base}/api/v1${p}`, {
      method,
      headers: { Authorization: `Bearer ${agency}`,
        'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json();
    assert.ok(res.ok, `${method} ${p}: ${res.status} ${JSON.stringify(json)}`);
    return json.data;
  }

  async function createAndSend(i) {
    const p = await rest('POST', '/projects', { name: `Paged ${i}`,
      clientName: 'Pat Page', clientEmail: `pat${i}@example.com`,
      projectType: 'SEO', launchDate: '2026-07-01' });
    const s = await rest('POST', `/projects/${p.id}/pack/send`,
      { personalMessage: `page ${i}` });
    return { id: p.id, share_url: s.share_url };
  }

  const poll = (key, meta = {}) => appTester(
    App.triggers[key].operation.perform,
    { authData: auth, inputData: {}, meta: { page: 0, ...meta } });

  // The portal's events as a trigger sees them once they are recorded. On
  // the embedded store the portal's answer is sent after the event is, so one
  // poll must see it; on store = http the portal is the upstream's, and the
  // event reaches this journal through its report, a moment later.
  async function pollPortal(key, n) {
    const deadline = Date.now() + 5000;
    for (;;) {
      const events = await poll(key);
      if (!d.up || events.length >= n || Date.now() > deadline) return events;
      await sleep(20);
    }
  }

  h.test('fzrelay and the local RPC stand-in start', async () => {
    d = await h.start();
    agency = h.key(d, 'agency', 'read,write');
    pro = h.key(d, 'pro', 'read,write');
    free = h.key(d, 'free', 'read,write');
    auth = { apiKey: agency, baseUrl: d.base };
    assert.match(agency, /^fz_live_/);
  });

  h.test('app definition validates offline (schema and core validate)',
    async () => {
      assert.equal(App.version, require('../package.json').version);
      assert.equal(App.platformVersion, zapier.version);
      assert.equal(App.platformVersion,
        require('zapier-platform-schema/package.json').version);
      const handler = zapier.createAppHandler(App);
      // What `zapier validate` checks locally, and the definition it pushes.
      const validate = await handler({ command: 'validate',
        calledFromCli: true });
      assert.deepEqual(validate.results, []);
      const def = (await handler({ command: 'definition',
        calledFromCli: true })).results;
      const { errors } = schema.validateAppDefinition(def);
      assert.deepEqual(errors.map((e) => `${e.property}: ${e.message}`), []);
      assert.equal(def.authentication.type, 'custom');
      assert.deepEqual(def.authentication.fields.map((f) => f.key),
        ['apiKey', 'baseUrl']);
      assert.equal(def.authentication.fields[1].default,
        'https://finalizo.com');
      assert.deepEqual(Object.keys(def.triggers).sort(),
        ['client_signed_off', 'client_signed_off_hook', 'pack_sent',
          'pack_sent_hook', 'pack_viewed', 'pack_viewed_hook']);
      for (const t of Object.values(def.triggers))
        assert.equal(t.operation.canPaginate, true, t.key);
      for (const key of Object.keys(EVENT_TYPES)) {
        const poll = def.triggers[key];
        const hook = def.triggers[`${key}_hook`];
        assert.equal(poll.operation.type, 'polling', key);
        assert.equal(hook.operation.type, 'hook', key);
        for (const m of ['perform', 'performList', 'performSubscribe',
          'performUnsubscribe'])
          assert.ok(hook.operation[m], `${hook.key}: ${m}`);
        assert.equal(hook.noun, poll.noun);
        assert.equal(hook.display.label, `${poll.display.label} (Instant)`);
        assert.match(hook.display.description, /^Triggers instantly when /);
        assert.deepEqual(hook.operation.sample, poll.operation.sample);
        assert.deepEqual(hook.operation.outputFields,
          poll.operation.outputFields);
        // Reused, not copied.
        const op = App.triggers[hook.key].operation;
        assert.equal(op.sample, App.triggers[key].operation.sample);
        assert.notEqual(op.performList, App.triggers[key].operation.perform);
      }
      assert.deepEqual(Object.keys(def.creates).sort(),
        ['create_project', 'send_pack']);
    });

  h.test('auth test and connection label pass with an agency key',
    async () => {
      const me = await appTester(App.authentication.test,
        { authData: auth });
      assert.equal(me.workspace.plan, 'agency');
      assert.deepEqual(me.key.scopes, ['read', 'write']);
      const label = await appTester(App.authentication.connectionLabel,
        { authData: auth, inputData: me });
      assert.equal(label, 'Node Test (node)');
    });

  h.test('base URL may end in / or /api/v1; a pro key passes', async () => {
    for (const baseUrl of [`${d.base}/`, `${d.base}/api/v1/`]) {
      const me = await appTester(App.authentication.test,
        { authData: { apiKey: ` ${pro}\n`, baseUrl } });
      assert.equal(me.workspace.plan, 'pro', baseUrl);
    }
    const label = await appTester(App.authentication.connectionLabel,
      { authData: { apiKey: pro, baseUrl: d.base } });
    assert.equal(label, 'Node Test (node)');
  });

  h.test('an invalid key fails with UNAUTHORIZED', async () => {
    const bad = `fz_live_${'x'.repeat(40)}`;
    for (const method of [App.authentication.test,
      App.authentication.connectionLabel]) {
      const e = appError(await rejection(appTester(method,
        { authData: { apiKey: bad, baseUrl: d.base } })));
      assert.equal(e.code, 'UNAUTHORIZED');
      assert.equal(e.status, 401);
      assert.match(e.message, /unknown API key/);
      assert.match(e.message, /X-Request-ID req_/);
      assert.ok(!e.message.includes(bad), 'the token is not echoed');
    }
  });

  h.test('a free-plan key fails with PLAN_LIMIT', async () => {
    const e = appError(await rejection(appTester(App.authentication.test,
      { authData: { apiKey: free, baseUrl: d.base } })));
    assert.equal(e.code, 'PLAN_LIMIT');
    assert.equal(e.status, 403);
  });

  h.test('create_project creates; the REST API shows the project',
    async () => {
      const out = await appTester(App.creates.create_project.operation
        .perform, { authData: auth, inputData: {
        project_name: 'Website closeout', client_name: 'Jane Smith',
        client_email: ' Jane@Example.com ', project_type: 'Web Design',
        launch_date: '2026-06-01', template_id: '' } });
      assert.match(out.id, /^project_/);
      assert.equal(out.status, 'draft');
      assert.equal(out.client_email, 'jane@example.com');
      const p = await rest('GET', `/projects/${out.id}`);
      assert.equal(p.id, out.id);
      assert.equal(p.name, 'Website closeout');
      assert.equal(p.projectType, 'Web Design');
      assert.equal(p.launchDate, '2026-06-01');
      assert.equal(p.clientId, out.client_id);
      const op = App.creates.create_project.operation;
      assert.deepEqual(keysOf(out), keysOf(op.sample));
      assert.deepEqual(keysOf(out), fieldKeys(op.outputFields));
      produced.sent.push(out.id);
      clientEmail[out.id] = out.client_email;
    });

  h.test('create_project keeps the date of an ISO date-time; names every ' +
    'bad field (VALIDATION_ERROR)', async () => {
      const ok = await appTester(App.creates.create_project.operation
        .perform, { authData: auth, inputData: {
        project_name: 'Dated', client_name: 'Jane Smith',
        client_email: 'jane@example.com', project_type: 'SEO',
        launch_date: '2026-06-01T00:00:00-05:00' } });
      assert.equal(ok.launch_date, '2026-06-01');
      const e = appError(await rejection(appTester(App.creates
        .create_project.operation.perform, { authData: auth, inputData: {
        project_name: 'X', client_name: 'Jane', client_email: 'nope',
        project_type: 'SEO', launch_date: '2026-02-30' } })));
      assert.equal(e.code, 'VALIDATION_ERROR');
      assert.equal(e.status, 400);
      assert.match(e.message, /client_email/);
      assert.match(e.message, /launch_date: must be a real date/);
    });

  h.test('send_pack sends and returns share_url', async () => {
    // A second project first, so the triggers have two of each event.
    const other = await appTester(App.creates.create_project.operation
      .perform, { authData: auth, inputData: {
      project_name: 'Brand refresh', client_name: 'Ann Lee',
      client_email: 'ann@example.com', project_type: 'Branding',
      launch_date: '2026-06-15' } });
    produced.sent.push(other.id);
    clientEmail[other.id] = other.client_email;
    const op = App.creates.send_pack.operation;
    for (const id of produced.sent) {
      const out = await appTester(op.perform, { authData: auth,
        inputData: { project_id: id, personal_message: `Ready: ${id}` } });
      assert.equal(out.id, id);
      assert.equal(out.project_id, id);
      assert.equal(out.status, 'sent');
      assert.equal(out.personal_message, `Ready: ${id}`);
      // The portal is the store's: with store = http, the upstream's.
      const portal = (d.up || d).base;
      assert.match(out.share_url,
        new RegExp(`^${portal.replace(/\./g, '\\.')}/p/[A-Za-z0-9]{32}$`));
      assert.deepEqual(keysOf(out), keysOf(op.sample));
      assert.deepEqual(keysOf(out), fieldKeys(op.outputFields));
      produced[id] = out.share_url;
    }
  });

  h.test('send_pack on an unknown project fails with NOT_FOUND', async () => {
    const e = appError(await rejection(appTester(App.creates.send_pack
      .operation.perform, { authData: auth,
      inputData: { project_id: 'project_doesnotexist0000' } })));
    assert.equal(e.code, 'NOT_FOUND');
    assert.equal(e.status, 404);
  });

  // Checks one trigger's answer against the projects, newest first, and its
  // sample and outputFields against the daemon's real objects.
  function checkEvents(key, events, type, projects) {
    assert.equal(events.length, projects.length, JSON.stringify(events));
    assert.deepEqual(events.map((e) => e.project_id),
      [...projects].reverse());
    const op = App.triggers[key].operation;
    for (const e of events) {
      assert.match(e.id, /^evt_/);
      assert.equal(e.type, type);
      assert.deepEqual(keysOf(e), keysOf(op.sample));
      assert.deepEqual(keysOf(e), fieldKeys(op.outputFields));
    }
    const times = events.map((e) => e.occurred_at);
    assert.deepEqual(times, [...times].sort().reverse());
  }

  h.test('pack_sent returns the sends newest first', async () => {
    const events = await poll('pack_sent');
    checkEvents('pack_sent', events, 'pack.sent', produced.sent);
    assert.equal(events[0].share_url, produced[produced.sent[1]]);
    assert.equal(events[1].personal_message, `Ready: ${produced.sent[0]}`);
  });

  h.test('pack_viewed returns the portal views newest first', async () => {
    // Fetching a link (a mail scanner, a chat unfurler) is no view.
    for (const id of produced.sent) {
      for (const method of ['GET', 'HEAD']) {
        const res = await plainFetch(produced[id], { method });
        assert.equal(res.status, 200);
        await res.arrayBuffer();
      }
    }
    assert.deepEqual(await poll('pack_viewed'), []);
    // The page reports a person.
    for (const id of produced.sent) {
      const res = await plainFetch(`${produced[id]}/view`, { method: 'POST' });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      produced.viewed.push(id);
    }
    // A second view records nothing.
    await (await plainFetch(`${produced[produced.sent[0]]}/view`,
      { method: 'POST' })).arrayBuffer();
    const events = await pollPortal('pack_viewed', produced.viewed.length);
    checkEvents('pack_viewed', events, 'pack.viewed', produced.viewed);
    assert.ok(events[0].viewed_at);
  });

  h.test('client_signed_off returns the sign-offs newest first', async () => {
    assert.deepEqual(await poll('client_signed_off'), []);
    for (const id of produced.sent) {
      const res = await plainFetch(`${produced[id]}/signoff`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Jane Smith', email: clientEmail[id],
          comment: `ok ${id}` }) });
      assert.equal(res.status, 201, await res.text());
      produced.signed.push(id);
    }
    const events = await pollPortal('client_signed_off',
      produced.signed.length);
    checkEvents('client_signed_off', events, 'client.signed_off',
      produced.signed);
    assert.equal(events[0].signed_by_name, 'Jane Smith');
    assert.equal(events[0].signed_by_email,
      clientEmail[produced.signed[1]]);
    assert.equal(events[0].comment, `ok ${produced.signed[1]}`);
  });

  h.test('event ids are stable across two polls', async () => {
    for (const key of ['pack_sent', 'pack_viewed', 'client_signed_off']) {
      const a = await poll(key);
      const b = await poll(key);
      assert.equal(a.length, 2, key);
      assert.deepEqual(b, a, key);
      assert.equal(new Set(a.map((e) => e.id)).size, a.length, key);
    }
  });

  h.test('cursor paging (z.cursor, X-Next-Cursor) returns every event once',
    async () => {
      for (let i = 0; i < 5; i++)
        produced.sent.push((await createAndSend(i)).id);
      const all = await poll('pack_sent', { limit: 100 });
      assert.equal(all.length, 7);
      checkEvents('pack_sent', all, 'pack.sent', produced.sent);
      rpc.calls.length = 0;
      const pages = [];
      for (let page = 0; page < 10; page++) {
        const got = await poll('pack_sent', { page, limit: 2 });
        if (got.length === 0) break;
        pages.push(got);
      }
      assert.deepEqual(pages.map((p) => p.length), [2, 2, 2, 1]);
      assert.deepEqual(pages.flat().map((e) => e.id), all.map((e) => e.id));
      // The cursor went through Zapier's store, one key for the run.
      const sets = rpc.calls.filter((c) => c.method === 'set_cursor');
      const gets = rpc.calls.filter((c) => c.method === 'get_cursor');
      assert.equal(sets.length, 4);
      assert.equal(gets.length, 4);
      assert.equal(new Set(rpc.calls.map((c) => c.storeKey)).size, 1);
      assert.equal(sets[3].params[0], '', 'last page ends the run');
      assert.ok(rpc.calls.every((c) => c.url === '/platform/rpc/cli'));
    });

  h.test('a forged cursor is refused with VALIDATION_ERROR', async () => {
    const key = [...rpc.cursors.keys()][0];
    rpc.cursors.set(key, 'forged');
    const e = appError(await rejection(poll('pack_sent', { page: 1 })));
    assert.equal(e.code, 'VALIDATION_ERROR');
    assert.match(e.message, /cursor/);
  });

  h.test('429 becomes ThrottledError honouring Retry-After', async () => {
    const slow = await h.start(['--rate_limit_per_minute', '1']);
    try {
      const authData = { apiKey: h.key(slow, 'pro', 'read'),
        baseUrl: slow.base };
      await appTester(App.authentication.test, { authData });
      const e = await rejection(appTester(App.authentication.test,
        { authData }));
      assert.equal(e.name, 'ThrottledError', String(e && e.stack || e));
      const info = JSON.parse(e.message);
      assert.match(info.message, /^RATE_LIMITED: /);
      assert.ok(Number.isInteger(info.delay) && info.delay > 0,
        JSON.stringify(info));
    } finally {
      await h.stop(slow);
    }
  });

  // --- REST hook triggers ----------------------------------------------------
  // A second daemon, allowed to deliver to loopback (--allow-private-targets)
  // so that its hooks reach the sink; the first keeps the events the polling
  // tests counted. SAFETY: the only target ever registered is the sink on
  // 127.0.0.1 (target() refuses anything else).
  let hd; // the hook daemon
  let hauth; // bundle.authData of its agency key
  let sink;
  const subs = {}; // trigger key -> bundle.subscribeData

  const target = (name) => {
    const url = new URL(`/${name}`, sink.base);
    assert.equal(url.hostname, '127.0.0.1', 'hook targets stay on loopback');
    return url.href;
  };
  const received = (name) => sink.got.filter((r) => r.path === `/${name}`);
  const hookOp = (key) => App.triggers[`${key}_hook`].operation;
  const subscribe = (key, name, authData = hauth) => appTester(
    hookOp(key).performSubscribe,
    { authData, inputData: {}, targetUrl: target(name), meta: {} });
  const unsubscribe = (key, subscribeData, authData = hauth) => appTester(
    hookOp(key).performUnsubscribe,
    { authData, inputData: {}, subscribeData, meta: {} });
  const hookDelete = (id) => plainFetch(
    `${hd.base}/api/v1/zapier/hooks/${id}`, { method: 'DELETE',
      headers: { Authorization: `Bearer ${hauth.apiKey}` } });

  // A new project's pack sent through the app's actions: one pack.sent.
  async function sendNewPack(name) {
    const p = await appTester(App.creates.create_project.operation.perform,
      { authData: hauth, inputData: { project_name: name,
        client_name: 'Hana Hook', client_email: 'hana@example.com',
        project_type: 'SEO', launch_date: '2026-08-01' } });
    return appTester(App.creates.send_pack.operation.perform,
      { authData: hauth, inputData: { project_id: p.id } });
  }

  h.test('REST hooks: a daemon that may deliver to 127.0.0.1, a sink there',
    async () => {
      hd = await h.start(['--allow-private-targets']);
      hauth = { apiKey: h.key(hd, 'agency', 'read,write'), baseUrl: hd.base };
      sink = await startSink();
      assert.match(sink.base, /^http:\/\/127\.0\.0\.1:\d+$/);
    });

  h.test('performSubscribe subscribes each hook trigger to its event',
    async () => {
      for (const [key, type] of Object.entries(EVENT_TYPES)) {
        // Before any event, performList (the polling endpoint) is empty.
        assert.deepEqual(await appTester(hookOp(key).performList,
          { authData: hauth, inputData: {}, meta: { page: 0 } }), []);
        const sub = await subscribe(key, key);
        assert.deepEqual(keysOf(sub), ['event', 'id', 'target_url']);
        assert.match(sub.id, /^hook_[A-Za-z0-9]+$/);
        assert.equal(sub.event, type);
        assert.equal(sub.target_url, target(key));
        subs[key] = sub;
      }
      assert.equal(new Set(Object.values(subs).map((s) => s.id)).size, 3);
    });

  h.test('subscribing needs pro or agency and the write scope', async () => {
    const pro = { apiKey: h.key(hd, 'pro', 'read,write'), baseUrl: hd.base };
    const sub = await subscribe('pack_viewed', 'pro', pro);
    assert.match(sub.id, /^hook_/);
    assert.deepEqual(await unsubscribe('pack_viewed', sub, pro),
      { id: sub.id, deleted: true });
    for (const [plan, scopes, code] of [['pro', 'read', 'FORBIDDEN'],
      ['free', 'read,write', 'PLAN_LIMIT']]) {
      const e = appError(await rejection(subscribe('pack_sent', 'refused',
        { apiKey: h.key(hd, plan, scopes), baseUrl: hd.base })));
      assert.equal(e.code, code, `${plan} ${scopes}`);
      assert.equal(e.status, 403);
    }
    // Nothing to unsubscribe without the subscription's id.
    const e = appError(await rejection(unsubscribe('pack_sent', {})));
    assert.equal(e.code, 'MISSING_SUBSCRIPTION');
  });

  // Each event: produced for real, POSTed by fzrelay to the sink, then fed to
  // perform as Zapier would (bundle.cleanedRequest).
  const produce = {
    pack_sent: async () => { produced.hookSend = await sendNewPack('Hooked'); },
    pack_viewed: async () => {
      const res = await plainFetch(`${produced.hookSend.share_url}/view`,
        { method: 'POST' });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
    },
    client_signed_off: async () => {
      const res = await plainFetch(`${produced.hookSend.share_url}/signoff`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Hana Hook', email: 'hana@example.com',
          comment: 'hooked' }) });
      assert.equal(res.status, 201, await res.text());
    },
  };
  for (const [key, type] of Object.entries(EVENT_TYPES)) {
    h.test(`${key}_hook: fzrelay POSTs the event; perform returns it; ` +
      'performList polls', async () => {
      await produce[key]();
      const [hit] = await waitFor(`${key} at the sink`,
        () => received(key).length && received(key));
      assert.equal(received(key).length, 1);
      assert.equal(hit.method, 'POST');
      assert.match(hit.type, /^application\/json/);
      const body = JSON.parse(hit.raw);
      assert.match(body.id, /^evt_/);
      assert.equal(body.type, type);
      assert.equal(body.project_id, produced.hookSend.id);
      const op = hookOp(key);
      const out = await appTester(op.perform, { authData: hauth,
        inputData: {}, cleanedRequest: body, meta: {} });
      assert.deepEqual(out, [body]);
      assert.deepEqual(keysOf(out[0]), keysOf(op.sample));
      assert.deepEqual(keysOf(out[0]), fieldKeys(op.outputFields));
      // performList: the polling trigger's list, where the same flat object
      // is the newest event.
      const list = await appTester(op.performList, { authData: hauth,
        inputData: {}, meta: { page: 0 } });
      assert.equal(list.length, 1);
      assert.deepEqual(list[0], body);
    });
  }

  h.test('performUnsubscribe deletes: a second DELETE is 404, unsubscribing ' +
    'again succeeds, later events are not delivered', async () => {
      // A second pack_sent hook shows when the next event has gone out.
      const control = await subscribe('pack_sent', 'control');
      const sub = subs.pack_sent;
      assert.deepEqual(await unsubscribe('pack_sent', sub),
        { id: sub.id, deleted: true });
      const res = await hookDelete(sub.id);
      assert.equal(res.status, 404);
      assert.equal((await res.json()).error.code, 'NOT_FOUND');
      // Already gone (as after a 410): nothing to undo, not an error.
      assert.deepEqual(await unsubscribe('pack_sent', sub),
        { id: sub.id, deleted: false });

      const sent = await sendNewPack('After unsubscribe');
      const [hit] = await waitFor('the control hook',
        () => received('control').length && received('control'));
      assert.equal(JSON.parse(hit.raw).project_id, sent.id);
      await sleep(300); // more than the delivery worker's 250 ms scan
      assert.equal(received('pack_sent').length, 1, 'only the first event');
      const polled = await appTester(hookOp('pack_sent').performList,
        { authData: hauth, inputData: {}, meta: { page: 0 } });
      assert.equal(polled.length, 2, 'the event itself was recorded');

      for (const [key, s] of [['pack_sent', control],
        ['pack_viewed', subs.pack_viewed],
        ['client_signed_off', subs.client_signed_off]]) {
        assert.deepEqual(await unsubscribe(key, s), { id: s.id,
          deleted: true });
        assert.equal((await hookDelete(s.id)).status, 404);
      }
      assert.ok(sink.got.every((r) => r.method === 'POST'));
      assert.deepEqual([...new Set(sink.got.map((r) => r.path))].sort(),
        ['/client_signed_off', '/control', '/pack_sent', '/pack_viewed']);
      assert.equal(await h.stop(hd), 0);
      await new Promise((r) => sink.server.close(r));
    });

  h.test('nothing left 127.0.0.1; fzrelay stops cleanly', async () => {
    assert.deepEqual(escaped, []);
    assert.ok(rpc.calls.every((c) => c.method === 'get_cursor' ||
      c.method === 'set_cursor'), JSON.stringify(rpc.calls));
    assert.equal(await h.stop(d), 0);
    await new Promise((r) => rpc.server.close(r));
  });

  await h.run();
  if (d && d.child.exitCode === null) await h.stop(d);
  if (hd && hd.child.exitCode === null) await h.stop(hd);
  if (sink) sink.server.close();
  rpc.server.close();
}

main().catch((e) => {
  console.log('Bail out! ' + String(e && e.message || e).split('\n')[0]);
  process.exitCode = 1;
});
