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

// Zapier's published review checks that can be judged from the definition
// alone, as a list of problems (empty when the app passes). Dynamic input
// fields (functions, serialized in def) are taken from the app and run with
// and without the field that alters them.
const ACTION_TYPES = ['triggers', 'searches', 'creates'];
const DESCRIPTION_START = {
  triggers: /^Triggers (instantly )?when /,
  searches: /^Finds /,
  creates: /^[A-Z][a-z]+s /,
};

function inputFieldsOf(def, app, type, key) {
  const fields = [];
  (def[type][key].operation.inputFields || []).forEach((f, i) => {
    if (f && typeof f === 'object') {
      fields.push(f);
      return;
    }
    const fn = app[type][key].operation.inputFields[i];
    for (const inputData of [{}, { client_id: 'client_x' }])
      for (const g of fn({}, { inputData }))
        if (!fields.some((h) => h.key === g.key)) fields.push(g);
  });
  return fields;
}

function reviewProblems(def, app) {
  const problems = [];
  const searchForNoun = (noun) => Object.values(def.searches)
    .find((s) => s.noun.toLowerCase() === noun);
  for (const type of ACTION_TYPES) {
    for (const [key, action] of Object.entries(def[type] || {})) {
      const at = (text) => problems.push(`${type}.${key}: ${text}`);
      const op = action.operation;
      if (!action.display.hidden) {
        if (!DESCRIPTION_START[type].test(action.display.description || ''))
          at('description does not start as Zapier asks');
        if (type === 'searches' && !/^Find /.test(action.display.label))
          at('a search label starts with "Find"');
        if (!op.sample || !Object.keys(op.sample).length) at('no sample');
      }
      // Output: each value once, each labelled, the sample described.
      const out = op.outputFields || [];
      const labels = new Map();
      for (const f of out) {
        if (!f.label) at(`output ${f.key} has no label`);
        const norm = String(f.label || '').replace(/\s*\(.*\)\s*$/, '')
          .toLowerCase();
        if (labels.has(norm)) at(`output label "${labels.get(norm)}" twice`);
        else labels.set(norm, f.label);
      }
      if (new Set(out.map((f) => f.key)).size !== out.length)
        at('an output key twice');
      const sample = op.sample || {};
      for (const k of Object.keys(sample)) {
        if (out.length && !out.some((f) => f.key === k))
          at(`sample key ${k} has no output field`);
        for (const other of Object.keys(sample))
          if (k.endsWith(`_${other}`) && sample[k] === sample[other])
            at(`output ${k} repeats ${other}`);
      }
      // Input: labelled, helped, ids picked from dropdowns, dates as dates.
      for (const f of inputFieldsOf(def, app, type, key)) {
        if (!f.label) at(`input ${f.key} has no label`);
        if (!f.helpText || f.helpText.length < 20)
          at(`input ${f.key} has no help text`);
        if (/_date$/.test(f.key) && f.type !== 'datetime')
          at(`input ${f.key} is a date but not a datetime field`);
        const idOf = /^(.+)_id$/.exec(f.key);
        if (!idOf) continue;
        if (!f.dynamic) at(`input ${f.key} is an id without a dropdown`);
        else {
          const [trigger, value, labelKeys] = f.dynamic.split('.');
          const t = def.triggers[trigger];
          const keys = t ? (t.operation.outputFields || [])
            .map((o) => o.key) : [];
          if (!t || !t.display.hidden)
            at(`input ${f.key}: ${trigger} is not a hidden trigger`);
          for (const k of [value, ...(labelKeys || '').split(',')]
            .filter(Boolean))
            if (!keys.includes(k))
              at(`input ${f.key}: ${trigger} has no ${k}`);
        }
        const s = searchForNoun(idOf[1]);
        if (s && !f.search) at(`input ${f.key} has no search fallback`);
        if (f.search) {
          const [skey, field] = f.search.split('.');
          const found = def.searches[skey];
          if (!found || !found.operation.outputFields
            .some((o) => o.key === field))
            at(`input ${f.key}: search ${f.search} does not exist`);
        }
      }
    }
  }
  for (const f of def.authentication.fields)
    if (!f.helpText || f.helpText.length < 20)
      problems.push(`authentication: field ${f.key} has no help text`);
  for (const [key, soc] of Object.entries(def.searchOrCreates || {})) {
    if (!soc.display.label || !soc.display.description)
      problems.push(`searchOrCreates.${key}: no label or description`);
    if (def.searches[soc.search].noun !== def.creates[soc.create].noun)
      problems.push(`searchOrCreates.${key}: search and create differ`);
  }
  return problems.sort();
}

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

  // What `zapier validate` checks locally (core's validate command), then
  // the definition it pushes.
  async function definition() {
    const handler = zapier.createAppHandler(App);
    const validate = await handler({ command: 'validate',
      calledFromCli: true });
    assert.deepEqual(validate.results, []);
    return (await handler({ command: 'definition', calledFromCli: true }))
      .results;
  }

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
      const pkg = require('../package.json');
      assert.equal(App.version, pkg.version);
      assert.notEqual(pkg.version, '1.0.0', 'a new release, a new version');
      // Wherever else the app declares its version: the lock file.
      const lock = require('../package-lock.json');
      assert.equal(lock.version, pkg.version);
      assert.equal(lock.packages[''].version, pkg.version);
      assert.equal(App.platformVersion, zapier.version);
      assert.equal(App.platformVersion,
        require('zapier-platform-schema/package.json').version);
      const def = await definition();
      // The schema check `zapier validate` runs on the definition it
      // pushes (functions serialized): any error fails.
      const { errors } = schema.validateAppDefinition(def);
      assert.deepEqual(errors.map((e) => `${e.property}: ${e.message}`), []);
      assert.equal(def.authentication.type, 'custom');
      assert.deepEqual(def.authentication.fields.map((f) => f.key),
        ['apiKey', 'baseUrl']);
      assert.equal(def.authentication.fields[1].default,
        'https://finalizo.com');
      assert.deepEqual(Object.keys(def.triggers).sort(),
        ['client_signed_off', 'client_signed_off_hook', 'list_clients',
          'list_projects', 'list_templates', 'pack_sent', 'pack_sent_hook',
          'pack_viewed', 'pack_viewed_hook']);
      for (const t of Object.values(def.triggers))
        assert.equal(t.operation.canPaginate, true, t.key);
      assert.deepEqual(Object.keys(def.creates).sort(),
        ['create_client', 'create_project', 'send_pack']);
      assert.deepEqual(Object.keys(def.searches).sort(),
        ['find_client', 'find_project']);
      assert.deepEqual(Object.values(def.searchOrCreates).map((s) =>
        [s.key, s.search, s.create]).sort(),
      [['find_client', 'find_client', 'create_client'],
        ['find_project', 'find_project', 'create_project']]);
    });

  h.test('one visible trigger per event: the instant one; the polling keys ' +
    'stay, hidden', async () => {
      const def = await definition();
      const visible = Object.values(def.triggers)
        .filter((t) => !t.display.hidden).map((t) => t.key);
      assert.deepEqual(visible, ['pack_sent_hook', 'pack_viewed_hook',
        'client_signed_off_hook']);
      for (const key of Object.keys(EVENT_TYPES)) {
        const poll = def.triggers[key];
        const hook = def.triggers[`${key}_hook`];
        assert.equal(poll.operation.type, 'polling', key);
        assert.equal(poll.display.hidden, true, key);
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
      for (const key of ['list_projects', 'list_clients', 'list_templates'])
        assert.equal(def.triggers[key].display.hidden, true, key);
    });

  h.test('Zapier\'s review checks: help text, dropdowns for ids, labels, ' +
    'samples that match their output fields', async () => {
      const def = await definition();
      const problems = reviewProblems(def, App);
      assert.deepEqual(problems, []);
      // The connection names the page where keys are made.
      const help = def.authentication.fields[0].helpText;
      assert.match(help, /Settings → Security/);
      assert.match(help, /\/console/);
      // The checker itself catches what it is meant to: the app as it was.
      const bad = JSON.parse(JSON.stringify(def));
      const sendOp = bad.creates.send_pack.operation;
      sendOp.inputFields[0] = { key: 'project_id', label: 'Project ID',
        required: true };
      sendOp.outputFields.push({ key: 'project_id',
        label: 'Project ID (again)' });
      sendOp.sample.project_id = sendOp.sample.id;
      const createOp = bad.creates.create_project.operation;
      createOp.inputFields[0].helpText = undefined;
      createOp.outputFields.push({ key: 'name', label: 'Name' });
      createOp.sample.name = createOp.sample.project_name;
      assert.deepEqual(reviewProblems(bad, App), [
        'creates.create_project: input project_name has no help text',
        'creates.create_project: output project_name repeats name',
        'creates.send_pack: input project_id has no help text',
        'creates.send_pack: input project_id has no search fallback',
        'creates.send_pack: input project_id is an id without a dropdown',
        'creates.send_pack: output label "Project ID" twice',
        'creates.send_pack: output project_id repeats id',
      ]);
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

  // A refused key is ExpiredAuthError: Zapier marks the connection expired
  // and asks the user to reconnect.
  function expired(e, token) {
    assert.equal(e.name, 'ExpiredAuthError', String(e && e.stack || e));
    assert.match(e.message, /^UNAUTHORIZED: /);
    assert.match(e.message, /Reconnect Finalizo with a valid API key /);
    assert.match(e.message, /Settings → Security/);
    assert.match(e.message, /X-Request-ID req_/);
    assert.ok(!e.message.includes(token), 'the token is not echoed');
    return e;
  }

  h.test('an unknown key fails with ExpiredAuthError (UNAUTHORIZED)',
    async () => {
      const bad = `fz_live_${'x'.repeat(40)}`;
      for (const method of [App.authentication.test,
        App.authentication.connectionLabel]) {
        const e = expired(await rejection(appTester(method,
          { authData: { apiKey: bad, baseUrl: d.base } })), bad);
        assert.match(e.message, /unknown API key/);
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
      assert.equal(out.project_name, 'Website closeout');
      assert.equal(out.status, 'draft');
      assert.equal(out.client_email, 'jane@example.com');
      assert.equal(out.client_name, 'Jane Smith');
      // Each value once: no `name` beside `project_name`.
      assert.ok(!('name' in out), JSON.stringify(out));
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
      // Each value once: no `project_id` beside `id`.
      assert.ok(!('project_id' in out), JSON.stringify(out));
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

  // --- Dropdowns, searches and Create Client ---------------------------------
  // A workspace of their own on the same daemon (pro: the Zapier plan), so
  // the event counts above stay as they are.
  let sauth; // bundle.authData of its read,write key
  const made = {}; // name -> the app's output

  const run = (op, inputData, meta, authData = sauth) => appTester(op,
    { authData, inputData, meta: { page: 0, ...meta } });
  const listOf = (key, meta, authData) => run(
    App.triggers[key].operation.perform, {}, meta, authData);
  const create = (key, inputData, authData) => run(
    App.creates[key].operation.perform, inputData, {}, authData);
  const find = (key, inputData, authData) => run(
    App.searches[key].operation.perform, inputData, {}, authData);

  // Each answer's keys are exactly those its operation declares.
  function declared(type, key, objects) {
    const op = App[type][key].operation;
    for (const o of objects) {
      assert.deepEqual(keysOf(o), fieldKeys(op.outputFields),
        `${key}: ${JSON.stringify(o)}`);
      assert.deepEqual(keysOf(o), keysOf(op.sample), key);
    }
  }

  h.test('dropdown lists: empty for a new workspace; templates are the ' +
    'built-in types that Create Project offers', async () => {
      sauth = { apiKey: h.key(d, 'pro', 'read,write'), baseUrl: d.base };
      assert.deepEqual(await listOf('list_projects'), []);
      assert.deepEqual(await listOf('list_clients'), []);
      const templates = await listOf('list_templates');
      declared('triggers', 'list_templates', templates);
      for (const t of templates) assert.match(t.id, /^tpl_/);
      const field = App.creates.create_project.operation.inputFields
        .find((f) => f.key === 'project_type');
      assert.deepEqual(templates.map((t) => t.project_type).sort(),
        [...field.choices].sort());
      made.templates = templates;
    });

  h.test('create_project: first and last name, a custom project type, a ' +
    'template from the dropdown, a date from a datetime field', async () => {
      const seo = made.templates.find((t) => t.project_type === 'SEO');
      const out = await create('create_project', {
        project_name: 'Alpha Website', client_first_name: 'Jane',
        client_last_name: 'Doe', client_email: 'Jane.Doe@Example.com',
        project_type: 'Copywriting', template_id: seo.id,
        launch_date: '2026-09-01T00:00:00+02:00' });
      assert.match(out.id, /^project_/);
      assert.equal(out.project_name, 'Alpha Website');
      assert.equal(out.client_name, 'Jane Doe');
      assert.equal(out.client_email, 'jane.doe@example.com');
      assert.equal(out.project_type, 'Copywriting');
      assert.equal(out.template_id, seo.id);
      assert.equal(out.launch_date, '2026-09-01');
      declared('creates', 'create_project', [out]);
      made.alpha = out;
      // A full name wins over first and last name.
      const both = await create('create_project', {
        project_name: 'Omega Copy', client_name: 'Omar Ortiz',
        client_first_name: 'O.', client_last_name: 'O.',
        client_email: 'omar@example.com', project_type: 'Branding',
        launch_date: '2026-11-01' });
      assert.equal(both.client_name, 'Omar Ortiz');
      made.omega = both;
    });

  h.test('create_project asks for a new client\'s fields only while no ' +
    'client is picked', async () => {
      const fields = App.creates.create_project.operation.inputFields;
      const keys = async (inputData) => (await appTester(fields,
        { authData: sauth, inputData })).map((f) => f.key);
      const fresh = ['client_email', 'client_first_name', 'client_last_name',
        'client_name'];
      const all = await keys({});
      assert.deepEqual(all, ['project_name', 'client_id', ...fresh,
        'project_type', 'launch_date', 'template_id']);
      const picked = await keys({ client_id: 'client_5hG7jK2lM9nP4qR8sT1v' });
      assert.deepEqual(picked, all.filter((k) => !fresh.includes(k)));
      const clientField = fields.find((f) => f.key === 'client_id');
      assert.equal(clientField.altersDynamicFields, true);
      const typeField = fields.find((f) => f.key === 'project_type');
      assert.ok(!typeField.altersDynamicFields);
      assert.equal(fields.find((f) => f.key === 'launch_date').type,
        'datetime');
    });

  h.test('list_clients and list_projects fill the dropdowns newest first; ' +
    'the ids picked there work in Create Project and Send Pack', async () => {
      const clients = await listOf('list_clients');
      declared('triggers', 'list_clients', clients);
      assert.deepEqual(clients.map((c) => c.name), ['Omar Ortiz',
        'Jane Doe']);
      const jane = clients[1];
      assert.equal(jane.id, made.alpha.client_id);
      assert.equal(jane.email, 'jane.doe@example.com');
      // The Client dropdown's pick: no name or email needed.
      const beta = await create('create_project', { project_name: 'Beta SEO',
        client_id: jane.id, project_type: 'SEO',
        launch_date: '2026-10-01' });
      assert.equal(beta.client_id, jane.id);
      assert.equal(beta.client_name, 'Jane Doe');
      made.beta = beta;

      const projects = await listOf('list_projects');
      declared('triggers', 'list_projects', projects);
      assert.deepEqual(projects.map((p) => p.name), ['Beta SEO',
        'Omega Copy', 'Alpha Website']);
      assert.equal(projects[0].client_email, 'jane.doe@example.com');
      assert.equal(projects[0].status, 'draft');
      // What each dropdown shows is in what its list answers.
      for (const [type, key] of [['creates', 'send_pack'],
        ['creates', 'create_project']])
        for (const f of App[type][key].operation.inputFields) {
          if (!f.dynamic) continue;
          const [trigger, value, labels] = f.dynamic.split('.');
          const items = await listOf(trigger);
          assert.ok(items.length, trigger);
          for (const item of items)
            for (const k of [value, ...labels.split(',')])
              assert.ok(item[k], `${trigger}: ${k} in ${JSON.stringify(item)}`);
        }
      // Send Pack with the project picked from the dropdown.
      const sent = await create('send_pack', { project_id: projects[2].id,
        personal_message: 'Picked from the list' });
      assert.equal(sent.id, made.alpha.id);
      assert.equal(sent.status, 'sent');
      declared('creates', 'send_pack', [sent]);
    });

  h.test('dropdowns page on: Load more continues from the cursor',
    async () => {
      const pages = [];
      for (let page = 0; page < 5; page++) {
        const got = await listOf('list_projects', { page, limit: 2 });
        if (!got.length) break;
        pages.push(got.map((p) => p.name));
      }
      assert.deepEqual(pages, [['Beta SEO', 'Omega Copy'],
        ['Alpha Website']]);
    });

  h.test('find_project finds by part of the name or by client email, ' +
    'newest first; nothing found is an empty list', async () => {
      const names = async (inputData) => {
        const found = await find('find_project', inputData);
        declared('searches', 'find_project', found);
        for (const p of found) assert.ok(!('name' in p));
        return found.map((p) => p.project_name);
      };
      assert.deepEqual(await names({ project_name: 'WEBSITE' }),
        ['Alpha Website']);
      assert.deepEqual(await names({ project_name: 'e' }),
        ['Beta SEO', 'Omega Copy', 'Alpha Website']);
      assert.deepEqual(await names({ client_email: ' Jane.DOE@example.com' }),
        ['Beta SEO', 'Alpha Website']);
      assert.deepEqual(await names({ project_name: 'alpha',
        client_email: 'jane.doe@example.com' }), ['Alpha Website']);
      assert.deepEqual(await names({ project_name: 'beta',
        client_email: 'omar@example.com' }), []);
      assert.deepEqual(await names({ project_name: 'no such project' }), []);
      assert.deepEqual(await names({ client_email: 'nobody@example.com' }),
        []);
      const [found] = await find('find_project',
        { project_name: 'Alpha Website' });
      assert.equal(found.id, made.alpha.id);
      assert.equal(found.status, 'sent');
      assert.equal(found.client_id, made.alpha.client_id);
      // Neither field, or an email that is not one: the API names it.
      let e = appError(await rejection(find('find_project', {})));
      assert.equal(e.code, 'VALIDATION_ERROR');
      assert.equal(e.status, 400);
      e = appError(await rejection(find('find_project',
        { client_email: 'not-an-email' })));
      assert.equal(e.code, 'VALIDATION_ERROR');
      assert.match(e.message, /client_email/);
    });

  h.test('find_client finds by email; create_client creates, or answers ' +
    'the client that has the email', async () => {
      const [omar, ...rest] = await find('find_client',
        { client_email: ' OMAR@Example.com ' });
      assert.deepEqual(rest, []);
      declared('searches', 'find_client', [omar]);
      assert.equal(omar.id, made.omega.client_id);
      assert.equal(omar.name, 'Omar Ortiz');
      assert.equal(omar.email, 'omar@example.com');
      assert.deepEqual(await find('find_client',
        { client_email: 'omar+x@example.com' }), []);
      const e = appError(await rejection(find('find_client',
        { client_email: 'not-an-email' })));
      assert.equal(e.code, 'VALIDATION_ERROR');
      assert.match(e.message, /email/);

      const ruth = await create('create_client', { first_name: 'Ruth',
        last_name: 'Rivera', client_email: 'Ruth@Example.com' });
      declared('creates', 'create_client', [ruth]);
      assert.match(ruth.id, /^client_/);
      assert.equal(ruth.name, 'Ruth Rivera');
      assert.equal(ruth.email, 'ruth@example.com');
      // The same email again: the same client, as it was.
      const again = await create('create_client', { client_name: 'R. R.',
        client_email: ' ruth@example.com' });
      assert.deepEqual(again, ruth);
      assert.deepEqual(await find('find_client',
        { client_email: 'ruth@example.com' }), [ruth]);
      const acme = await create('create_client', { client_name: 'Acme Ltd',
        first_name: 'Ignored', client_email: 'hello@acme.example' });
      assert.equal(acme.name, 'Acme Ltd');
      assert.deepEqual((await listOf('list_clients')).map((c) => c.name),
        ['Acme Ltd', 'Ruth Rivera', 'Omar Ortiz', 'Jane Doe']);
      const bad = appError(await rejection(create('create_client',
        { client_email: 'nobody@example.com' })));
      assert.equal(bad.code, 'VALIDATION_ERROR');
    });

  h.test('find or create: the search finds nothing, the create makes it, ' +
    'the search then finds it', async () => {
      // What Zapier does for "Find or Create Project".
      const soc = App.searchOrCreates.find_project;
      const input = { project_name: 'Delta Launch',
        client_email: 'dana@example.com' };
      assert.deepEqual(await find(soc.search, input), []);
      const made1 = await create(soc.create, { ...input,
        client_name: 'Dana Dale', project_type: 'Web Design',
        launch_date: '2026-12-01' });
      const [found] = await find(soc.search, input);
      assert.deepEqual(found, made1);
      // And for "Find or Create Client".
      const csoc = App.searchOrCreates.find_client;
      const cin = { client_email: 'eve@example.com' };
      assert.deepEqual(await find(csoc.search, cin), []);
      const eve = await create(csoc.create, { ...cin, first_name: 'Eve',
        last_name: 'Evans' });
      assert.deepEqual(await find(csoc.search, cin), [eve]);
    });

  h.test('lists and searches need pro (PLAN_LIMIT), Create Client needs ' +
    'write (FORBIDDEN)', async () => {
      const free = { apiKey: h.key(d, 'free', 'read,write'),
        baseUrl: d.base };
      for (const call of [() => listOf('list_projects', {}, free),
        () => run(App.triggers.list_clients.operation.perform, {}, {}, free),
        () => find('find_client', { client_email: 'a@example.com' }, free),
        () => create('create_client', { client_name: 'A',
          client_email: 'a@example.com' }, free)]) {
        const e = appError(await rejection(call()));
        assert.equal(e.code, 'PLAN_LIMIT');
        assert.equal(e.status, 403);
      }
      const reader = { apiKey: h.key(d, 'pro', 'read'), baseUrl: d.base };
      assert.deepEqual(await run(App.triggers.list_projects.operation.perform,
        {}, {}, reader), []);
      assert.deepEqual(await find('find_project', { project_name: 'x' },
        reader), []);
      const e = appError(await rejection(create('create_client',
        { client_name: 'A', client_email: 'a@example.com' }, reader)));
      assert.equal(e.code, 'FORBIDDEN');
    });

  h.test('a revoked key marks the connection expired on every call',
    async () => {
      // A key made and revoked over the keys API, as the console does.
      const admin = h.key(d, 'pro', 'admin');
      const keys = async (method, p, body) => {
        const res = await plainFetch(`${d.base}/api/v1${p}`, { method,
          headers: { Authorization: `Bearer ${admin}`,
            'Content-Type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body) });
        const json = await res.json();
        assert.ok(res.ok, `${method} ${p}: ${res.status} ${
          JSON.stringify(json)}`);
        return json.data;
      };
      const key = await keys('POST', '/keys', { name: 'zapier',
        scopes: ['read', 'write'] });
      assert.match(key.token, /^fz_live_/);
      const authData = { apiKey: key.token, baseUrl: d.base };
      await appTester(App.authentication.test, { authData });
      const p = await create('create_project', { project_name: 'Revoked',
        client_name: 'Rex Roe', client_email: 'rex@example.com',
        project_type: 'SEO', launch_date: '2026-06-01' }, authData);
      await keys('DELETE', `/keys/${key.id}`);
      const calls = {
        'authentication.test': () => appTester(App.authentication.test,
          { authData }),
        list_projects: () => listOf('list_projects', {}, authData),
        find_project: () => find('find_project', { project_name: 'Revoked' },
          authData),
        find_client: () => find('find_client',
          { client_email: 'rex@example.com' }, authData),
        create_client: () => create('create_client', { client_name: 'Rex',
          client_email: 'rex@example.com' }, authData),
        send_pack: () => create('send_pack', { project_id: p.id }, authData),
        pack_sent_hook: () => run(App.triggers.pack_sent_hook.operation
          .performList, {}, {}, authData),
      };
      for (const [name, call] of Object.entries(calls)) {
        const e = expired(await rejection(call()), key.token);
        assert.match(e.message, /revoked|unknown/, name);
      }
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
