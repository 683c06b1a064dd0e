'use strict';
// Starts a real fzrelay on 127.0.0.1 with a fresh state directory for the
// Node tests, and prints TAP. The binary comes from FZRELAY_BIN.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const net = require('node:net');
const path = require('node:path');

function bin() {
  const b = process.env.FZRELAY_BIN;
  if (!b) throw new Error('FZRELAY_BIN is not set');
  return b;
}

// With FZH_STORE=http every daemon is an edge on store = http in front of
// an upstream fzrelay (embedded store, in dir/upstream) that reports its
// portal events back; workspaces made with key() exist on both sides.
const HTTP_MODE = process.env.FZH_STORE === 'http';
const REPORT_SECRET = 'a-report-secret-shared-by-both';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function start(extra = []) {
  if (!HTTP_MODE)
    return spawnDaemon(fs.mkdtempSync(path.join(os.tmpdir(), 'fznode-')),
      extra);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fznode-'));
  const updir = path.join(dir, 'upstream');
  fs.mkdirSync(updir);
  const svcWs = runCli(updir, ['workspace', 'create', '--name', 'Edge service',
    '--plan', 'agency']);
  const svc = runCli(updir, ['key', 'create', '--workspace', svcWs, '--scopes',
    'service', '--name', 'edge']);
  const upPort = await freePort();
  const edge = await spawnDaemon(dir, ['--store', 'http', '--upstream-url',
    `http://127.0.0.1:${upPort}`, '--upstream-token', svc, '--ingest-secret',
    REPORT_SECRET, ...extra]);
  edge.up = await spawnDaemon(updir, ['--listen', `127.0.0.1:${upPort}`,
    '--rate-limit-per-minute', '1000000', '--report-url',
    `${edge.base}/internal/events`, '--report-secret', REPORT_SECRET]);
  return edge;
}

async function spawnDaemon(dir, extra) {
  const log = path.join(dir, 'stderr.log');
  const out = fs.openSync(log, 'w');
  const child = spawn(bin(), ['serve', '--listen', '127.0.0.1:0',
    '--state-dir', dir, ...extra], { stdio: ['ignore', 'ignore', out] });
  const deadline = Date.now() + 10000;
  for (;;) {
    const text = fs.readFileSync(log, 'utf8');
    const m = text.match(/listening on 127\.0\.0\.1:(\d+)/);
    if (m) return { child, dir, port: Number(m[1]),
      base: `http://127.0.0.1:${m[1]}` };
    if (child.exitCode !== null) throw new Error(`fzrelay exited: ${text}`);
    if (Date.now() > deadline) throw new Error('fzrelay did not start');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function runCli(dir, args) {
  return execFileSync(bin(), [...args, '--state-dir', dir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function cli(d, args) {
  const out = runCli(d.dir, args);
  // A workspace exists upstream too, by the same id.
  if (d.up && args[0] === 'workspace' && args[1] === 'create')
    runCli(d.up.dir, [...args, '--id', out]);
  return out;
}

function key(d, plan = 'agency', scopes = 'read,write') {
  const ws = cli(d, ['workspace', 'create', '--name', 'Node Test', '--plan',
    plan]);
  return cli(d, ['key', 'create', '--workspace', ws, '--scopes', scopes,
    '--name', 'node']);
}

async function halt(d) {
  if (d.child.exitCode === null) {
    const done = new Promise((r) => d.child.once('exit', (code) => r(code)));
    d.child.kill('SIGTERM');
    d.code = await done;
  }
  return d.code ?? d.child.exitCode;
}

async function stop(d) {
  const code = await halt(d);
  if (d.up && await halt(d.up) !== 0)
    throw new Error('the upstream fzrelay did not exit 0');
  fs.rmSync(d.dir, { recursive: true, force: true });
  return code;
}

// Minimal TAP: run(name, fn) for each case, then end().
const cases = [];
function test(name, fn) { cases.push({ name, fn }); }
async function run() {
  console.log(`1..${cases.length}`);
  let i = 0;
  let failed = 0;
  for (const c of cases) {
    i++;
    try {
      await c.fn();
      console.log(`ok ${i} - ${c.name}`);
    } catch (e) {
      failed++;
      console.log(`not ok ${i} - ${c.name}`);
      for (const line of String(e && e.stack || e).split('\n'))
        console.log(`# ${line}`);
    }
  }
  process.exitCode = failed ? 1 : 0;
}

module.exports = { start, stop, cli, key, test, run, freePort };
