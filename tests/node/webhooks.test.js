#!/usr/bin/env node
'use strict';
// The webhook relay end to end: CRM webhooks and Zapier REST hooks
// delivered by the real daemon to a sink this file runs on 127.0.0.1,
// checked with the Standard Webhooks reference library.
//
// Every target registered here is 127.0.0.1 on the port of a sink this
// file started; the only other addresses appear in the test of a daemon
// without --allow-private-targets, which refuses them at registration.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');
const h = require('./harness');
const { sleep, waitFor, freePort, startIn, stopKeep, reap, api, ok } =
  require('./daemon');

const FAST = ['--allow-private-targets', '--retry-schedule',
  '0,100ms,100ms,200ms'];
// Attempts a FAST delivery gets: one per entry of the schedule.
const FAST_ATTEMPTS = 4;

// ---------------------------------------------------------------- helpers

// A receiving endpoint on 127.0.0.1. It records every request (method,
// path, headers, raw body, arrival and answer times) and answers as
// s.plan(rec) says: { status, delay, retryAfter }.
function sink(port = 0) {
  const s = {
    reqs: [],
    plan: () => ({ status: 200 }),
    on(p) { return s.reqs.filter((r) => r.path === p); },
    url(p) { return `http://127.0.0.1:${s.port}${p}`; },
  };
  s.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const rec = {
        method: req.method, path: req.url, headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'), at: Date.now(),
        answeredAt: null,
      };
      rec.n = s.on(rec.path).length;	// earlier requests to this path
      s.reqs.push(rec);
      const p = s.plan(rec) || {};
      const answer = () => {
        const hd = { 'Content-Type': 'text/plain' };
        if (p.retryAfter !== undefined)
          hd['Retry-After'] = String(p.retryAfter);
        res.on('finish', () => { rec.answeredAt = Date.now(); });
        res.writeHead(p.status || 200, hd);
        res.end(`answer ${p.status || 200}`);
      };
      if (p.delay) setTimeout(answer, p.delay);
      else answer();
    });
  });
  return new Promise((resolve, reject) => {
    s.server.once('error', reject);
    s.server.listen(port, '127.0.0.1', () => {
      s.port = s.server.address().port;
      resolve(s);
    });
  });
}

function closeSink(s) {
  s.server.closeAllConnections();
  return new Promise((r) => s.server.close(() => r()));
}

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'fznode-wh-'));
}

// A workspace with one key per scope set asked for.
function workspace(d, plan, ...scopes) {
  const ws = h.cli(d, ['workspace', 'create', '--name', 'Webhook Test',
    '--plan', plan]);
  return { ws, keys: scopes.map((s) => h.cli(d, ['key', 'create',
    '--workspace', ws, '--scopes', s, '--name', `node-${s}`])) };
}

let seq = 0;
// Creates a project and sends its pack over REST (agency write key); the
// send journals a pack.sent. Returns the send answer's data.
async function sendPack(d, token) {
  const n = ++seq;
  const p = await ok(d, token, 'POST', '/api/v1/projects', {
    name: `Site ${n}`, clientName: 'Jane Roe',
    clientEmail: 'jane@example.com', projectType: 'Web Design',
    launchDate: '2026-06-01' }, 201);
  const s = await ok(d, token, 'POST',
    `/api/v1/projects/${p.body.data.id}/pack/send`,
    { personalMessage: `Pack ${n}` }, 200);
  return s.body.data;
}

// The same through the Zapier actions (a pro key reaches only those).
async function zapierSend(d, token) {
  const n = ++seq;
  const p = await ok(d, token, 'POST', '/api/v1/zapier/actions/create-project',
    { project_name: `Zap ${n}`, client_name: 'Zed Roe',
      client_email: 'zed@example.com', project_type: 'SEO',
      launch_date: '2026-06-01' }, 201);
  await ok(d, token, 'POST', '/api/v1/zapier/actions/send-pack',
    { project_id: p.body.data.id, personal_message: `Zap ${n}` }, 200);
  return p.body.data.id;
}

async function createWebhook(d, token, url, events = ['pack.sent']) {
  const r = await ok(d, token, 'POST', '/api/v1/webhooks', { url, events },
    201);
  return r.body.data;
}

async function deliveries(d, token, hook) {
  return (await ok(d, token, 'GET', `/api/v1/webhooks/${hook}/deliveries`,
    undefined, 200)).body.data;
}

function sigs(rec) {
  return rec.headers['webhook-signature'].split(' ');
}

// --------------------------------------------------------------- the tests

let d;	// shared daemon, FAST schedule, private targets allowed
let slow;	// sink of the slow-receiver test, closed at the end

h.test('CRM webhook: pack.sent delivered, Standard Webhooks signature ' +
    'verifies, webhook-id is the event id, filter honoured', async () => {
  d = await h.start(FAST);
  const token = h.key(d);
  const s = await sink();
  try {
    const hook = await createWebhook(d, token, s.url('/crm'),
      ['pack.sent', 'client.signed_off']);
    assert.match(hook.id, /^hook_/);
    assert.match(hook.secret, /^whsec_/);
    const raw = Buffer.from(hook.secret.slice(6), 'base64');
    assert.ok(raw.length >= 24 && raw.length <= 64, `${raw.length} bytes`);
    assert.deepEqual(hook.events, ['pack.sent', 'client.signed_off']);

    const sent = await sendPack(d, token);
    const rec = await waitFor(() => s.on('/crm')[0], 5000,
      'the pack.sent delivery');
    assert.equal(rec.method, 'POST');
    assert.match(rec.headers['content-type'], /^application\/json/);
    for (const name of ['webhook-id', 'webhook-timestamp',
      'webhook-signature'])
      assert.ok(rec.headers[name], name);
    assert.match(rec.headers['webhook-timestamp'], /^\d+$/);
    assert.ok(Math.abs(Number(rec.headers['webhook-timestamp']) -
      Date.now() / 1000) < 60, 'timestamp is now');
    assert.equal(sigs(rec).length, 1);
    assert.match(sigs(rec)[0], /^v1,[A-Za-z0-9+/]+=*$/);

    const payload = new Webhook(hook.secret).verify(rec.body, rec.headers);
    assert.deepEqual(Object.keys(payload).sort(),
      ['data', 'id', 'timestamp', 'type']);
    assert.equal(payload.type, 'pack.sent');
    assert.match(payload.id, /^evt_/);
    assert.equal(payload.data.id, payload.id);
    assert.equal(payload.data.occurred_at, payload.timestamp);
    assert.match(payload.timestamp,
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(rec.headers['webhook-id'], payload.id);

    // Another secret, or a changed body, does not verify.
    const other = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    assert.throws(() => new Webhook(other).verify(rec.body, rec.headers),
      /No matching signature/);
    assert.throws(() => new Webhook(hook.secret).verify(
      rec.body.replace('pack.sent', 'pack.sEnt'), rec.headers),
    /No matching signature/);

    // The event as the journal has it.
    const ev = (await ok(d, token, 'GET', '/api/v1/events', undefined, 200))
      .body.data;
    assert.equal(ev.length, 1, JSON.stringify(ev));
    assert.equal(ev[0].id, rec.headers['webhook-id']);
    assert.equal(ev[0].type, 'pack.sent');
    assert.deepEqual(payload.data, ev[0]);

    // pack.viewed is not subscribed; client.signed_off is.
    const token2 = new URL(sent.share_url).pathname.split('/').pop();
    const view = await fetch(`${d.base}/p/${token2}/view`, { method: 'POST' });
    assert.equal(view.status, 200);
    const so = await fetch(`${d.base}/p/${token2}/signoff`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'Jane Roe', email: 'jane@example.com' }),
    });
    assert.equal(so.status, 201, await so.text());
    const rec2 = await waitFor(() => s.on('/crm')[1], 5000,
      'the client.signed_off delivery');
    const p2 = new Webhook(hook.secret).verify(rec2.body, rec2.headers);
    assert.equal(p2.type, 'client.signed_off');
    const all = (await ok(d, token, 'GET', '/api/v1/events', undefined,
      200)).body.data;
    assert.deepEqual(all.map((e) => e.type),
      ['pack.sent', 'pack.viewed', 'client.signed_off']);
    assert.equal(p2.id, all[2].id);
    // The pack.viewed was journaled before the sign-off, so it would have
    // been queued before it: nothing for it came.
    assert.ok(!s.reqs.some((r) => r.body.includes('"pack.viewed"')));
    assert.equal(s.reqs.length, 2);

    const list = await deliveries(d, token, hook.id);
    assert.equal(list.length, 2);
    for (const x of list) {
      assert.equal(x.status, 'delivered');
      assert.equal(x.attempts, 1);
    }
  } finally {
    await closeSink(s);
  }
});

h.test('500, 500, 200: delivered on the third attempt, history shows it',
  async () => {
    const token = h.key(d);
    const s = await sink();
    s.plan = (rec) => ({ status: rec.n < 2 ? 500 : 200 });
    try {
      const hook = await createWebhook(d, token, s.url('/flaky'));
      await sendPack(d, token);
      const x = await waitFor(async () => {
        const l = await deliveries(d, token, hook.id);
        return l.length === 1 && l[0].status !== 'pending' && l[0];
      }, 5000, 'the delivery to settle');
      assert.equal(x.status, 'delivered', JSON.stringify(x));
      assert.equal(x.attempts, 3);
      assert.deepEqual(x.history.map((a) => a.statusCode), [500, 500, 200]);
      assert.equal(x.nextAttemptAt, null);
      const recs = s.on('/flaky');
      assert.equal(recs.length, 3);
      // A retry is the same message: same webhook-id, each signed.
      assert.equal(new Set(recs.map((r) => r.headers['webhook-id'])).size, 1);
      assert.equal(recs[0].headers['webhook-id'], x.eventId);
      for (const r of recs)
        new Webhook(hook.secret).verify(r.body, r.headers);
    } finally {
      await closeSink(s);
    }
  });

h.test('503 with Retry-After: 1 delays the retry to at least a second',
  async () => {
    const token = h.key(d);
    const s = await sink();
    s.plan = (rec) => (rec.n === 0 ? { status: 503, retryAfter: 1 } :
      { status: 200 });
    try {
      const hook = await createWebhook(d, token, s.url('/throttled'));
      await sendPack(d, token);
      const recs = await waitFor(() => s.on('/throttled').length >= 2 &&
        s.on('/throttled'), 5000, 'the retry after 503');
      // The schedule alone would retry after ~100 ms.
      const gap = recs[1].at - recs[0].answeredAt;
      assert.ok(gap >= 900, `retried ${gap} ms after the 503`);
      const x = await waitFor(async () => {
        const l = await deliveries(d, token, hook.id);
        return l[0] && l[0].status === 'delivered' && l[0];
      }, 3000, 'delivered');
      assert.deepEqual(x.history.map((a) => a.statusCode), [503, 200]);
    } finally {
      await closeSink(s);
    }
  });

h.test('a receiver that always fails is dead-lettered after the last ' +
    'delay, and replay re-queues it',
  async () => {
    const token = h.key(d);
    const s = await sink();
    s.plan = () => ({ status: 500 });
    try {
      const hook = await createWebhook(d, token, s.url('/down'));
      await sendPack(d, token);
      const x = await waitFor(async () => {
        const l = await deliveries(d, token, hook.id);
        return l.length === 1 && l[0].status !== 'pending' && l[0];
      }, 5000, 'the delivery to settle');
      assert.equal(x.status, 'failed', JSON.stringify(x));
      assert.equal(x.attempts, FAST_ATTEMPTS);
      assert.deepEqual(x.history.map((a) => a.statusCode),
        Array(FAST_ATTEMPTS).fill(500));
      assert.equal(x.nextAttemptAt, null);
      // Dead: nothing more comes (the longest delay is 200 ms + jitter).
      await sleep(600);
      assert.equal(s.on('/down').length, FAST_ATTEMPTS);

      // Replay re-queues it; a receiver that recovered gets the event.
      s.plan = () => ({ status: 200 });
      const bad = await api(d, token, 'POST',
        `/api/v1/webhooks/${hook.id}/replay`, {});
      assert.equal(bad.status, 400, bad.text);
      const r = await ok(d, token, 'POST',
        `/api/v1/webhooks/${hook.id}/replay`,
        { since: '2020-01-01T00:00:00.000Z' }, 202);
      assert.equal(r.body.data.queued, 1, r.text);
      const y = await waitFor(async () => {
        const l = await deliveries(d, token, hook.id);
        return l.length === 1 && l[0].status === 'delivered' && l[0];
      }, 5000, 'the replayed delivery');
      assert.equal(y.attempts, 1);
      assert.equal(s.on('/down').length, FAST_ATTEMPTS + 1);
      const ev = JSON.parse(s.on('/down')[FAST_ATTEMPTS].body);
      assert.equal(s.on('/down')[FAST_ATTEMPTS].headers['webhook-id'], ev.id);
      // A cursor from the event stream works as the starting point too.
      const evs = await ok(d, token, 'GET', '/api/v1/events', undefined, 200);
      const r2 = await ok(d, token, 'POST',
        `/api/v1/webhooks/${hook.id}/replay`,
        { after: evs.body.meta.next_cursor }, 202);
      assert.equal(r2.body.data.queued, 0, r2.text);
    } finally {
      await closeSink(s);
    }
  });

h.test('Zapier REST hook: flat trigger object delivered; 410 unsubscribes; ' +
    'DELETE unsubscribes', async () => {
  const token = h.key(d, 'pro', 'read,write');
  const s = await sink();
  let gone = false;
  s.plan = (rec) => ({ status: rec.path === '/a' && gone ? 410 : 200 });
  try {
    const sub = async (p, event = 'pack_sent') => {
      const r = await ok(d, token, 'POST', '/api/v1/zapier/hooks',
        { hookUrl: s.url(p), event }, 201);
      assert.match(r.body.data.id, /^hook_/);
      return r.body.data.id;
    };
    const a = await sub('/a');	// answers 410 later
    const b = await sub('/b');	// control, always 200
    const c = await sub('/c');	// deleted by DELETE
    // target_url is the other spelling Zapier uses.
    const t = await ok(d, token, 'POST', '/api/v1/zapier/hooks',
      { target_url: s.url('/viewed'), event: 'pack_viewed' }, 201);
    assert.match(t.body.data.id, /^hook_/);

    await zapierSend(d, token);
    await waitFor(() => ['/a', '/b', '/c'].every((p) => s.on(p).length === 1),
      5000, 'event 1 at /a, /b and /c');
    const trig = await ok(d, token, 'GET',
      '/api/v1/zapier/triggers/pack-sent', undefined, 200);
    assert.ok(Array.isArray(trig.body), trig.text);
    assert.equal(trig.body.length, 1);
    for (const p of ['/a', '/b', '/c']) {
      const got = JSON.parse(s.on(p)[0].body);
      assert.deepEqual(got, trig.body[0], p);
      assert.equal(s.on(p)[0].headers['webhook-id'], trig.body[0].id);
    }

    // DELETE works, once.
    const del = await ok(d, token, 'DELETE', `/api/v1/zapier/hooks/${c}`,
      undefined, 200);
    assert.equal(del.body.data.id, c);
    await ok(d, token, 'DELETE', `/api/v1/zapier/hooks/${c}`, undefined, 404);

    // Event 2: /a answers 410 Gone.
    gone = true;
    await zapierSend(d, token);
    await waitFor(() => s.on('/b').length === 2 &&
      s.on('/a').length === 2 && s.on('/a')[1].answeredAt, 5000,
    'event 2 at /a (410) and /b');

    // Event 3 reaches the control hook only.
    await zapierSend(d, token);
    await waitFor(() => s.on('/b').length === 3, 5000, 'event 3 at /b');
    await sleep(300);	// /a and /b are queued in one transaction
    assert.equal(s.on('/a').length, 2, '410 hook got a later event');
    assert.equal(s.on('/c').length, 1, 'deleted hook got a later event');
    const trig3 = await ok(d, token, 'GET',
      '/api/v1/zapier/triggers/pack-sent', undefined, 200);
    assert.equal(trig3.body.length, 3);
    assert.deepEqual(JSON.parse(s.on('/b')[2].body), trig3.body[0]);
    assert.equal(s.on('/viewed').length, 0);
    // The 410 was not retried, and the hook is gone.
    await ok(d, token, 'DELETE', `/api/v1/zapier/hooks/${a}`, undefined, 404);
    await ok(d, token, 'DELETE', `/api/v1/zapier/hooks/${b}`, undefined, 200);
  } finally {
    await closeSink(s);
  }
});

h.test('a slow receiver (3 s) does not hold up polling', async () => {
  const token = h.key(d);
  slow = await sink();
  slow.plan = () => ({ status: 200, delay: 3000 });
  const hook = await createWebhook(d, token, slow.url('/slow'));
  for (let i = 0; i < 4; i++) await sendPack(d, token);
  await waitFor(() => slow.on('/slow').length >= 4, 5000,
    'four deliveries in flight');
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = await ok(d, token, 'GET',
      '/api/v1/zapier/triggers/pack-sent?limit=10', undefined, 200);
    const ms = performance.now() - t0;
    assert.equal(r.body.length, 4);
    assert.ok(ms < 1000, `poll took ${ms.toFixed(0)} ms`);
    const dl = await deliveries(d, token, hook.id);
    assert.equal(dl.length, 4);
  }
  // All of that happened while the receiver still held every request.
  assert.ok(slow.reqs.every((r) => r.answeredAt === null),
    'polls were not made while deliveries were in flight');
});

h.test('secret rotation: both secrets sign during the grace period; ' +
    'secret shown to admin keys only', async () => {
  const { keys: [write, admin] } = workspace(d, 'agency', 'read,write',
    'admin');
  const s = await sink();
  try {
    const hook = await createWebhook(d, write, s.url('/rot'));
    const old = hook.secret;
    await sendPack(d, write);
    const r1 = await waitFor(() => s.on('/rot')[0], 5000, 'delivery 1');
    assert.equal(sigs(r1).length, 1);
    new Webhook(old).verify(r1.body, r1.headers);

    const denied = await api(d, write, 'POST',
      `/api/v1/webhooks/${hook.id}/rotate-secret`);
    assert.equal(denied.status, 403, denied.text);
    assert.equal(denied.body.error.code, 'FORBIDDEN');
    const rot = await ok(d, admin, 'POST',
      `/api/v1/webhooks/${hook.id}/rotate-secret`, undefined, 200);
    const neu = rot.body.data.secret;
    assert.match(neu, /^whsec_/);
    assert.notEqual(neu, old);
    assert.equal(rot.body.data.id, hook.id);
    assert.ok(!rot.text.includes(old), 'rotation answer shows the old secret');

    await sendPack(d, write);
    const r2 = await waitFor(() => s.on('/rot')[1], 5000, 'delivery 2');
    const two = sigs(r2);
    assert.equal(two.length, 2, r2.headers['webhook-signature']);
    for (const x of two) assert.match(x, /^v1,[A-Za-z0-9+/]+=*$/);
    assert.notEqual(two[0], two[1]);
    const pNew = new Webhook(neu).verify(r2.body, r2.headers);
    const pOld = new Webhook(old).verify(r2.body, r2.headers);
    assert.deepEqual(pNew, pOld);
    assert.equal(pNew.type, 'pack.sent');
    // Each secret matches its own signature, not the other's.
    for (const secret of [old, neu]) {
      const verified = two.filter((sig) => {
        try {
          new Webhook(secret).verify(r2.body, { ...r2.headers,
            'webhook-signature': sig });
          return true;
        } catch { return false; }
      });
      assert.equal(verified.length, 1);
    }
    const other = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
    assert.throws(() => new Webhook(other).verify(r2.body, r2.headers));

    const asAdmin = await ok(d, admin, 'GET', `/api/v1/webhooks/${hook.id}`,
      undefined, 200);
    assert.equal(asAdmin.body.data.secret, neu);
    assert.ok(!asAdmin.text.includes(old));
    const asWrite = await ok(d, write, 'GET', `/api/v1/webhooks/${hook.id}`,
      undefined, 200);
    assert.equal(asWrite.body.data.id, hook.id);
    assert.ok(!('secret' in asWrite.body.data), asWrite.text);
    assert.ok(!asWrite.text.includes('whsec_'), asWrite.text);
    for (const k of [admin, write]) {
      const l = await ok(d, k, 'GET', '/api/v1/webhooks', undefined, 200);
      assert.equal(l.body.data.length, 1);
      assert.equal(l.body.data[0].id, hook.id);
      assert.ok(!l.text.includes('whsec_'), l.text);
    }
  } finally {
    await closeSink(s);
  }
});

h.test('shared daemon stops cleanly (exit 0) once slow deliveries end',
  async () => {
    assert.equal(await h.stop(d), 0);
    if (slow) {
      assert.ok(slow.reqs.every((r) => r.answeredAt !== null),
        'exited before the slow receiver answered');
      await closeSink(slow);
    }
  });

h.test('private targets are refused without --allow-private-targets, ' +
    'at subscription and at connect time',
  async () => {
    const dp = await h.start(['--retry-schedule', '0,100ms']);
    try {
      const token = h.key(dp);
      const zap = h.key(dp, 'pro', 'read,write');
      for (const url of ['http://127.0.0.1:9/x', 'http://localhost/x',
        'http://[::1]/x', 'http://10.0.0.1/x', 'http://169.254.169.254/x',
        'http://[::ffff:127.0.0.1]/x', 'http://sub.localhost/x',
        'http://127.1/x', 'http://2130706433/x', 'http://0x7f.0.0.1/x',
        'http://%31%32%37.0.0.1/x', 'http://[::1%25lo]/x',
        'http://localhost./x', 'http://198.18.0.1/x',
        'ftp://127.0.0.1/x', 'not a url', 'http:///x']) {
        const r = await api(dp, token, 'POST', '/api/v1/webhooks',
          { url, events: ['pack.sent'] });
        assert.equal(r.status, 400, `${url}: ${r.text}`);
        assert.equal(r.body.error.code, 'VALIDATION_ERROR');
        assert.ok(r.body.error.details.some((x) => x.field === 'url'),
          `${url}: ${r.text}`);
      }
      const z = await api(dp, zap, 'POST', '/api/v1/zapier/hooks',
        { hookUrl: 'http://127.0.0.1:9/x', event: 'pack_sent' });
      assert.equal(z.status, 400, z.text);
      assert.ok(z.body.error.details.some((x) => x.field === 'hookUrl'));
      const l = await ok(dp, token, 'GET', '/api/v1/webhooks', undefined,
        200);
      assert.deepEqual(l.body.data, []);
    } finally {
      assert.equal(await h.stop(dp), 0);
    }

    // A target stored while private ones were allowed meets the guard
    // where it resolves, once they are not: it fails at once, for good,
    // and nothing arrives.
    const dir = tmpDir();
    const s = await sink();
    let d1, d2;
    try {
      d1 = await startIn(dir, ['--allow-private-targets']);
      const token = h.key(d1);
      const hook = await createWebhook(d1, token,
        `http://localhost:${s.port}/sneaky`);
      assert.equal(await stopKeep(d1), 0);
      d2 = await startIn(dir, ['--retry-schedule', '0,100ms']);
      await sendPack(d2, token);
      const x = await waitFor(async () => {
        const d3 = await deliveries(d2, token, hook.id);
        return d3.length === 1 && d3[0].status !== 'pending' && d3[0];
      }, 5000, 'the refused attempt');
      assert.equal(x.status, 'failed', JSON.stringify(x));
      assert.equal(x.attempts, 1, JSON.stringify(x));
      assert.equal(x.history[0].error, 'target not allowed');
      assert.equal(x.history[0].statusCode, 0);
      assert.equal(s.on('/sneaky').length, 0);
      assert.equal(await stopKeep(d2), 0);
    } finally {
      await reap(d1, d2);
      await closeSink(s);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

h.test('500 events survive a restart: all delivered once the receiver ' +
    'comes up', async () => {
  const N = 500;
  const dir = tmpDir();
  const port = await freePort();
  const flags = ['--allow-private-targets', '--rate-limit-per-minute',
    '1000000', '--retry-schedule', '0,100ms,100ms,100ms,200ms,200ms,' +
    '500ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s,1s'];
  let s, d1, d2;
  try {
    d1 = await startIn(dir, flags);
    const token = h.key(d1);
    const target = `http://127.0.0.1:${port}/durable`;
    const hook = await createWebhook(d1, token, target);
    const t0 = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < N) {
        next++;
        await sendPack(d1, token);
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    const made = Date.now() - t0;
    console.log(`# ${N} events journaled in ${made} ms`);
    const ev = [];
    let after = '';
    for (;;) {
      const r = await ok(d1, token, 'GET',
        `/api/v1/events?limit=100${after ? `&after=${after}` : ''}`,
        undefined, 200);
      ev.push(...r.body.data);
      if (!r.body.data.length) break;
      after = encodeURIComponent(r.body.meta.next_cursor);
    }
    const ids = new Set(ev.map((e) => e.id));
    assert.equal(ids.size, N);
    assert.equal(await stopKeep(d1), 0);

    const t1 = Date.now();
    d2 = await startIn(dir, flags);
    s = await sink(port);
    const got = await waitFor(() => {
      const seen = new Set(s.reqs.map((r) => r.headers['webhook-id']));
      return seen.size >= N && seen;
    }, 30000, `${N} distinct events (journaled in ${made} ms)`).catch(
      (e) => {
        const seen = new Set(s.reqs.map((r) => r.headers['webhook-id']));
        e.message += `: got ${seen.size}`;
        throw e;
      });
    assert.deepEqual([...got].sort(), [...ids].sort());
    console.log(`# all delivered ${Date.now() - t1} ms after the restart ` +
      `(${s.reqs.length} requests)`);
    for (const r of s.reqs.slice(0, 5))
      new Webhook(hook.secret).verify(r.body, r.headers);
    assert.equal(await stopKeep(d2), 0);
  } finally {
    await reap(d1, d2);
    if (s) await closeSink(s);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

h.test('SIGTERM waits for a delivery in flight to a slow receiver, exits 0',
  async () => {
    const dir = tmpDir();
    const s = await sink();
    s.plan = () => ({ status: 200, delay: 2000 });
    let d1, d2;
    try {
      d1 = await startIn(dir, FAST);
      const token = h.key(d1);
      const hook = await createWebhook(d1, token, s.url('/term'));
      await sendPack(d1, token);
      await waitFor(() => s.on('/term').length === 1, 5000,
        'the delivery in flight');
      d1.child.kill('SIGTERM');
      const r = await d1.exited;
      assert.equal(r.code, 0, fs.readFileSync(d1.log, 'utf8'));
      const rec = s.on('/term')[0];
      assert.ok(rec.answeredAt !== null && r.at >= rec.answeredAt,
        'daemon exited before the receiver answered');
      // The answer was recorded before the exit: a new daemon on the
      // same state shows it delivered and does not send it again.
      d2 = await startIn(dir, FAST);
      const x = (await deliveries(d2, token, hook.id))[0];
      assert.equal(x.status, 'delivered', JSON.stringify(x));
      assert.equal(x.attempts, 1);
      assert.deepEqual(x.history.map((a) => a.statusCode), [200]);
      await sleep(500);	// a scan runs every 250 ms
      assert.equal(s.on('/term').length, 1);
      assert.equal(await stopKeep(d2), 0);
    } finally {
      await reap(d1, d2);
      await closeSink(s);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

h.run();
