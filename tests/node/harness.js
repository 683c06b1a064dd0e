'use strict';
// Starts a real fzrelay on 127.0.0.1 with a fresh state directory for the
// Node tests, and prints TAP. The binary comes from FZRELAY_BIN.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

function bin() {
  const b = process.env.FZRELAY_BIN;
  if (!b) throw new Error('FZRELAY_BIN is not set');
  return b;
}

async function start(extra = []) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fznode-'));
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

function cli(d, args) {
  return execFileSync(bin(), [...args, '--state-dir', d.dir],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function key(d, plan = 'agency', scopes = 'read,write') {
  const ws = cli(d, ['workspace', 'create', '--name', 'Node Test', '--plan',
    plan]);
  return cli(d, ['key', 'create', '--workspace', ws, '--scopes', scopes,
    '--name', 'node']);
}

async function stop(d) {
  if (d.child.exitCode === null) {
    const done = new Promise((r) => d.child.once('exit', (code) => r(code)));
    d.child.kill('SIGTERM');
    d.code = await done;
  }
  fs.rmSync(d.dir, { recursive: true, force: true });
  return d.code ?? d.child.exitCode;
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

module.exports = { start, stop, cli, key, test, run };
