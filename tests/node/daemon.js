'use strict';
// Helpers the Node tests share: waiting for a condition, a free port, and
// a real fzrelay on a state directory the caller keeps (harness.start
// makes a new one each time), so a second daemon resumes what the first
// left; plus the API called with a key.
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { freePort } = require('./harness');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn (sync or async) until it returns something truthy, for at most
// ms; the value is returned, a timeout throws naming what was awaited.
async function waitFor(fn, ms, what) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(25);
  }
}

// Starts fzrelay serve on dir with extra flags; resolves once it listens.
let runs = 0;
async function startIn(dir, extra = []) {
  const log = path.join(dir, `stderr-${++runs}.log`);
  const out = fs.openSync(log, 'w');
  const child = spawn(process.env.FZRELAY_BIN, ['serve', '--listen',
    '127.0.0.1:0', '--state-dir', dir, ...extra],
  { stdio: ['ignore', 'ignore', out] });
  fs.closeSync(out);
  const exited = new Promise((r) => child.once('exit', (code, sig) =>
    r({ code, sig, at: Date.now() })));
  const deadline = Date.now() + 20000;
  for (;;) {
    const text = fs.readFileSync(log, 'utf8');
    const m = text.match(/listening on 127\.0\.0\.1:(\d+)/);
    if (m) return { child, dir, log, exited, port: Number(m[1]),
      base: `http://127.0.0.1:${m[1]}` };
    if (child.exitCode !== null) throw new Error(`fzrelay exited: ${text}`);
    if (Date.now() > deadline) throw new Error('fzrelay did not start');
    await sleep(25);
  }
}

// The end of a daemon's log as TAP comments.
function logTail(d, n = 30) {
  return `# daemon log:\n# ${fs.readFileSync(d.log, 'utf8').split('\n')
    .slice(-n).join('\n# ')}`;
}

// SIGTERM, then the exit code; the state directory stays. A non-zero exit
// prints the log's end.
async function stopKeep(d) {
  if (d.child.exitCode === null && d.child.signalCode === null)
    d.child.kill('SIGTERM');
  const r = await d.exited;
  if (r.code !== 0) console.log(logTail(d));
  return r.code;
}

// Stops whatever of ds still runs (after a failed assertion), so the
// file ends instead of waiting on a child.
async function reap(...ds) {
  for (const x of ds)
    if (x && x.child.exitCode === null && x.child.signalCode === null) {
      x.child.kill('SIGTERM');
      await x.exited;
    }
}

async function api(d, token, method, p, body) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(d.base + p, { method, headers,
    body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON: keep text */ }
  return { status: res.status, body: json, text, headers: res.headers };
}

// Asserts the status and returns the answer, with the body in the message.
async function ok(d, token, method, p, body, want) {
  const r = await api(d, token, method, p, body);
  assert.equal(r.status, want, `${method} ${p}: ${r.text}`);
  return r;
}

module.exports = { sleep, waitFor, freePort, startIn, logTail, stopKeep,
  reap, api, ok };
