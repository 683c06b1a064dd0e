#!/usr/bin/env python3
"""Power-loss test for fzrelay's LMDB state (driven by power.sh; prints TAP).

1. Record. fzrelay serve runs under wlog.so, which logs every write and
   sync to data.mdb, while a few writers get pack.sent (API) and
   pack.viewed (signed ingest) events acknowledged; each acknowledgement
   is stamped with CLOCK_MONOTONIC when its answer arrives.
2. Model. A write is durable once a sync that began after it has ended,
   or when it returns if it went through an O_DSYNC descriptor. Nothing
   else is promised: after a power cut each 4 KiB page holds some version
   between its last durable one and its last written one, independently
   of the other pages (the page cache writes back in any order).
3. Images. Crash points are just before each sync ends, during each
   O_DSYNC write, and the end of the run. At a chosen set of them the test
   builds the images that matter most: every page durable (none), the
   newest meta pages over durable data pages (meta: what a commit that
   writes its meta page before its data pages are synced can leave),
   newest data under durable meta (data), every write landed (all), the
   newest meta over a random mix of data (meta+), and random page versions
   (random).
4. Check. fzrelay must start on a copy of each image, answer /readyz, list
   through GET /api/v1/events every event acknowledged before the crash
   point and none twice, and take a new write.

Crash points and variants are drawn with a fixed seed. The recording
itself depends on timing, but a daemon that commits safely passes on any
recording, so the test cannot flake on a correct daemon.
"""
import argparse
import base64
import bisect
import concurrent.futures
import hashlib
import hmac
import http.client
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time

SECRET = 'power-test-ingest-secret-0123456789'
PSIZE = 4096            # LMDB's page size on x86_64 and arm64 Linux
META_PAGES = (0, 1)
REC = struct.Struct('=BBHIQQQQ')    # struct rec in wlog.c
WF_DSYNC = 1
VARIANTS = ('none', 'meta', 'data', 'all', 'meta+', 'random')


def say(*lines):
    for line in lines:
        print(line, flush=True)


def diag(text):
    say(*('# ' + line for line in str(text).splitlines()))


def mono_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


# ---------------------------------------------------------------------
# the daemon

class Daemon:
    """fzrelay serve on 127.0.0.1, on a port of its own choosing."""

    def __init__(self, binary, state, log, env=None, timeout=15):
        self.log = log
        with open(log, 'wb') as lf:
            self.proc = subprocess.Popen(
                [binary, 'serve', '--state-dir', state,
                 '--listen', '127.0.0.1:0', '--ingest_secret', SECRET,
                 '--rate_limit_per_minute', '1000000'],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=lf, env=env)
        self.port = None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(rb'listening on 127\.0\.0\.1:(\d+)',
                          open(log, 'rb').read())
            if m:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                return
            time.sleep(0.01)

    def stop(self):
        """SIGTERM, as an operator would; the exit status, or 'hung'."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                return 'hung'
        return self.proc.returncode

    def tail(self, n=400):
        try:
            text = open(self.log, 'rb').read().decode('utf-8', 'replace')
        except OSError:
            return ''
        return ' / '.join(l for l in text.splitlines() if l.strip())[-n:]


def exit_text(rc):
    if isinstance(rc, int) and rc < 0:
        try:
            return 'killed by ' + signal.Signals(-rc).name
        except ValueError:
            return 'killed by signal %d' % -rc
    return 'exit %s' % rc


class Client:
    """One keep-alive connection; every call is made once, never retried,
    so an answer received is exactly an acknowledgement."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def call(self, method, path, body=None, headers=None):
        """(status, parsed JSON or None, monotonic ns when the status line
        arrived); status None if the connection failed."""
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                                       timeout=20)
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            t = mono_ns()
            data = resp.read()
        except (OSError, http.client.HTTPException):
            self.close()
            return None, None, mono_ns()
        try:
            return resp.status, json.loads(data), t
        except ValueError:
            return resp.status, None, t

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def signed_event(ws, eid, project_id):
    """A pack.viewed report as an upstream store posts it (README,
    POST /internal/events): body and Standard Webhooks headers."""
    body = json.dumps({'id': eid, 'type': 'pack.viewed', 'workspace_id': ws,
                       'data': {'project_id': project_id,
                                'project_name': 'Power ' + eid}},
                      separators=(',', ':'))
    ts = str(int(time.time()))
    mac = hmac.new(SECRET.encode(), ('%s.%s.%s' % (eid, ts, body)).encode(),
                   hashlib.sha256).digest()
    return body, {'Content-Type': 'application/json', 'webhook-id': eid,
                  'webhook-timestamp': ts,
                  'webhook-signature': 'v1,' + base64.b64encode(mac).decode()}


# ---------------------------------------------------------------------
# 1. record

def workload(port, token, ws, writers, events, seconds):
    """Concurrent writers, half through the API, half through ingest, so
    commits interleave and group commits share syncs. Returns the
    acknowledged events as (type, project_id, ack time) and the failures."""
    acks, failures = [], []
    lock = threading.Lock()
    issued = [0]
    deadline = time.monotonic() + seconds
    auth = {'Authorization': 'Bearer ' + token,
            'Content-Type': 'application/json'}

    def writer(w):
        c = Client(port)
        n = 0
        while time.monotonic() < deadline:
            with lock:
                if issued[0] >= events:
                    break
                issued[0] += 1
            n += 1
            tag = 'w%d-%d' % (w, n)
            if w % 2 == 0:
                st, j, _ = c.call('POST', '/api/v1/projects', json.dumps({
                    'name': 'Power ' + tag, 'clientName': 'Client ' + tag,
                    'clientEmail': '%s@client.example.com' % tag,
                    'projectType': 'website', 'launchDate': '2026-06-01'}),
                    auth)
                if st != 201 or j is None:
                    failures.append('create %s' % st)
                    continue
                pid = j['data']['id']
                st, j, t = c.call('POST', '/api/v1/projects/%s/pack/send' %
                                  pid, '{"personalMessage":"x"}', auth)
                if st is None or st // 100 != 2 or j is None or \
                        not j['data'].get('eventRecorded'):
                    failures.append('send %s' % st)
                    continue
                ev = ('pack.sent', pid, t)
            else:
                pid = 'project_power_' + tag
                body, hdr = signed_event(ws, 'power-' + tag, pid)
                st, _, t = c.call('POST', '/internal/events', body, hdr)
                if st is None or st // 100 != 2:
                    failures.append('ingest %s' % st)
                    continue
                ev = ('pack.viewed', pid, t)
            with lock:
                acks.append(ev)
        c.close()

    threads = [threading.Thread(target=writer, args=(w,))
               for w in range(writers)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    acks.sort(key=lambda a: a[2])
    return acks, failures


# ---------------------------------------------------------------------
# 2. the model

class Rec:
    __slots__ = ('type', 'flags', 'id', 't', 'off', 'len', 'data')


def read_log(path):
    buf = open(path, 'rb').read()
    recs, pos = [], 0
    while pos + REC.size <= len(buf):
        r = Rec()
        typ, r.flags, _, _, r.id, r.t, r.off, r.len = \
            REC.unpack_from(buf, pos)
        r.type = chr(typ)
        pos += REC.size
        r.data = None
        if r.type == 'W':
            r.data = buf[pos:pos + r.len]
            pos += r.len
        recs.append(r)
    return recs


class Model:
    """Every version each page went through, and when each became durable.
    Indices into the record list serve as time."""

    def __init__(self, recs, base):
        self.recs = recs
        self.base = base
        self.warnings = []
        begun = {}
        syncs = []          # (index of 'B', index of 'E') of good syncs
        for i, r in enumerate(recs):
            if r.type == 'B':
                begun[r.id] = i
            elif r.type == 'E' and r.off == 1 and r.id in begun:
                syncs.append((begun.pop(r.id), i))
            elif r.type == 'X':
                self.warnings.append('data.mdb was mapped writable and '
                                     'shared: writes through the map are '
                                     'not recorded')
        syncs.sort()
        starts = [b for b, e in syncs]
        # first_end[k]: the earliest end among syncs k.. (by start)
        first_end = [len(recs)] * (len(syncs) + 1)
        for k in range(len(syncs) - 1, -1, -1):
            first_end[k] = min(syncs[k][1], first_end[k + 1])
        self.nsyncs = len(syncs)
        self.ndsync = 0
        cur = bytearray(base)
        self.versions = {}  # page -> [(written at, durable at, bytes)]
        for i, r in enumerate(recs):
            if r.type != 'W':
                continue
            if r.flags & WF_DSYNC:
                durable = i
                self.ndsync += 1
            else:
                durable = first_end[bisect.bisect_right(starts, i)]
            end = r.off + r.len
            last_page = (end - 1) // PSIZE
            if len(cur) < (last_page + 1) * PSIZE:
                cur.extend(bytes((last_page + 1) * PSIZE - len(cur)))
            cur[r.off:end] = r.data
            for q in range(r.off // PSIZE, last_page + 1):
                self.versions.setdefault(q, []).append(
                    (i, durable, bytes(cur[q * PSIZE:(q + 1) * PSIZE])))
        self.final = bytes(cur)
        self.written_at = {q: [v[0] for v in vs]
                           for q, vs in self.versions.items()}
        self.nwrites = sum(1 for r in recs if r.type == 'W')
        self.crash_points = sorted(
            {e for b, e in syncs} |
            {i for i, r in enumerate(recs)
             if r.type == 'W' and r.flags & WF_DSYNC} | {len(recs)})

    def time_of(self, p):
        return self.recs[p].t if p < len(self.recs) else float('inf')

    def bounds(self, p):
        """{page: (floor, last)} at crash point p, as version numbers
        (0 = the page as in the base image): last counts every write up to
        p (an O_DSYNC write at p may or may not have landed), floor the
        newest version durable before p."""
        out = {}
        for q, vs in self.versions.items():
            last = bisect.bisect_right(self.written_at[q], p)
            if last == 0:
                continue
            floor = 0
            for k in range(last, 0, -1):
                if vs[k - 1][1] < p:
                    floor = k
                    break
            out[q] = (floor, last)
        return out

    def image(self, choice):
        """The file with page q at version choice[q] (base, or zeros past
        the base's end, for the rest)."""
        top = len(self.base) // PSIZE
        for q, v in choice.items():
            if v > 0:
                top = max(top, q + 1)
        out = bytearray(self.base[:top * PSIZE])
        out.extend(bytes(top * PSIZE - len(out)))
        for q, v in choice.items():
            if v > 0:
                out[q * PSIZE:(q + 1) * PSIZE] = self.versions[q][v - 1][2]
        return bytes(out)


def variants(bounds, rng):
    floor = {q: f for q, (f, l) in bounds.items()}
    last = {q: l for q, (f, l) in bounds.items()}
    meta = [q for q in META_PAGES if q in bounds]
    data = [q for q in bounds if q not in META_PAGES]

    def mix(new_meta, data_pick):
        c = {q: (last[q] if new_meta else floor[q]) for q in meta}
        c.update({q: data_pick(q) for q in data})
        return c

    # When two variants give the same image it is checked once, under the
    # first name: so meta comes before all, which it equals when only the
    # meta page is in flight (a safe commit's last step).
    yield 'none', dict(floor)
    yield 'meta', mix(True, lambda q: floor[q])
    yield 'data', mix(False, lambda q: last[q])
    yield 'all', dict(last)
    yield 'meta+', mix(True, lambda q: rng.choice((floor[q], last[q])))
    for _ in range(2):
        yield 'random', {q: rng.randint(f, l) for q, (f, l) in bounds.items()}


def choose_images(model, budget, seed):
    """Crash points in order of interest, their variants, each distinct
    image once, up to budget. First the end of the run, then the points
    where both meta and data pages are in flight (where a commit that
    writes its meta page before syncing its data breaks), then the rest
    with anything in flight, each group in seeded random order."""
    rng = random.Random(seed)
    groups = ([], [])
    for p in model.crash_points[:-1]:
        b = model.bounds(p)
        open_ = [q for q, (f, l) in b.items() if l > f]
        if any(q in META_PAGES for q in open_) and \
                any(q not in META_PAGES for q in open_):
            groups[0].append(p)
        elif open_:
            groups[1].append(p)
    order = [model.crash_points[-1]]
    for g in groups:
        rng.shuffle(g)
        order += g
    jobs, seen = [], set()
    for p in order:
        for name, choice in variants(model.bounds(p), rng):
            h = hashlib.sha1(model.image(choice)).digest()
            if h in seen:
                continue
            seen.add(h)
            jobs.append({'p': p, 'variant': name, 'choice': choice})
            if len(jobs) >= budget:
                return jobs, len(groups[0])
    return jobs, len(groups[0])


# ---------------------------------------------------------------------
# 4. check one image

def check_image(binary, token, ws, state, work, model, acks, job):
    """Returns the job with 'failed' set to the check the image failed
    ('start', 'list', 'dup', 'write') or None, and 'why'."""
    d = tempfile.mkdtemp(prefix='img-', dir=work)
    try:
        with open(os.path.join(d, 'data.mdb'), 'wb') as f:
            f.write(model.image(job['choice']))
        shutil.copy(os.path.join(state, 'secret.key'), d)
        t = model.time_of(job['p'])
        must = {(a[0], a[1]) for a in acks if a[2] < t}
        job['required'] = len(must)
        job['failed'], job['why'] = None, ''
        dmn = Daemon(binary, d, os.path.join(d, 'serve.log'))
        try:
            job['failed'], job['why'] = probe(dmn, token, ws, must)
        except (KeyError, TypeError, AttributeError) as ex:
            job['failed'], job['why'] = 'list', 'unexpected answer: %r' % ex
        finally:
            rc = dmn.stop()
        if job['failed'] is None and rc != 0:
            job['failed'], job['why'] = 'start', 'after SIGTERM: %s: %s' % (
                exit_text(rc), dmn.tail())
        elif job['failed'] is not None:
            job['why'] += ' [%s: %s]' % (exit_text(rc), dmn.tail())
    finally:
        shutil.rmtree(d, ignore_errors=True)
    return job


def answer(status):
    return 'nothing (connection lost)' if status is None else status


def probe(dmn, token, ws, must):
    if dmn.port is None:
        return 'start', 'did not start'
    c = Client(dmn.port)
    try:
        st, _, _ = c.call('GET', '/readyz')
        if st != 200:
            return 'start', '/readyz answered %s' % answer(st)
        seen, ids, after = set(), set(), ''
        auth = {'Authorization': 'Bearer ' + token}
        for _ in range(10000):
            st, j, _ = c.call('GET', '/api/v1/events?limit=100' +
                              ('&after=' + after if after else ''),
                              headers=auth)
            if st != 200 or j is None:
                return 'list', 'GET /api/v1/events answered %s' % answer(st)
            for e in j['data']:
                key = (e.get('type'), e.get('project_id'))
                if e.get('id') in ids or key in seen:
                    return 'dup', 'listed twice: %s %s' % key
                ids.add(e.get('id'))
                seen.add(key)
            after = j['meta'].get('next_cursor') or ''
            if not j['meta'].get('has_more'):
                break
        lost = must - seen
        if lost:
            return 'list', '%d of %d acknowledged events missing, e.g. ' \
                '%s %s' % (len(lost), len(must), *sorted(lost)[0])
        eid = 'power-probe-%d' % mono_ns()
        body, hdr = signed_event(ws, eid, 'project_' + eid)
        st, _, _ = c.call('POST', '/internal/events', body, hdr)
        if st != 201:
            return 'write', 'a new event answered %s' % answer(st)
        return None, ''
    finally:
        c.close()


# ---------------------------------------------------------------------

def admin(binary, state, *args):
    p = subprocess.run([binary, *args, '--state-dir', state],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise RuntimeError('fzrelay %s: %s' % (' '.join(args), p.stderr))
    return p.stdout.strip()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--binary', required=True)
    ap.add_argument('--shim', required=True)
    ap.add_argument('--work', required=True)
    ap.add_argument('--images', type=int, default=60)
    ap.add_argument('--events', type=int, default=300)
    ap.add_argument('--writers', type=int, default=4)
    ap.add_argument('--seconds', type=float, default=4)
    ap.add_argument('--jobs', type=int, default=2)
    ap.add_argument('--seed', type=int, default=1)
    a = ap.parse_args()

    say('1..6')
    state = os.path.join(a.work, 'state')
    ws = admin(a.binary, state, 'workspace', 'create', '--name', 'power',
               '--plan', 'agency')
    token = admin(a.binary, state, 'key', 'create', '--workspace', ws,
                  '--scopes', 'read,write', '--name', 'power')
    base = open(os.path.join(state, 'data.mdb'), 'rb').read()
    log = os.path.join(a.work, 'wlog.bin')
    env = dict(os.environ, LD_PRELOAD=a.shim, WLOG_FILE=os.path.join(
        state, 'data.mdb'), WLOG_OUT=log)
    # A sanitizer build wants its runtime first among the loaded
    # libraries and refuses to run after an LD_PRELOAD; the shim only
    # wraps calls and passes them on, so that order does not matter here.
    # Harmless for a plain build, which ignores ASAN_OPTIONS.
    env['ASAN_OPTIONS'] = ':'.join(
        x for x in (os.environ.get('ASAN_OPTIONS', ''),
                    'verify_asan_link_order=0') if x)
    dmn = Daemon(a.binary, state, os.path.join(a.work, 'serve.log'), env)
    if dmn.port is None:
        dmn.stop()
        say('Bail out! fzrelay serve did not start under the shim: ' +
            dmn.tail())
        return 1
    t0 = time.monotonic()
    acks, failures = workload(dmn.port, token, ws, a.writers, a.events,
                              a.seconds)
    rec_s = time.monotonic() - t0
    rc = dmn.stop()
    types = {x[0] for x in acks}
    ok = len(acks) >= 20 and types == {'pack.sent', 'pack.viewed'} and \
        not failures and rc == 0
    say('%s 1 - %d events acknowledged in %.1f s under the shim, daemon '
        '%s' % ('ok' if ok else 'not ok', len(acks), rec_s, exit_text(rc)))
    if failures:
        diag('failed requests: %s' % ', '.join(sorted(set(failures))))
    if not ok:
        diag(dmn.tail())

    recs = read_log(log)
    model = Model(recs, base)
    final = open(os.path.join(state, 'data.mdb'), 'rb').read()
    same = model.final == final and not model.warnings
    say('%s 2 - the recording adds up: base + %d recorded writes == '
        'data.mdb (%d syncs, %d O_DSYNC writes)' % (
            'ok' if same else 'not ok', model.nwrites, model.nsyncs,
            model.ndsync))
    for w in model.warnings:
        diag(w)

    jobs, nboth = choose_images(model, a.images, a.seed)
    diag('%d crash points, %d with meta and data pages in flight; %d '
         'images: %s' % (
             len(model.crash_points), nboth, len(jobs), ', '.join(
                 '%s %d' % (v, sum(j['variant'] == v for j in jobs))
                 for v in VARIANTS)))
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
        done = list(ex.map(lambda j: check_image(
            a.binary, token, ws, state, a.work, model, acks, j), jobs))
    check_s = time.monotonic() - t0
    checks = (
        ('start', 'fzrelay starts and answers /readyz on every image '
         '(%d images, %.1f s)' % (len(done), check_s)),
        ('list', 'every image lists every event acknowledged before its '
         'crash point'),
        ('dup', 'no image lists an event twice'),
        ('write', 'every image takes a new write'))
    for n, (key, what) in enumerate(checks, 3):
        bad = [j for j in done if j['failed'] == key]
        say('%s %d - %s' % ('not ok' if bad else 'ok', n, what))
        by_variant = {}
        for j in bad:
            by_variant[j['variant']] = by_variant.get(j['variant'], 0) + 1
        if bad:
            diag('%d images: %s' % (len(bad), ', '.join(
                '%s %d' % kv for kv in sorted(by_variant.items()))))
        for j in bad[:5]:
            diag('crash point %d/%d (%s, %d events required): %s' % (
                j['p'], len(recs), j['variant'], j['required'], j['why']))
    return 0


if __name__ == '__main__':
    sys.exit(main())
