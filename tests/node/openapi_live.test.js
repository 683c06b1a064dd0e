#!/usr/bin/env node
'use strict';
// The API description against the live daemon, as integrators check it:
// every documented operation is driven, and every answer (status, headers,
// body) must be one the document describes (tests/node/oasvalidate.js,
// JSON Schema 2020-12 through Ajv); Spectral's spectral:oas ruleset finds
// nothing; and a Postman collection generated from the document
// (openapi-to-postmanv2) runs under newman against `serve --demo`, every
// request with a valid example answered 2xx.
const assert = require('node:assert/strict');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');
const h = require('./harness');
const { Validator } = require('./oasvalidate');

const INGEST_SECRET = 'an-ingest-secret-for-the-document-test';
const ID_TAIL = '3kTMd92hLq0Zb7xYp1Aa';

let d;			// fzrelay serve --demo
let doc;
let v;
const tokens = {};
const problems = [];
const seen = new Map();	// "METHOD template" -> Set of statuses

// Starts fzrelay serve --demo; resolves with the daemon and the demo key.
async function startDemo(extra = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fzoas-'));
  const log = path.join(dir, 'stderr.log');
  const banner = path.join(dir, 'stdout.log');
  const err = fs.openSync(log, 'w');
  const out = fs.openSync(banner, 'w');
  const child = spawn(process.env.FZRELAY_BIN, ['serve', '--demo',
    '--listen', '127.0.0.1:0', '--state-dir', dir, ...extra],
  { stdio: ['ignore', out, err] });
  fs.closeSync(err);
  fs.closeSync(out);
  // Not left running when a failed case ends the file early.
  process.once('exit', () => { if (child.exitCode === null) child.kill(); });
  const deadline = Date.now() + 10000;
  for (;;) {
    const m = fs.readFileSync(log, 'utf8')
      .match(/listening on 127\.0\.0\.1:(\d+)/);
    const k = fs.readFileSync(banner, 'utf8').match(/API key \(shown once\): (fz_live_[A-Za-z0-9]+)/);
    if (m && k) return { child, dir, port: Number(m[1]),
      base: `http://127.0.0.1:${m[1]}`, demoKey: k[1] };
    if (child.exitCode !== null)
      throw new Error(`fzrelay exited: ${fs.readFileSync(log, 'utf8')}`);
    if (Date.now() > deadline) throw new Error('fzrelay did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function cli(dd, args) {
  return execFileSync(process.env.FZRELAY_BIN, [...args, '--state-dir',
    dd.dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    .trim();
}

// Sends one request to an operation of the document and validates the
// answer against it. o: token, params (path), query, body (JSON, or a
// string sent as is), ctype, headers.
async function call(method, template, o = {}, dd = d) {
  let p = template;
  for (const [k, val] of Object.entries(o.params || {}))
    p = p.replace(`{${k}}`, encodeURIComponent(val));
  if (o.query) p += `?${new URLSearchParams(o.query)}`;
  const headers = { ...(o.headers || {}) };
  if (o.token) headers.Authorization = `Bearer ${o.token}`;
  let body;
  if (o.body !== undefined) {
    body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    headers['Content-Type'] = o.ctype || 'application/json';
  }
  const res = await fetch(dd.base + p, { method, headers, body });
  const text = await res.text();
  const r = { status: res.status, headers: res.headers, text };
  try { r.json = JSON.parse(text); } catch { r.json = null; }
  for (const pr of v.check(method, template, r)) problems.push(pr);
  const key = `${method} ${template}`;
  if (!seen.has(key)) seen.set(key, new Set());
  seen.get(key).add(res.status);
  if (o.want !== undefined)
    assert.equal(res.status, o.want, `${method} ${p}: ${text}`);
  return r;
}

function assertNoProblems() {
  const list = problems.splice(0);
  assert.deepEqual(list, [], list.join('\n'));
}

h.test('serve --demo serves the document; keys for every role', async () => {
  d = await startDemo(['--ingest-secret', INGEST_SECRET,
    '--rate-limit-per-minute', '100000', '--auth-fail-limit-per-minute',
    '100000']);
  const res = await fetch(`${d.base}/api/v1/openapi.json`);
  doc = await res.json();
  v = new Validator(doc);
  await call('GET', '/api/v1/openapi.json', { want: 200 });
  tokens.demo = d.demoKey;
  const auth = await call('GET', '/api/v1/auth', { token: d.demoKey,
    want: 200 });
  d.ws = auth.json.data.workspace.id;
  tokens.admin = cli(d, ['key', 'create', '--workspace', d.ws, '--scopes',
    'admin', '--name', 'admin']);
  tokens.read = cli(d, ['key', 'create', '--workspace', d.ws, '--scopes',
    'read', '--name', 'reader']);
  for (const plan of ['free', 'pro']) {
    const ws = cli(d, ['workspace', 'create', '--name', plan, '--plan',
      plan]);
    tokens[plan] = cli(d, ['key', 'create', '--workspace', ws, '--scopes',
      'admin', '--name', plan]);
  }
  assertNoProblems();
});

const ctx = {};

h.test('health, metrics and account answers match the document', async () => {
  await call('GET', '/healthz', { want: 200 });
  await call('GET', '/readyz', { want: 200 });
  await call('GET', '/metrics', { want: 200 });
  await call('GET', '/api/v1/me', { token: tokens.demo, want: 200 });
  await call('GET', '/api/v1/auth', { token: tokens.admin, want: 200 });
  assertNoProblems();
});

h.test('keys API answers match the document', async () => {
  const A = tokens.admin;
  await call('GET', '/api/v1/keys', { token: A, want: 200 });
  const k = await call('POST', '/api/v1/keys', { token: A, want: 201,
    body: { name: 'Zapier', scopes: ['read', 'write'] } });
  assert.match(k.json.data.token, /^fz_live_/);
  await call('POST', '/api/v1/keys', { token: tokens.demo, want: 403,
    body: { name: 'x', scopes: ['read'] } });
  await call('POST', '/api/v1/keys', { token: A, want: 400,
    body: { name: 'x', scopes: ['service'] } });
  await call('DELETE', '/api/v1/keys/{id}', { token: A, want: 200,
    params: { id: k.json.data.id } });
  await call('DELETE', '/api/v1/keys/{id}', { token: A, want: 200,
    params: { id: k.json.data.id } });
  await call('DELETE', '/api/v1/keys/{id}', { token: A, want: 404,
    params: { id: `key_${ID_TAIL}` } });
  await call('DELETE', '/api/v1/keys/{id}', { token: A, want: 404,
    params: { id: 'nope' } });
  assertNoProblems();
});

h.test('clients, projects, packs and templates match the document',
  async () => {
    const W = tokens.demo;
    const c = await call('POST', '/api/v1/clients', { token: W, want: 201,
      body: { name: 'Lee Chan', email: 'lee@example.com', company: 'Lee' } });
    ctx.client = c.json.data.id;
    await call('POST', '/api/v1/clients', { token: W, want: 409,
      body: { name: 'Lee Chan', email: 'LEE@example.com' } });
    await call('POST', '/api/v1/clients', { token: W, want: 400,
      body: { name: '', email: 'nope' } });
    const page = await call('GET', '/api/v1/clients', { token: W,
      query: { limit: 1 }, want: 200 });
    await call('POST', '/api/v1/clients', { token: W, want: 201,
      body: { name: 'Ann', email: 'ann@example.com' } });
    const two = await call('GET', '/api/v1/clients', { token: W,
      query: { limit: 1 }, want: 200 });
    assert.ok(two.json.meta.next_cursor, page.text);
    await call('GET', '/api/v1/clients', { token: W, want: 200,
      query: { cursor: two.json.meta.next_cursor } });
    await call('GET', '/api/v1/clients', { token: W, want: 400,
      query: { limit: 0 } });
    await call('GET', '/api/v1/clients', { token: W, want: 400,
      query: { cursor: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    await call('GET', '/api/v1/clients/{id}', { token: W, want: 200,
      params: { id: ctx.client } });
    await call('GET', '/api/v1/clients/{id}', { token: W, want: 404,
      params: { id: `client_${ID_TAIL}` } });

    const mk = (email) => call('POST', '/api/v1/projects', { token: W,
      want: 201, body: { name: 'Website closeout', clientName: 'Jane Smith',
        clientEmail: email, projectType: 'Web Design',
        launchDate: '2026-06-01', templateId: 'tpl_WebDesign' } });
    ctx.project = (await mk('jane@example.com')).json.data.id;
    ctx.portalProject = (await mk('jane@example.com')).json.data.id;
    ctx.limitProject = (await mk('jane@example.com')).json.data.id;
    await call('POST', '/api/v1/projects', { token: W, want: 400,
      body: { name: 'x', clientId: `client_${ID_TAIL}`, projectType: 'SEO',
        launchDate: '2026-06-01' } });
    await call('POST', '/api/v1/projects', { token: W, want: 400,
      body: { name: 'x', clientId: ctx.client, projectType: 'SEO',
        launchDate: '2026-02-30' } });
    await call('GET', '/api/v1/projects', { token: W, want: 200 });
    await call('GET', '/api/v1/projects/{id}', { token: W, want: 200,
      params: { id: ctx.project } });
    await call('PATCH', '/api/v1/projects/{id}', { token: W, want: 200,
      params: { id: ctx.project }, body: { launchDate: '2026-07-01' } });
    await call('PATCH', '/api/v1/projects/{id}', { token: W, want: 400,
      params: { id: ctx.project }, body: {} });
    await call('PATCH', '/api/v1/projects/{id}', { token: W, want: 404,
      params: { id: `project_${ID_TAIL}` }, body: { name: 'x' } });
    await call('GET', '/api/v1/projects/{id}/pack', { token: W, want: 200,
      params: { id: ctx.project } });
    const pack = { sections: [{ title: 'Access', items: [
      { type: 'credential', label: 'CMS admin',
        url: 'https://example.com/wp-admin', username: 'jane',
        password: 's3cret!' },
      { type: 'link', label: 'Site', url: 'https://example.com' },
      { type: 'note', label: 'Note', text: 'Hello' }] }] };
    for (const id of [ctx.project, ctx.portalProject, ctx.limitProject])
      await call('PUT', '/api/v1/projects/{id}/pack', { token: W,
        want: 200, params: { id }, body: pack });
    await call('PUT', '/api/v1/projects/{id}/pack', { token: W, want: 400,
      params: { id: ctx.project }, body: { sections: [{ title: 'x',
        items: [{ type: 'link', label: 'x', url: 'ftp://x' }] }] } });
    for (const id of [ctx.project, ctx.portalProject, ctx.limitProject]) {
      const s = await call('POST', '/api/v1/projects/{id}/pack/send', {
        token: W, want: 200, params: { id },
        body: { personalMessage: 'Ready.' } });
      ctx[`token_${id}`] = s.json.data.share_url.split('/p/')[1];
    }
    await call('POST', '/api/v1/projects/{id}/pack/send', { token: W,
      want: 200, params: { id: ctx.project }, body: {} });
    await call('POST', '/api/v1/projects/{id}/pack/send', { token: W,
      want: 404, params: { id: `project_${ID_TAIL}` }, body: {} });
    await call('GET', '/api/v1/projects/{id}/signoff', { token: W,
      want: 404, params: { id: ctx.project } });
    await call('GET', '/api/v1/templates', { token: W, want: 200 });
    assertNoProblems();
  });

h.test('the portal and sign-offs match the document', async () => {
  const W = tokens.demo;
  const tok = ctx[`token_${ctx.portalProject}`];
  await call('GET', '/p/{token}', { params: { token: tok }, want: 200 });
  await call('GET', '/p/{token}', { params: { token: 'nope' }, want: 404 });
  await call('POST', '/p/{token}/view', { params: { token: tok },
    want: 200 });
  await call('POST', '/p/{token}/view', { params: { token: 'nope' },
    want: 404 });
  // A credential's password, revealed to the page and audited.
  await call('POST', '/p/{token}/reveal', { params: { token: tok },
    want: 200, body: { section: 0, item: 0, label: 'CMS admin' } });
  await call('POST', '/p/{token}/reveal', { params: { token: tok },
    want: 409, body: { section: 0, item: 0, label: 'Another' } });
  await call('POST', '/p/{token}/reveal', { params: { token: tok },
    want: 400, body: { section: 0 } });
  await call('POST', '/p/{token}/reveal', { params: { token: 'nope' },
    want: 404, body: { section: 0, item: 0, label: 'CMS admin' } });
  await call('GET', '/api/v1/projects/{id}/pack/reveals', { token: W,
    want: 200, params: { id: ctx.portalProject } });
  await call('GET', '/api/v1/projects/{id}/pack/reveals', { token: W,
    want: 404, params: { id: 'project_nosuchproject0000' } });
  await call('POST', '/p/{token}/signoff', { params: { token: tok },
    want: 403, body: { name: 'Eve', email: 'eve@example.com' } });
  await call('POST', '/p/{token}/signoff', { params: { token: tok },
    want: 400, body: { name: 'Eve' } });
  await call('POST', '/p/{token}/signoff', { params: { token: tok },
    want: 415, body: 'name=Eve', ctype: 'text/plain' });
  await call('POST', '/p/{token}/signoff', { params: { token: tok },
    want: 201, body: { name: 'Jane Smith', email: 'jane@example.com',
      comment: 'All received.' }, headers: { 'User-Agent': 'test' } });
  await call('POST', '/p/{token}/signoff', { params: { token: tok },
    want: 409, body: { name: 'Jane Smith', email: 'jane@example.com' } });
  await call('POST', '/p/{token}/signoff', { params: { token: 'nope' },
    want: 404, body: { name: 'Jane Smith', email: 'jane@example.com' } });
  // Five wrong guesses a minute through one link, then 429.
  const lim = ctx[`token_${ctx.limitProject}`];
  let last;
  for (let i = 0; i < 6; i++)
    last = await call('POST', '/p/{token}/signoff', { params: { token: lim },
      body: { name: 'Eve', email: `eve${i}@example.com` } });
  assert.equal(last.status, 429, last.text);
  await call('GET', '/p/{token}', { params: { token: tok }, want: 200 });
  await call('GET', '/api/v1/projects/{id}/signoff', { token: W, want: 200,
    params: { id: ctx.portalProject } });
  await call('GET', '/api/v1/signoffs', { token: W, want: 200 });
  await call('PUT', '/api/v1/projects/{id}/pack', { token: W, want: 409,
    params: { id: ctx.portalProject }, body: { sections: [] } });
  await call('POST', '/api/v1/projects/{id}/pack/send', { token: W,
    want: 409, params: { id: ctx.portalProject }, body: {} });
  assertNoProblems();
});

h.test('events and Zapier triggers match the document', async () => {
  const W = tokens.demo;
  const all = await call('GET', '/api/v1/events', { token: W, want: 200 });
  assert.ok(all.json.data.length >= 3, all.text);
  const one = await call('GET', '/api/v1/events', { token: W, want: 200,
    query: { limit: 1, types: 'pack.sent,client.signed_off' } });
  ctx.eventCursor = one.json.meta.next_cursor;
  await call('GET', '/api/v1/events', { token: W, want: 200,
    query: { after: ctx.eventCursor } });
  await call('GET', '/api/v1/events', { token: W, want: 400,
    query: { after: 'AAAA' } });
  await call('GET', '/api/v1/events', { token: W, want: 400,
    query: { types: 'pack.lost' } });
  await call('GET', '/api/v1/events', { token: W, want: 400,
    query: { limit: 101 } });
  for (const t of ['pack-sent', 'pack-viewed', 'client-signed-off']) {
    const tpl = `/api/v1/zapier/triggers/${t}`;
    await call('GET', tpl, { token: W, want: 200 });
    await call('GET', tpl, { token: W, want: 400, query: { limit: 'x' } });
    await call('GET', tpl, { token: W, want: 400,
      query: { cursor: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
  }
  const p = await call('GET', '/api/v1/zapier/triggers/pack-sent', {
    token: W, want: 200, query: { limit: 1 } });
  const next = p.headers.get('x-next-cursor');
  assert.ok(next, 'X-Next-Cursor on a first page of one');
  await call('GET', '/api/v1/zapier/triggers/pack-sent', { token: W,
    want: 200, query: { limit: 1, cursor: next } });
  assertNoProblems();
});

h.test('Zapier actions and hooks match the document', async () => {
  const W = tokens.demo;
  const z = await call('POST', '/api/v1/zapier/actions/create-project', {
    token: W, want: 201, body: { project_name: 'Website closeout',
      client_name: 'Jane Smith', client_email: 'jane@example.com',
      project_type: 'Web Design', launch_date: '2026-06-01' } });
  ctx.zProject = z.json.data.id;
  await call('POST', '/api/v1/zapier/actions/create-project', { token: W,
    want: 400, body: { project_name: 'x' } });
  await call('POST', '/api/v1/zapier/actions/send-pack', { token: W,
    want: 200, body: { project_id: ctx.zProject,
      personal_message: 'Ready.' } });
  await call('POST', '/api/v1/zapier/actions/send-pack', { token: W,
    want: 404, body: { project_id: `project_${ID_TAIL}` } });
  await call('POST', '/api/v1/zapier/actions/send-pack', { token: W,
    want: 409, body: { project_id: ctx.portalProject } });
  await call('POST', '/api/v1/zapier/actions/send-pack', { token: W,
    want: 400, body: {} });
  const hk = await call('POST', '/api/v1/zapier/hooks', { token: W,
    want: 201, body: { hookUrl: 'https://hooks.example.com/hooks/1/abc',
      event: 'pack_sent' } });
  await call('POST', '/api/v1/zapier/hooks', { token: W, want: 400,
    body: { target_url: 'http://127.0.0.1/x', event: 'pack_sent' } });
  await call('GET', '/api/v1/zapier/hooks', { token: W, want: 200 });
  await call('GET', '/api/v1/zapier/hooks/{id}', { token: W, want: 200,
    params: { id: hk.json.data.id } });
  await call('DELETE', '/api/v1/zapier/hooks/{id}', { token: W, want: 200,
    params: { id: hk.json.data.id } });
  await call('DELETE', '/api/v1/zapier/hooks/{id}', { token: W, want: 404,
    params: { id: hk.json.data.id } });
  await call('GET', '/api/v1/zapier/hooks/{id}', { token: W, want: 404,
    params: { id: 'x' } });
  // Dropdowns, searches and find-or-create's client action.
  const c = await call('POST', '/api/v1/zapier/actions/create-client', {
    token: W, want: 201, body: { first_name: 'Ada', last_name: 'Lovelace',
      client_email: 'ada@example.com' } });
  await call('POST', '/api/v1/zapier/actions/create-client', { token: W,
    want: 200, body: { client_name: 'Ada L.', client_email:
      'ADA@example.com' } });
  await call('POST', '/api/v1/zapier/actions/create-client', { token: W,
    want: 400, body: { client_email: 'nope' } });
  for (const l of ['projects', 'clients', 'templates'])
    await call('GET', `/api/v1/zapier/lists/${l}`, { token: W, want: 200,
      query: { limit: 1 } });
  await call('GET', '/api/v1/zapier/lists/projects', { token: W, want: 200,
    query: { q: 'closeout' } });
  await call('GET', '/api/v1/zapier/lists/clients', { token: W, want: 400,
    query: { q: 'x'.repeat(201) } });
  await call('GET', '/api/v1/zapier/searches/find-project', { token: W,
    want: 200, query: { name: 'closeout', client_email: 'jane@example.com' } });
  await call('GET', '/api/v1/zapier/searches/find-project', { token: W,
    want: 400 });
  const fc = await call('GET', '/api/v1/zapier/searches/find-client', {
    token: W, want: 200, query: { email: 'ada@example.com' } });
  assert.equal(fc.json[0].id, c.json.data.id);
  await call('GET', '/api/v1/zapier/searches/find-client', { token: W,
    want: 400, query: { email: 'nope' } });
  // The REST filters.
  await call('GET', '/api/v1/projects', { token: W, want: 200,
    query: { status: 'sent', q: 'closeout', clientEmail: 'jane@example.com' } });
  await call('GET', '/api/v1/projects', { token: W, want: 400,
    query: { status: 'lost' } });
  await call('GET', '/api/v1/clients', { token: W, want: 200,
    query: { email: 'ada@example.com' } });
  await call('GET', '/api/v1/clients', { token: W, want: 400,
    query: { email: 'nope' } });
  assertNoProblems();
});

h.test('webhook endpoints match the document', async () => {
  const W = tokens.demo;
  const A = tokens.admin;
  const wh = await call('POST', '/api/v1/webhooks', { token: W, want: 201,
    body: { url: 'https://crm.example.com/hooks/finalizo',
      events: ['pack.sent', 'client.signed_off'], description: 'CRM' } });
  const id = wh.json.data.id;
  await call('POST', '/api/v1/webhooks', { token: W, want: 400,
    body: { url: 'https://crm.example.com/x', events: ['pack.lost'] } });
  await call('GET', '/api/v1/webhooks', { token: W, want: 200 });
  await call('GET', '/api/v1/webhooks/{id}', { token: W, want: 200,
    params: { id } });
  await call('GET', '/api/v1/webhooks/{id}', { token: A, want: 200,
    params: { id } });
  await call('POST', '/api/v1/webhooks/{id}/rotate-secret', { token: A,
    want: 200, params: { id } });
  await call('POST', '/api/v1/webhooks/{id}/rotate-secret', { token: W,
    want: 403, params: { id } });
  await call('POST', '/api/v1/webhooks/{id}/enable', { token: W, want: 200,
    params: { id } });
  await call('GET', '/api/v1/webhooks/{id}/deliveries', { token: W,
    want: 200, params: { id } });
  await call('POST', '/api/v1/webhooks/{id}/replay', { token: W, want: 202,
    params: { id }, body: { since: '2020-01-01T00:00:00.000Z' } });
  await call('POST', '/api/v1/webhooks/{id}/replay', { token: W, want: 202,
    params: { id }, body: { after: ctx.eventCursor } });
  await call('POST', '/api/v1/webhooks/{id}/replay', { token: W, want: 400,
    params: { id }, body: {} });
  await call('POST', '/api/v1/webhooks/{id}/replay', { token: W, want: 404,
    params: { id: `hook_${ID_TAIL}` }, body: { since:
      '2020-01-01T00:00:00.000Z' } });
  await call('DELETE', '/api/v1/webhooks/{id}', { token: W, want: 200,
    params: { id } });
  for (const [m, t] of [['GET', '/api/v1/webhooks/{id}'],
    ['DELETE', '/api/v1/webhooks/{id}'],
    ['POST', '/api/v1/webhooks/{id}/enable'],
    ['GET', '/api/v1/webhooks/{id}/deliveries']])
    await call(m, t, { token: A, want: 404, params: { id } });
  assertNoProblems();
});

function signed(body, secret = INGEST_SECRET) {
  const id = `msg_${Math.random().toString(36).slice(2)}`;
  const text = JSON.stringify(body);
  const wh = new Webhook(`whsec_${Buffer.from(secret).toString('base64')}`);
  const at = new Date();
  return { body: text, headers: { 'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': wh.sign(id, at, text) } };
}

h.test('event ingest matches the document', async () => {
  const report = { id: `up_${Date.now()}`, type: 'pack.viewed',
    workspace_id: d.ws, data: { project_id: ctx.project,
      project_name: 'Website closeout',
      viewed_at: new Date().toISOString() } };
  const s = signed(report);
  await call('POST', '/internal/events', { ...s, want: 201 });
  await call('POST', '/internal/events', { ...s, want: 200 });
  await call('POST', '/internal/events', { body: s.body, want: 401 });
  await call('POST', '/internal/events', { ...signed({ ...report,
    id: 'up_x', workspace_id: `ws_${ID_TAIL}` }), want: 400 });
  await call('POST', '/internal/events', { ...signed({ ...report,
    id: 'up_y', type: 'pack.sent' }), want: 400 });
  const bad = signed(report);
  await call('POST', '/internal/events', { ...bad, ctype: 'text/plain',
    want: 415 });
  assertNoProblems();
});

// Every answer of the edge's own checks, for every operation: no key, a
// wrong key, too small a scope or plan, bodies that are not JSON, and
// Idempotency-Keys malformed, reused and replayed.
h.test('every operation: edge refusals match the document', async () => {
  const write = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
  for (const [tpl, item] of Object.entries(doc.paths)) {
    for (const [m, op] of Object.entries(item)) {
      const M = m.toUpperCase();
      const params = {};
      for (const p of op.parameters || [])
        if (p.in === 'path') params[p.name] = p.example || 'x';
      const body = op.requestBody ? {} : undefined;
      if ((op.security || []).length === 0) {
        await call(M, tpl, { params, body });
        continue;
      }
      await call(M, tpl, { params, body, want: 401 });
      await call(M, tpl, { params, body, token: `fz_live_${'x'.repeat(40)}`,
        want: 401 });
      await call(M, tpl, { params, body, token: tokens.free, want: 403 });
      if (write.has(M) || /keys/.test(tpl))
        await call(M, tpl, { params, body, token: tokens.read, want: 403 });
      if (op.requestBody) {
        await call(M, tpl, { params, token: tokens.admin, body: '{"a":',
          want: 400 });
        await call(M, tpl, { params, token: tokens.admin, body: '[]',
          want: 400 });
        await call(M, tpl, { params, token: tokens.admin, body: 'x=1',
          ctype: 'text/plain', want: 415 });
        await call(M, tpl, { params, token: tokens.admin, body: {},
          headers: { 'Idempotency-Key': 'not valid' }, want: 400 });
      }
    }
  }
  // A replayed answer, and a key reused with another body.
  const W = tokens.demo;
  const body = { name: 'Idem', email: 'idem@example.com' };
  const key = { 'Idempotency-Key': 'idem-1' };
  await call('POST', '/api/v1/clients', { token: W, body, headers: key,
    want: 201 });
  const again = await call('POST', '/api/v1/clients', { token: W, body,
    headers: key, want: 201 });
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  await call('POST', '/api/v1/clients', { token: W, headers: key,
    body: { ...body, name: 'Other' }, want: 409 });
  assertNoProblems();
});

// A request each operation can take: its examples, a key that may call it.
function sample(tpl, op) {
  const params = {};
  for (const p of op.parameters || [])
    if (p.in === 'path') params[p.name] = p.example;
  const media = op.requestBody && op.requestBody.content['application/json'];
  return { params, body: media ? media.example || {} : undefined };
}

function eachOp(fn) {
  const out = [];
  for (const [tpl, item] of Object.entries(doc.paths))
    for (const [m, op] of Object.entries(item))
      out.push([m.toUpperCase(), tpl, op]);
  return out.filter(([m, tpl, op]) => fn(m, tpl, op));
}

h.test('rate limits, body limits, the connection cap and unset ingest ' +
  'match the document', async () => {
  const d2 = await h.start(['--rate-limit-per-minute', '1',
    '--auth-fail-limit-per-minute', '1', '--max-body-bytes', '1024']);
  try {
    const tok = h.key(d2);
    await call('GET', '/api/v1/projects', { token: tok, want: 200 }, d2);
    // The key's bucket is empty: every keyed operation is 429.
    for (const [m, tpl, op] of eachOp((m, t, op) => op.security.length))
      await call(m, tpl, { ...sample(tpl, op), token: tok, want: 429 }, d2);
    // A body over max_body_bytes is 413 wherever a body is read.
    for (const [m, tpl, op] of eachOp((m, t, op) => op.requestBody))
      await call(m, tpl, { params: sample(tpl, op).params, token: tok,
        body: { name: 'x'.repeat(2000) }, want: 413 }, d2);
    await call('GET', '/api/v1/me', { token: `fz_live_${'y'.repeat(40)}`,
      want: 401 }, d2);
    await call('GET', '/api/v1/me', { token: `fz_live_${'y'.repeat(40)}`,
      want: 429 }, d2);
    await call('POST', '/internal/events', { ...signed({ id: 'a',
      type: 'pack.viewed', workspace_id: `ws_${ID_TAIL}`, data: {} }),
    want: 404 }, d2);
  } finally {
    assert.equal(await h.stop(d2), 0, 'the second daemon exits 0');
  }
  const d3 = await h.start(['--max-connections', '1']);
  const hold = net.connect(d3.port, '127.0.0.1');
  try {
    await new Promise((r) => hold.once('connect', r));
    await new Promise((r) => setTimeout(r, 100));
    await call('GET', '/healthz', { want: 503 }, d3);
  } finally {
    hold.destroy();
    assert.equal(await h.stop(d3), 0, 'the third daemon exits 0');
  }
  assertNoProblems();
});

// An edge on store = http in front of an upstream that fails each way:
// answers 500, never answers, or is not there.
h.test('the upstream store\'s failures match the document', async () => {
  const bad = http.createServer((req, res) => {
    req.resume();
    res.writeHead(500, { 'Content-Type': 'text/html' });
    res.end('<h1>oops</h1>');
  });
  const held = [];
  const hang = net.createServer((sock) => { held.push(sock); });
  const listen = (srv) => new Promise((r) => srv.listen(0, '127.0.0.1',
    () => r(srv.address().port)));
  const ports = { 502: await listen(bad), 504: await listen(hang),
    503: await h.freePort() };
  const statuses = {};
  try {
    for (const want of [502, 503, 504]) {
      const e = await h.start(['--store', 'http', '--upstream-url',
        `http://127.0.0.1:${ports[want]}`, '--upstream-token',
        `fz_live_${'u'.repeat(40)}`, '--upstream-timeout-ms', '300']);
      try {
        const tok = h.key(e, 'agency', 'read,write');
        statuses[want] = new Set();
        for (const [m, tpl, op] of eachOp((m, t, o) => o.responses['502'])) {
          const r = await call(m, tpl, { ...sample(tpl, op), token: tok }, e);
          statuses[want].add(r.status);
        }
        await call('GET', '/readyz', { want: 503 }, e);
        await call('GET', '/p/{token}', { params: { token: 'x' }, want: 404 },
          e);
      } finally {
        assert.equal(await h.stop(e), 0, 'the edge exits 0');
      }
      assert.ok(statuses[want].has(want), `${want}: ${[...statuses[want]]}`);
    }
  } finally {
    for (const s of held) s.destroy();
    bad.close();
    hang.close();
  }
  assertNoProblems();
});

h.test('every documented operation was answered with a 2xx it describes',
  () => {
    const missing = [];
    for (const [tpl, item] of Object.entries(doc.paths))
      for (const m of Object.keys(item)) {
        const s = seen.get(`${m.toUpperCase()} ${tpl}`) || new Set();
        if (![...s].some((x) => x >= 200 && x < 300))
          missing.push(`${m.toUpperCase()} ${tpl}`);
      }
    assert.deepEqual(missing, []);
  });

h.test('Spectral (spectral:oas) finds no error, warning, info or hint',
  () => {
    const file = path.join(d.dir, 'openapi.json');
    fs.writeFileSync(file, JSON.stringify(doc));
    const cliJs = require.resolve('@stoplight/spectral-cli/dist/index.js');
    let out;
    try {
      out = execFileSync(process.execPath, [cliJs, 'lint', '-r',
        path.join(__dirname, '.spectral.yaml'), '-f', 'json',
        '--fail-severity', 'hint', '-q', file], { encoding: 'utf8',
        env: { ...process.env, SCARF_ANALYTICS: 'false' } });
    } catch (e) {
      out = e.stdout;
    }
    const results = JSON.parse(out.slice(out.indexOf('[')));
    assert.deepEqual(results.map((r) => `${r.code}: ${r.path.join('.')}: ` +
      r.message), []);
  });

// The document's examples name records by the shape of their ids; the
// demo's are random. The ids in the generated collection are pointed at
// records made in the demo workspace from the document's own examples.
function idFor(method, url, prefix) {
  const z = /zapier\/hooks/.test(url);
  if (prefix === 'hook' && method === 'DELETE')
    return z ? ctx.zHookDel : ctx.hookDel;
  if (prefix === 'hook') return z ? ctx.zHook : ctx.hook;
  if (prefix === 'key') return ctx.keyDel;
  if (prefix === 'client') return ctx.client;
  if (prefix === 'project')
    return /signoff$/.test(url) ? ctx.portalProject : ctx.newmanProject;
  return undefined;
}

h.test('a Postman collection of the document runs under newman, 2xx',
  async () => {
    const Converter = require('openapi-to-postmanv2');
    const newman = require('newman');
    const A = tokens.admin;
    // Records the examples' ids stand for.
    const mk = await call('POST', '/api/v1/projects', { token: A,
      want: 201, body: doc.components.schemas.ProjectInput.examples[0] });
    ctx.newmanProject = mk.json.data.id;
    const sent = await call('POST', '/api/v1/projects', { token: A,
      want: 201, body: doc.components.schemas.ProjectInput.examples[0] });
    // Its pack is the example's, so the reveal example names a credential.
    await call('PUT', '/api/v1/projects/{id}/pack', { token: A, want: 200,
      params: { id: sent.json.data.id },
      body: doc.components.schemas.PackInput.examples[0] });
    const s = await call('POST', '/api/v1/projects/{id}/pack/send', {
      token: A, want: 200, params: { id: sent.json.data.id }, body: {} });
    ctx.newmanToken = s.json.data.share_url.split('/p/')[1];
    const wh = () => call('POST', '/api/v1/webhooks', { token: A, want: 201,
      body: doc.components.schemas.WebhookInput.examples[0] });
    ctx.hook = (await wh()).json.data.id;
    ctx.hookDel = (await wh()).json.data.id;
    const zh = () => call('POST', '/api/v1/zapier/hooks', { token: A,
      want: 201, body: doc.components.schemas.ZapierHookInput.examples[0] });
    ctx.zHook = (await zh()).json.data.id;
    ctx.zHookDel = (await zh()).json.data.id;
    ctx.keyDel = (await call('POST', '/api/v1/keys', { token: A, want: 201,
      body: doc.components.schemas.KeyInput.examples[0] })).json.data.id;
    assertNoProblems();

    const conv = await new Promise((resolve, reject) =>
      Converter.convert({ type: 'json', data: structuredClone(doc) }, {
        folderStrategy: 'Tags', requestParametersResolution: 'Example',
        exampleParametersResolution: 'Example',
        enableOptionalParameters: false }, (err, r) =>
        (err ? reject(err) : resolve(r))));
    assert.ok(conv.result, conv.reason);
    const collection = conv.output[0].data;
    const fix = (items) => {
      for (const it of items) {
        if (it.item) { fix(it.item); continue; }
        const req = it.request;
        const url = `/${(req.url.path || []).join('/')}`;
        // A search needs one of its optional fields: give it the
        // example, as a user of the collection would.
        if (/find-project$/.test(url)) {
          req.url.query = (req.url.query || []).filter((q) =>
            q.key !== 'name');
          req.url.query.push({ key: 'name', value: 'site' });
        }
        for (const pv of req.url.variable || []) {
          const m = String(pv.value).match(/^([a-z]+)_/);
          if (pv.key === 'token') pv.value = ctx.newmanToken;
          else if (m && idFor(req.method, url, m[1]))
            pv.value = idFor(req.method, url, m[1]);
        }
        if (req.body && req.body.raw)
          req.body.raw = req.body.raw.replace(
            new RegExp(`"(project)_${ID_TAIL}"`, 'g'),
            () => `"${ctx.newmanProject}"`);
      }
    };
    fix(collection.item);
    const summary = await new Promise((resolve, reject) =>
      newman.run({ collection, reporters: [], envVar: [
        { key: 'baseUrl', value: d.base },
        { key: 'bearerToken', value: A }] }, (err, sm) =>
        (err ? reject(err) : resolve(sm))));
    const answered = summary.run.executions.map((e) => ({
      name: `${e.request.method} ${e.request.url.getPath()}`,
      code: e.response ? e.response.code : 0,
      body: e.response ? e.response.text() : String(e.requestError) }));
    assert.equal(answered.length, Object.values(doc.paths).reduce((n, i) =>
      n + Object.keys(i).length, 0));
    // The ingest example cannot carry a signature (it depends on the
    // time): 401 is its right answer. Every other example is valid.
    const bad = answered.filter((a) => (a.name === 'POST /internal/events' ?
      a.code !== 401 : a.code < 200 || a.code > 299));
    assert.deepEqual(bad.map((a) => `${a.name}: ${a.code} ${a.body}`), []);
  });

h.test('daemon stops cleanly', async () => {
  d.child.kill('SIGTERM');
  const code = await new Promise((r) => d.child.once('exit', r));
  fs.rmSync(d.dir, { recursive: true, force: true });
  assert.equal(code, 0);
});

h.run();
