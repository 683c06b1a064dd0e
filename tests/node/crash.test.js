#!/usr/bin/env node
'use strict';
// Crash test at scale: 1,000 concurrent writers, each on its own
// connection, write events (most report pack.viewed and
// client.signed_off through the signed POST /internal/events as an
// upstream store does, some send packs over REST, which journals
// pack.sent); the daemon is killed with SIGKILL at a random moment and
// restarted on the same state directory. Afterwards no acknowledged
// event is lost, none is journaled twice (not even when a retrying
// client sends everything again), and every delivery that was pending
// at the kill reaches the CRM webhook, signed.
//
// The only webhook target is 127.0.0.1, on the port of a sink this file
// runs. Nothing here depends on timing for its verdict: the kill point
// is a count of acknowledgements, the sink holds deliveries by count,
// and every wait is for a condition, with a generous deadline.
//
// CRASH_SEED=N replays the same kill point (the seed is printed).
const assert = require('node:assert/strict');
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { Webhook } = require('standardwebhooks');
const h = require('./harness');
const { waitFor, freePort, startIn, stopKeep, reap, ok } =
  require('./daemon');

const WRITERS = 1000;
// Writers 0..REST_WRITERS-1 send packs over REST, the others ingest.
const REST_WRITERS = 100;
const PER_WRITER = 8;
const PLANNED = WRITERS * PER_WRITER;
// The sink answers this many delivery requests before the kill and holds
// every later one unanswered: however fast a machine delivers, most
// deliveries are still pending at the kill, which comes after at least
// 20% of PLANNED acknowledgements.
const ANSWER_BEFORE_KILL = 150;
// The daemon takes a plain ingest secret's bytes as the HMAC key, so the
// Standard Webhooks form of it is whsec_ + base64 of those bytes.
const INGEST_SECRET = 'crash-test-ingest-secret-0123456789abcdef';
const INGEST_WHSEC =
  `whsec_${Buffer.from(INGEST_SECRET, 'utf8').toString('base64')}`;
const FLAGS = ['--allow-private-targets', '--rate-limit-per-minute',
  '1000000', '--ingest-secret', INGEST_SECRET, '--max-connections', '4096',
  '--max-connections-per-address', '0',
  // Held deliveries must not time out and use up attempts while the
  // writers run, however slow the build (ASan) is.
  '--delivery-timeout-ms', '120000',
  '--retry-schedule', '0,100ms,100ms,200ms,500ms,1s,1s,1s,1s,1s,1s,1s,1s,' +
  '1s,1s'];
// Nothing waits longer than this for one condition; a whole run that
// hangs is stopped by the watchdog below.
const WAIT_MS = 120000;
const WATCHDOG_MS = 400000;

// ---------------------------------------------------------------- helpers

// A small seeded PRNG (mulberry32), so a kill point can be replayed.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// The soft limit on open files, from /proc (Linux), or null elsewhere.
function fdLimit(pid = 'self') {
  try {
    const m = fs.readFileSync(`/proc/${pid}/limits`, 'utf8')
      .match(/^Max open files\s+(\S+)/m);
    return m[1] === 'unlimited' ? Infinity : Number(m[1]);
  } catch { return null; }
}

// The whole event stream of the workspace, oldest first.
async function readStream(d, token) {
  const ev = [];
  let after = '';
  for (;;) {
    const r = await ok(d, token, 'GET',
      `/api/v1/events?limit=100${after ? `&after=${after}` : ''}`,
      undefined, 200);
    ev.push(...r.body.data);
    if (!r.body.data.length) break;
    after = encodeURIComponent(r.body.meta.next_cursor);
  }
  return ev;
}

// Journal sequence numbers and event ids from the admin CLI, oldest first.
function journalTail(dir) {
  const out = execFileSync(process.env.FZRELAY_BIN, ['journal', 'tail',
    '100000', '--state-dir', dir], { encoding: 'utf8',
    maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter(Boolean).map((line) => {
    const tab = line.indexOf('\t');
    return { seq: Number(line.slice(0, tab)),
      id: JSON.parse(line.slice(tab + 1)).id };
  });
}

// One planned event: writer w's k-th write. A report has its own
// upstream id, which the daemon takes as the idempotency key; the
// journal keeps the report's data fields, so upstream_id is how an
// event in the stream is matched to it. A REST writer sends the pack of
// a project of its own, which journals one pack.sent for that project
// (a send of an unchanged pack records nothing new), matched by
// project_id.
function reportItem(ws, w, k) {
  const id = `up_crash_${w}_${k}`;
  const type = (w + k) % 2 ? 'client.signed_off' : 'pack.viewed';
  const at = new Date(Date.UTC(2026, 5, 2, 9, 0, 0, w * 10 + k))
    .toISOString();
  const data = { upstream_id: id, project_id: `project_crash${w}x${k}`,
    project_name: `Crash site ${w}.${k}` };
  if (type === 'pack.viewed') data.viewed_at = at;
  else Object.assign(data, { signed_at: at, signer_name: `Signer ${w}`,
    signer_email: `signer${w}@example.com` });
  return { key: id, msg: `msg_crash_${w}_${k}`, type, data,
    path: '/internal/events', created: 201,
    body: JSON.stringify({ id, type, workspace_id: ws, data }),
    sent: false, status: 0, answer: null };
}

function sendItem(project, w, k) {
  const msg = `Handover ${w}.${k}`;
  return { key: project, type: 'pack.sent',
    data: { project_id: project, personal_message: msg },
    path: `/api/v1/projects/${project}/pack/send`, created: 200,
    body: JSON.stringify({ personalMessage: msg }),
    sent: false, status: 0, answer: null };
}

// What an event in the stream was written by: its item's key.
function keyOf(e) {
  return e.type === 'pack.sent' ? e.project_id : e.upstream_id;
}

// Whether an answer says the write was already journaled.
function duplicate(it, answer) {
  const data = JSON.parse(answer).data;
  return it.type === 'pack.sent' ? !data.eventRecorded : data.duplicate;
}

const signer = new Webhook(INGEST_WHSEC);

// Sends it over agent: a report signed now, as the upstream store does,
// or a pack send with the API key. Resolves { status, text } (status 0:
// no answer); onStatus runs as soon as a status line arrives, which is
// when the daemon has acknowledged, whether or not the rest of the
// answer makes it.
function write(agent, port, token, it, onStatus) {
  return new Promise((resolve) => {
    const headers = { 'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(it.body) };
    if (it.msg) {
      const now = new Date();
      headers['webhook-id'] = it.msg;
      headers['webhook-timestamp'] = String(Math.floor(now / 1000));
      headers['webhook-signature'] = signer.sign(it.msg, now, it.body);
    } else
      headers.Authorization = `Bearer ${token}`;
    let done = false;
    const finish = (r) => { if (!done) { done = true; resolve(r); } };
    const req = http.request({ host: '127.0.0.1', port, agent,
      method: 'POST', path: it.path, headers }, (res) => {
      if (onStatus) onStatus(res.statusCode);
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode,
        text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', () => finish({ status: res.statusCode, text: null }));
      res.on('aborted', () => finish({ status: res.statusCode,
        text: null }));
    });
    req.on('error', (e) => finish({ status: 0, error: e }));
    req.end(it.body);
  });
}

// GET p over agent; resolves the status (0: failed).
function getOn(agent, port, p) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, agent, path: p },
      (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', () => resolve(0));
  });
}

// The CRM webhook's receiver on 127.0.0.1. While s.hold() says so it
// keeps requests unanswered (the daemon sees them in flight); otherwise
// it answers 200 and counts the event as delivered. Every request's
// signature is checked with the reference library when it arrives.
function sink(port) {
  const s = { reqs: 0, answered: 0, delivered: new Map(), held: [],
    bad: [], secret: null, hold: () => false };
  s.server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      s.reqs++;
      const body = Buffer.concat(chunks).toString('utf8');
      if (s.hold()) {
        s.held.push(res);
        return;
      }
      let payload = null;
      try {
        payload = new Webhook(s.secret).verify(body, req.headers);
      } catch (e) {
        s.bad.push(`${req.headers['webhook-id']}: ${e.message}`);
      }
      const id = req.headers['webhook-id'];
      if (payload && payload.id === id && !s.delivered.has(id))
        s.delivered.set(id, payload);
      else if (payload && payload.id !== id)
        s.bad.push(`webhook-id ${id} on event ${payload.id}`);
      s.answered++;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  return new Promise((resolve, reject) => {
    s.server.once('error', reject);
    s.server.listen(port, '127.0.0.1', () => resolve(s));
  });
}

function closeSink(s) {
  for (const res of s.held) res.destroy();
  s.server.closeAllConnections();
  return new Promise((r) => s.server.close(() => r()));
}

// ------------------------------------------------------------- the state

// Node raises its soft limit on open files to the hard one, and the
// daemon inherits it; both need a descriptor per writer and some to
// spare. Where the hard limit is lower, the file runs once more under a
// shell that tries to raise it (root with CAP_SYS_RESOURCE can); if that
// fails too, the first case says what is missing.
const NEED_FDS = WRITERS + 200;
if ((fdLimit() ?? Infinity) < NEED_FDS && !process.env.FZ_CRASH_RAISED) {
  const r = spawnSync('/bin/sh', ['-c',
    `ulimit -n ${NEED_FDS * 4} 2>/dev/null; exec "$0" "$@"`,
    process.execPath, __filename], { stdio: 'inherit',
    env: { ...process.env, FZ_CRASH_RAISED: '1' } });
  process.exit(r.status ?? 1);
}

// Shared by the cases below, which are steps of one crash and recovery.
const seed = Number(process.env.CRASH_SEED) || (Math.random() * 2 ** 32) >>> 0;
const killAt = Math.floor(PLANNED * (0.2 + 0.6 * prng(seed)()));
let dir, s, d1, d2, token, hook, ws;
const items = [];
let acked = 0;
let deliveredBeforeKill = 0;
let firstStream = null;

const watchdog = setTimeout(() => {
  console.log(`Bail out! crash test still running after ${WATCHDOG_MS} ms`);
  for (const x of [d1, d2])
    if (x && x.child.exitCode === null) x.child.kill('SIGKILL');
  process.exit(1);
}, WATCHDOG_MS);
watchdog.unref();
process.on('exit', () => {
  for (const x of [d1, d2])
    if (x && x.child.exitCode === null && x.child.signalCode === null)
      x.child.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// Each case is a step of the same run: once one fails, the later ones
// report that instead of failing on its leftovers.
let broken = null;
function step(name, fn) {
  h.test(name, async () => {
    if (broken) throw new Error(`not run: "${broken}" failed`);
    try {
      await fn();
    } catch (e) {
      broken = name;
      throw e;
    }
  });
}

// --------------------------------------------------------------- the tests

step(`${WRITERS} concurrent writers on ${WRITERS} connections, SIGKILL ` +
    'after a random number of acknowledgements', async () => {
  const mine = fdLimit();
  assert.ok(mine === null || mine >= NEED_FDS, `this test needs ${NEED_FDS} ` +
    `open files; the limit is ${mine} (raise the hard limit, ulimit -Hn)`);
  console.log(`# seed ${seed} (CRASH_SEED=${seed} replays it): SIGKILL ` +
    `after ${killAt} of ${PLANNED} acknowledgements`);

  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fznode-crash-'));
  const sinkPort = await freePort();
  s = await sink(sinkPort);
  // Held from the (ANSWER_BEFORE_KILL+1)-th request until the kill.
  let killed = false;
  s.hold = () => !killed && s.answered >= ANSWER_BEFORE_KILL;

  d1 = await startIn(dir, FLAGS);
  const theirs = fdLimit(d1.child.pid);
  assert.ok(theirs === null || theirs >= NEED_FDS,
    `the daemon may open only ${theirs} files`);
  ws = h.cli(d1, ['workspace', 'create', '--name', 'Crash Test', '--plan',
    'agency']);
  token = h.cli(d1, ['key', 'create', '--workspace', ws, '--scopes',
    'read,write', '--name', 'crash']);
  hook = (await ok(d1, token, 'POST', '/api/v1/webhooks', {
    url: `http://127.0.0.1:${sinkPort}/crm`,
    events: ['pack.sent', 'pack.viewed', 'client.signed_off'] }, 201))
    .body.data;
  s.secret = hook.secret;

  // The REST writers' projects exist beforehand (creating one journals
  // nothing); each writer then sends its projects' packs.
  const projects = [];
  for (let i = 0; i < REST_WRITERS * PER_WRITER; i += 50)
    projects.push(...await Promise.all(Array.from({ length: Math.min(50,
      REST_WRITERS * PER_WRITER - i) }, async (_, j) => (await ok(d1, token,
      'POST', '/api/v1/projects', { name: `Crash project ${i + j}`,
        clientName: `Client ${i + j}`,
        clientEmail: `client${i + j}@example.com`,
        projectType: 'Web Design', launchDate: '2026-06-01' }, 201))
      .body.data.id)));
  for (let w = 0; w < WRITERS; w++)
    for (let k = 0; k < PER_WRITER; k++)
      items.push(w < REST_WRITERS ? sendItem(projects[w * PER_WRITER + k],
        w, k) : reportItem(ws, w, k));
  assert.equal(new Set(items.map((x) => x.key)).size, PLANNED);

  // Every writer first opens its own connection (one keep-alive socket
  // per agent) and waits until all of them are open: then there really
  // are WRITERS connections at once, whatever the scheduling.
  const agents = Array.from({ length: WRITERS }, () =>
    new http.Agent({ keepAlive: true, maxSockets: 1 }));
  const t0 = Date.now();
  const opened = await Promise.all(agents.map((a) =>
    getOn(a, d1.port, '/healthz')));
  assert.equal(opened.filter((x) => x === 200).length, WRITERS,
    `connections that got an answer: ${opened.filter((x) => x === 200)
      .length}`);
  const m = (await (await fetch(`${d1.base}/metrics`)).text())
    .match(/^fzrelay_connections (\d+)$/m);
  assert.ok(m && Number(m[1]) >= WRITERS, `daemon has ${m && m[1]} ` +
    'connections open');
  console.log(`# ${m[1]} connections open at once, the writers' and ` +
    `this file's own (${Date.now() - t0} ms)`);

  // The kill comes from the answer that makes the count, so the daemon
  // is busy with the next writes. Each writer has at most one write
  // outstanding, so at most WRITERS - 1 more answers can already be on
  // their way: killAt is at most 80% of PLANNED, and some writes are
  // always left unacknowledged.
  const statuses = new Map();
  let killedAt = 0;
  const onStatus = (status) => {
    statuses.set(status, (statuses.get(status) || 0) + 1);
    if (status < 200 || status > 299) return;
    if (++acked === killAt) {
      killedAt = Date.now();
      deliveredBeforeKill = s.delivered.size;
      d1.child.kill('SIGKILL');
      killed = true;
    }
  };
  const t1 = Date.now();
  const writer = async (w) => {
    for (let k = 0; k < PER_WRITER; k++) {
      const it = items[w * PER_WRITER + k];
      it.sent = true;
      const r = await write(agents[w], d1.port, token, it, (st) => {
        it.status = st;
        onStatus(st);
      });
      it.answer = r.text;
      // After the kill there is nobody to talk to; a real writer would
      // come back later, which the retry case below does.
      if (r.status < 200 || r.status > 299) return;
    }
  };
  await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
  for (const a of agents) a.destroy();
  if (!killed) d1.child.kill('SIGKILL');
  const r = await d1.exited;
  assert.equal(r.sig, 'SIGKILL', `daemon ended with ${r.code}/${r.sig}`);
  assert.ok(killed, `only ${acked} acknowledgements before the writers ` +
    `stopped: ${JSON.stringify([...statuses])}`);
  for (const res of s.held) res.destroy();
  s.held = [];

  const sent = items.filter((x) => x.sent).length;
  console.log(`# killed ${killedAt - t1} ms into the writes: ${acked} ` +
    `acknowledged, ${sent} sent, statuses ${JSON.stringify([...statuses])}` +
    `; sink answered ${deliveredBeforeKill} before the kill, held ` +
    `${s.reqs - s.answered}`);
  // Before the kill every write was new: 201 for a report, 200 with an
  // event recorded for a send; nothing else (limits, refusals) got in
  // the way.
  for (const it of items) {
    if (!it.status) continue;
    assert.equal(it.status, it.created, `${it.key}: ${it.answer}`);
    if (it.answer) assert.equal(duplicate(it, it.answer), false, it.key);
  }
  assert.ok(acked >= killAt && acked < PLANNED);
});

step('after the restart every acknowledged event is in the stream ' +
    'exactly once with its data, nothing unsent is, no gaps', async () => {
  d2 = await startIn(dir, FLAGS);
  const ev = await readStream(d2, token);
  firstStream = ev;
  const byKey = new Map();
  for (const e of ev) {
    const key = keyOf(e);
    assert.ok(key, `event of no writer: ${JSON.stringify(e)}`);
    if (byKey.has(key))
      assert.fail(`${key} journaled twice: ${byKey.get(key).id}, ${e.id}`);
    byKey.set(key, e);
  }
  assert.equal(new Set(ev.map((e) => e.id)).size, ev.length,
    'an event id appears twice');
  const index = new Map(items.map((x) => [x.key, x]));
  const lost = [];
  for (const it of items) {
    if (it.status < 200 || it.status > 299) continue;
    const e = byKey.get(it.key);
    if (!e) {
      lost.push(it.key);
      continue;
    }
    assert.equal(e.type, it.type, it.key);
    assert.equal(e.workspace_id, ws);
    for (const [k, v] of Object.entries(it.data))
      assert.equal(e[k], v, `${it.key}.${k}`);
  }
  assert.deepEqual(lost, [], `${lost.length} of ${acked} acknowledged ` +
    'events lost');
  // Nothing the writers never sent; at most what they sent.
  for (const e of ev) {
    const it = index.get(keyOf(e));
    assert.ok(it && it.sent, `${keyOf(e)} was never sent`);
    assert.equal(e.type, it.type);
  }
  const sent = items.filter((x) => x.sent).length;
  assert.ok(ev.length >= acked && ev.length <= sent,
    `${ev.length} events for ${acked} acknowledged, ${sent} sent`);
  console.log(`# ${ev.length} events after the restart: ${acked} ` +
    `acknowledged, ${ev.length - acked} committed but not acknowledged`);
  // The journal itself: sequence numbers 1..n, no gap, in stream order.
  const tail = journalTail(dir);
  assert.deepEqual(tail.map((x) => x.seq),
    Array.from({ length: ev.length }, (_, i) => i + 1));
  assert.deepEqual(tail.map((x) => x.id), ev.map((e) => e.id));
});

step('a retrying client sends every write again: each journaled exactly ' +
    'once, the ones journaled before the kill answer as duplicates',
  async () => {
    const before = new Set(firstStream.map(keyOf));
    // 200 connections, every write once more: a client that lost its
    // answers resends all it is unsure of; the acknowledged ones are
    // resent too, to show the daemon still knows them after the crash.
    const agents = Array.from({ length: 200 }, () =>
      new http.Agent({ keepAlive: true, maxSockets: 1 }));
    let next = 0;
    const answers = new Array(items.length);
    const t0 = Date.now();
    await Promise.all(agents.map(async (a) => {
      while (next < items.length) {
        const i = next++;
        answers[i] = await write(a, d2.port, token, items[i]);
      }
    }));
    for (const a of agents) a.destroy();
    let created = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      const r = answers[i];
      const what = `${it.key} (first ${it.status || 'unanswered'}): ` +
        `${r.status} ${r.text}`;
      assert.ok(r.status === 200 || r.status === 201, what);
      const dup = duplicate(it, r.text);
      // Journaled before the kill, acknowledged or not: a duplicate now.
      // Not journaled: new now (never acknowledged, by the case above).
      assert.equal(dup, before.has(it.key), what);
      assert.equal(r.status, dup ? 200 : it.created, what);
      if (!dup) created++;
    }
    console.log(`# resent ${items.length} in ${Date.now() - t0} ms: ` +
      `${created} new, ${items.length - created} duplicates`);

    const ev = await readStream(d2, token);
    const count = new Map();
    for (const e of ev) count.set(keyOf(e), (count.get(keyOf(e)) || 0) + 1);
    const twice = [...count].filter(([, n]) => n > 1);
    assert.deepEqual(twice, [], 'journaled more than once');
    const missing = items.filter((x) => !count.has(x.key)).map((x) => x.key);
    assert.deepEqual(missing.slice(0, 10), [], `${missing.length} missing`);
    assert.equal(ev.length, PLANNED);
    // The events of before the restart kept their ids and places.
    assert.deepEqual(ev.slice(0, firstStream.length).map((e) => e.id),
      firstStream.map((e) => e.id));
  });

step('every delivery pending at the kill is delivered after the ' +
    'restart, signed with the webhook secret', async () => {
  const ev = await readStream(d2, token);
  const ids = new Set(ev.map((e) => e.id));
  const pendingAtKill = firstStream.length - deliveredBeforeKill;
  console.log(`# ${pendingAtKill} deliveries were pending at the kill ` +
    `(${deliveredBeforeKill} done)`);
  assert.ok(pendingAtKill > 0, 'no delivery was pending at the kill');
  const t0 = Date.now();
  await waitFor(() => [...ids].every((id) => s.delivered.has(id)), WAIT_MS,
    `${ids.size} events at the sink`).catch((e) => {
    e.message += `: got ${[...ids].filter((id) => s.delivered.has(id))
      .length} (${s.reqs} requests)`;
    throw e;
  });
  console.log(`# all ${ids.size} delivered ${Date.now() - t0} ms after ` +
    `the retry (${s.reqs} requests, ${s.reqs - s.delivered.size} of them ` +
    'held or repeated)');
  assert.deepEqual(s.bad, [], 'deliveries that did not verify');
  // Nothing but the journal's events arrived, each with its own data.
  const byId = new Map(ev.map((e) => [e.id, e]));
  for (const [id, payload] of s.delivered) {
    assert.ok(byId.has(id), `${id} delivered but not in the journal`);
    assert.equal(payload.type, byId.get(id).type);
    assert.deepEqual(payload.data, byId.get(id));
  }
});

step('the restarted daemon stops cleanly with SIGTERM (exit 0)',
  async () => {
    assert.equal(await stopKeep(d2), 0);
  });

// Whatever happened, no daemon, sink or directory outlives the run.
h.run().finally(async () => {
  await reap(d1, d2);
  if (s) await closeSink(s);
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = null;
});
