'use strict';
// The client portal at /p/:token, in a real browser: Debian's chromium
// driven by puppeteer-core, against a real fzrelay. The page renders the
// pack; fetching it records only the first fetch, a rendered page one
// pack.viewed, a prefetcher none; signing off works with and without
// JavaScript, errors beside their field; a password shows only after a
// click and is audited, and the link's reveals are limited; hostile pack
// content stays text; 320 px wide needs no horizontal scroll; keyboard
// alone reads and signs. The page must never hit its own policy.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const puppeteer = require('puppeteer-core');
const h = require('./harness');

const CHROMIUM = process.env.FZ_CHROMIUM || '/usr/bin/chromium';
// A person's browser. Chromium's own headless agent names itself
// HeadlessChrome, as sandboxing link scanners do: that one counts as a
// prefetcher.
const DESKTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 ' +
  '(KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const MASK = '\u2022'.repeat(8);
const ARTIFACTS = process.env.FZ_ARTIFACTS || process.cwd();

// Runs axe-core in the page (evaluated through the debugger, which the
// page's policy does not govern) and returns its violations.
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
async function axe(page) {
  await page.evaluate(AXE);
  const res = await page.evaluate(() => window.axe.run(document,
    { resultTypes: ['violations'] }));
  return res.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
}

async function api(d, token, method, p, body) {
  const res = await fetch(d.base + p, {
    method,
    headers: { Authorization: `Bearer ${token}`,
      ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => null) };
}

async function ok(d, token, method, p, body, status = 200) {
  const r = await api(d, token, method, p, body);
  assert.equal(r.status, status, JSON.stringify(r.json));
  return r.json.data;
}

const PACK = {
  sections: [
    { title: 'Access', items: [
      { type: 'credential', label: 'CMS admin',
        url: 'https://cms.example/wp-admin', username: 'jane',
        password: 'Correct-Horse-9!' },
      { type: 'credential', label: 'Hosting', username: 'ops',
        password: 'Battery-Staple-7' },
      { type: 'link', label: 'Live site', url: 'https://example.com/' },
    ] },
    { title: 'Documents', items: [
      { type: 'document', label: 'Brand guide',
        url: 'https://files.example/brand.pdf' },
      { type: 'note', label: 'Backups', text: 'Nightly at 02:00.\nKept 30 days.' },
    ] },
  ],
};

// A sent pack for jane@example.com: { pid, url, path }.
async function sentPack(d, token, pack = PACK, message = 'All yours, Jane.',
  name = 'Website closeout') {
  const p = await ok(d, token, 'POST', '/api/v1/projects', {
    name, clientName: 'Jane Smith', clientEmail: 'jane@example.com',
    projectType: 'Web Design', launchDate: '2026-06-01' }, 201);
  await ok(d, token, 'PUT', `/api/v1/projects/${p.id}/pack`, pack);
  const s = await ok(d, token, 'POST', `/api/v1/projects/${p.id}/pack/send`,
    { personalMessage: message });
  return { pid: p.id, url: s.share_url, path: new URL(s.share_url).pathname };
}

async function events(d, token) {
  return (await ok(d, token, 'GET', '/api/v1/events?limit=100'))
    .map((e) => e.type);
}

async function waitFor(fn, what, ms = 10000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// Stops the daemon: it must exit 0 (under ASan, a leak is a failure).
async function stopOk(d) {
  assert.equal(await h.stop(d), 0, 'fzrelay did not exit 0');
}

async function browser() {
  return puppeteer.launch({ executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
      '--no-first-run', '--disable-extensions'] });
}

// Opens url in a new page; every console error, page error and dialog is
// collected (but the browser's note on a status the test provoked).
async function open(b, url, { js = true, ua = DESKTOP, allow = null } = {}) {
  const page = await b.newPage();
  page.problems = [];
  page.dialogs = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && !(allow && allow.test(m.text())))
      page.problems.push(m.text());
  });
  page.on('pageerror', (e) => page.problems.push(String(e)));
  page.on('dialog', (dlg) => { page.dialogs.push(dlg.message());
    dlg.dismiss(); });
  await page.setJavaScriptEnabled(js);
  if (ua) await page.setUserAgent(ua);
  if (url) await page.goto(url, { waitUntil: 'load' });
  return page;
}

const text = (page, sel) => page.$eval(sel, (e) => e.textContent.trim());

h.test('the page shows the pack; GET and HEAD keep only the first fetch; ' +
  'a rendered page records one view', async () => {
  const d = await h.start();
  const b = await browser();
  try {
    const token = h.key(d);
    const { pid, url } = await sentPack(d, token);
    // Link scanners: a GET, a HEAD, a JSON GET. No view, no event.
    assert.equal((await fetch(url, { method: 'HEAD' })).status, 200);
    const got = await fetch(url);
    assert.match(got.headers.get('content-type'), /^text\/html/);
    assert.ok(!(await got.text()).includes('Correct-Horse-9!'));
    assert.equal((await fetch(url, { headers: { Accept: 'application/json' } }))
      .status, 200);
    const fetched = await waitFor(async () => (await ok(d, token, 'GET',
      `/api/v1/projects/${pid}`)).firstFetchedAt, 'firstFetchedAt');
    let project = await ok(d, token, 'GET', `/api/v1/projects/${pid}`);
    assert.equal(project.status, 'sent');
    assert.equal(project.viewedAt, null);
    assert.deepEqual(await events(d, token), ['pack.sent']);

    const page = await open(b, url);
    assert.equal(await page.title(),
      'Website closeout \u2013 handover from Node Test');
    assert.equal(await text(page, 'h1'), 'Website closeout');
    assert.equal(await text(page, '.agency'), 'Node Test');
    assert.equal(await text(page, '.message .note'), 'All yours, Jane.');
    assert.deepEqual(await page.$$eval('section.pack h2',
      (hs) => hs.map((x) => x.textContent)), ['Access', 'Documents']);
    assert.deepEqual(await page.$$eval('section.pack h3',
      (hs) => hs.map((x) => x.textContent)),
    ['CMS admin', 'Hosting', 'Live site', 'Brand guide', 'Backups']);
    assert.equal(await text(page, '.note:not(.message .note)'),
      'Nightly at 02:00.\nKept 30 days.');
    const links = await page.$$eval('main a', (as) => as.map((a) => ({
      href: a.getAttribute('href'), target: a.target, rel: a.rel })));
    assert.deepEqual(links.map((l) => l.href), ['https://cms.example/wp-admin',
      'https://example.com/', 'https://files.example/brand.pdf']);
    for (const l of links) {
      assert.equal(l.target, '_blank');
      assert.equal(l.rel, 'noopener noreferrer');
    }
    // Passwords masked, with a button each once the script runs.
    assert.deepEqual(await page.$$eval('.secret',
      (ss) => ss.map((s) => s.textContent)), [`${MASK}hidden`,
      `${MASK}hidden`]);
    await waitFor(() => page.$$eval('button.reveal',
      (bs) => bs.length === 2 && bs.every((x) => !x.hidden)), 'the buttons');
    assert.ok(!(await page.content()).includes('Correct-Horse-9!'));
    assert.ok(await page.$('form.signoff-form'));

    // Exactly one pack.viewed, through the events and Zapier's trigger,
    // however often the page is shown.
    await waitFor(async () => (await events(d, token))
      .includes('pack.viewed'), 'pack.viewed');
    await page.reload({ waitUntil: 'load' });
    const again = await open(b, url);
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(await events(d, token), ['pack.sent', 'pack.viewed']);
    const trig = await api(d, token, 'GET',
      '/api/v1/zapier/triggers/pack-viewed');
    assert.equal(trig.status, 200);
    assert.equal(trig.json.length, 1);
    assert.equal(trig.json[0].project_id, pid);
    project = await ok(d, token, 'GET', `/api/v1/projects/${pid}`);
    assert.equal(project.status, 'viewed');
    assert.equal(project.firstFetchedAt, fetched);
    assert.ok(project.viewedAt > project.firstFetchedAt,
      `${project.viewedAt} after ${project.firstFetchedAt}`);
    const pack = await ok(d, token, 'GET', `/api/v1/projects/${pid}/pack`);
    assert.equal(pack.firstFetchedAt, fetched);
    assert.equal(pack.viewedAt, project.viewedAt);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(again.problems, []);
  } finally {
    await b.close();
    await stopOk(d);
  }
});

h.test('a prefetcher that runs the page and posts /view records nothing',
  async () => {
    const d = await h.start();
    const b = await browser();
    try {
      const token = h.key(d);
      const { url } = await sentPack(d, token);
      for (const ua of [null, 'Slackbot-LinkExpanding 1.0 ' +
        '(+https://api.slack.com/robots)', 'Mozilla/5.0 (compatible; ' +
        'Discordbot/2.0; +https://discordapp.com)']) {
        const page = await open(b, null, { ua });
        const posted = page.waitForResponse((r) => r.url().endsWith('/view'));
        await page.goto(url, { waitUntil: 'load' });
        assert.equal((await posted).status(), 200);
        assert.deepEqual(page.problems, []);
        await page.close();
      }
      assert.deepEqual(await events(d, token), ['pack.sent']);
    } finally {
      await b.close();
      await stopOk(d);
    }
  });

// Fills the sign-off form and submits it; resolves once the answer page
// has loaded.
async function signOff(page, name, email, comment = '') {
  for (const [sel, v] of [['#signoff-name', name], ['#signoff-email', email],
    ['#signoff-comment', comment]]) {
    await page.$eval(sel, (e) => { e.value = ''; });
    if (v) await page.type(sel, v);
  }
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
    page.click('form.signoff-form button[type=submit]')]);
}

async function signOffFlow(js) {
  const d = await h.start();
  const b = await browser();
  try {
    const token = h.key(d);
    const { pid, url } = await sentPack(d, token);
    const page = await open(b, url, { js, allow: /status of 403/ });
    await signOff(page, 'Jane Smith', 'mallory@example.com', 'Looks good');
    // Refused beside the field, in words, with what was typed kept.
    const err = await page.$eval('#signoff-email', (e) => ({
      next: e.nextElementSibling && e.nextElementSibling.textContent,
      invalid: e.getAttribute('aria-invalid'),
      described: e.getAttribute('aria-describedby'),
      value: e.value }));
    assert.match(err.next, /not the address this pack was sent to/);
    assert.equal(err.invalid, 'true');
    assert.match(err.described, /signoff-email-error/);
    assert.equal(err.value, 'mallory@example.com');
    assert.equal(await page.$eval('#signoff-name', (e) => e.value),
      'Jane Smith');
    assert.equal(await page.$eval('#signoff-comment', (e) => e.value),
      'Looks good');
    assert.ok(!(await events(d, token)).includes('client.signed_off'));
    assert.equal((await api(d, token, 'GET',
      `/api/v1/projects/${pid}/signoff`)).status, 404);

    await signOff(page, 'Jane Smith', 'Jane@Example.com', 'Looks good');
    assert.match(await text(page, '.notice[role=status]'),
      /Thank you, Jane Smith\. Your sign-off is recorded\./);
    assert.match(await text(page, '.signed'),
      /^Signed off by Jane Smith on \d+ \w+ \d{4} at \d\d:\d\d UTC\.$/);
    assert.equal(await page.$('form'), null);
    const types = await events(d, token);
    assert.deepEqual(types, ['pack.sent', 'pack.viewed', 'client.signed_off']);
    const project = await ok(d, token, 'GET', `/api/v1/projects/${pid}`);
    assert.equal(project.status, 'signed_off');
    const so = await ok(d, token, 'GET', `/api/v1/projects/${pid}/signoff`);
    assert.equal(so.signerEmail, 'jane@example.com');
    assert.equal(so.comment, 'Looks good');
    assert.equal(so.userAgent, DESKTOP);

    // Later: who and when, nothing left to sign.
    const later = await open(b, url, { js });
    assert.match(await text(later, '.signed'), /^Signed off by Jane Smith/);
    assert.equal(await later.$('form'), null);
    assert.deepEqual(page.problems, []);
    assert.deepEqual(later.problems, []);
    assert.deepEqual(later.dialogs, []);
  } finally {
    await b.close();
    await stopOk(d);
  }
}

h.test('sign-off through the form with JavaScript off', () => signOffFlow(false));
h.test('sign-off through the form with JavaScript on', () => signOffFlow(true));

h.test('a password shows after a click, is audited, and the link is ' +
  'limited', async () => {
  const d = await h.start();
  const b = await browser();
  try {
    const token = h.key(d);
    const { pid, url, path: share } = await sentPack(d, token);
    const page = await open(b, url);
    const context = page.browserContext();
    await context.overridePermissions(d.base, ['clipboard-read',
      'clipboard-write', 'clipboard-sanitized-write']);
    let reveals = 0;
    page.on('request', (r) => { if (r.url().endsWith('/reveal')) reveals++; });
    await waitFor(() => page.$eval('button.reveal',
      (x) => !x.hidden), 'the reveal button');
    assert.equal(await text(page, '#pw-0-0'), `${MASK}hidden`);
    assert.equal(await page.$eval('dd:has(#pw-0-0) button.copy',
      (x) => x.hidden), true);
    await page.click('button.reveal[data-item="0"]');
    await waitFor(async () => (await text(page, '#pw-0-0')) ===
      'Correct-Horse-9!', 'the password shown');
    // The other one is still masked; hiding and showing again asks
    // nothing more of the server.
    assert.equal(await text(page, '#pw-0-1'), `${MASK}hidden`);
    await page.click('button.reveal[data-item="0"]');
    assert.equal(await text(page, '#pw-0-0'), `${MASK}hidden`);
    await page.click('button.reveal[data-item="0"]');
    assert.equal(await text(page, '#pw-0-0'), 'Correct-Horse-9!');
    assert.equal(reveals, 1);
    const copy = 'dd:has(#pw-0-0) button.copy';
    assert.equal(await page.$eval(copy, (x) => x.hidden), false);
    await page.click(copy);
    await waitFor(async () => /Copied|Selected/.test(await text(page,
      'dd:has(#pw-0-0) .reveal-status')), 'the copy confirmed');

    // The agency's audit: when, which item, from where; no password.
    const audit = await api(d, token, 'GET',
      `/api/v1/projects/${pid}/pack/reveals`);
    assert.equal(audit.status, 200);
    assert.equal(audit.json.data.length, 1);
    assert.equal(audit.json.data[0].label, 'CMS admin');
    assert.equal(audit.json.data[0].section, 0);
    assert.equal(audit.json.data[0].item, 0);
    assert.equal(audit.json.data[0].ipAddress, '127.0.0.1');
    assert.equal(audit.json.data[0].userAgent, DESKTOP);
    assert.ok(!JSON.stringify(audit.json).includes('Correct-Horse'));
    const packJson = await api(d, token, 'GET', `/api/v1/projects/${pid}/pack`);
    assert.ok(!JSON.stringify(packJson.json).includes('Correct-Horse'));
    assert.ok((await events(d, token)).includes('pack.viewed'));
    assert.deepEqual(page.problems, []);

    // The limit: 20 a minute per link, then 429 and the page says so.
    for (let i = 1; i < 20; i++) {
      const r = await fetch(`${d.base}${share}/reveal`, { method: 'POST',
        headers: { 'Content-Type': 'application/json', 'User-Agent': DESKTOP },
        body: JSON.stringify({ section: 0, item: 1, label: 'Hosting' }) });
      assert.equal(r.status, 200, `reveal ${i}`);
    }
    const over = await fetch(`${d.base}${share}/reveal`, { method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ section: 0, item: 1, label: 'Hosting' }) });
    assert.equal(over.status, 429);
    assert.ok(Number(over.headers.get('retry-after')) >= 1);
    const limited = await open(b, url, { allow: /status of 429/ });
    await waitFor(() => limited.$eval('button.reveal[data-item="1"]',
      (x) => !x.hidden), 'the reveal button');
    await limited.click('button.reveal[data-item="1"]');
    await waitFor(async () => /Too many passwords/.test(await text(limited,
      'dd:has(#pw-0-1) .reveal-status')), 'the limit explained');
    assert.equal(await text(limited, '#pw-0-1'), `${MASK}hidden`);
    assert.equal((await api(d, token, 'GET',
      `/api/v1/projects/${pid}/pack/reveals`)).json.data.length, 20);
    assert.deepEqual(limited.problems, []);
  } finally {
    await b.close();
    await stopOk(d);
  }
});

h.test('hostile pack content renders inert', async () => {
  const d = await h.start();
  const b = await browser();
  try {
    const ws = h.cli(d, ['workspace', 'create', '--name',
      '<img src=x onerror="window.pwned=1">', '--plan', 'agency']);
    const token = h.cli(d, ['key', 'create', '--workspace', ws, '--scopes',
      'read,write', '--name', 'node']);
    const evil = {
      sections: [{ title: '<script>window.pwned=2</script>', items: [
        { type: 'link', label: 'javascript:window.pwned=3',
          url: 'https://example.com/?q="><script>window.pwned=4</script>' },
        { type: 'note', label: '" onmouseover="window.pwned=5',
          text: 'javascript:alert(6)\n<iframe src="javascript:alert(7)">' },
        { type: 'credential', label: '\'><svg onload=alert(8)>',
          url: 'https://x.example/"onfocus="alert(9)', username: '<b>u</b>',
          password: 'pw' },
        { type: 'document', label: '<a href="javascript:alert(10)">doc</a>',
          url: '' },
      ] }],
    };
    const { url } = await sentPack(d, token, evil,
      '<svg onload="alert(11)">\'"', '"><script>alert(12)</script>');
    const page = await open(b, url);
    await page.$$eval('.item', (xs) => xs.forEach((x) =>
      x.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }))));
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await page.evaluate(() => window.pwned), undefined);
    assert.deepEqual(page.dialogs, []);
    assert.equal(await page.$$eval('script', (s) => s.length), 1);
    assert.equal(await page.$$eval('img, svg, iframe, b', (s) => s.length), 0);
    const hrefs = await page.$$eval('a[href]', (as) =>
      as.map((a) => a.getAttribute('href')));
    assert.ok(hrefs.every((x) => x === '#main' || /^https:\/\//.test(x)),
      JSON.stringify(hrefs));
    assert.equal(await page.$$eval('[onmouseover], [onload], [onfocus], ' +
      '[onerror]', (s) => s.length), 0);
    // The words are there, as words.
    const body = await page.$eval('body', (x) => x.innerText);
    for (const s of ['<script>window.pwned=2</script>',
      'javascript:window.pwned=3', '" onmouseover="window.pwned=5',
      '<iframe src="javascript:alert(7)">', '\'><svg onload=alert(8)>',
      '<a href="javascript:alert(10)">doc</a>', '<svg onload="alert(11)">',
      '<img src=x onerror="window.pwned=1">'])
      assert.ok(body.includes(s), s);
    assert.equal(await page.title(), '"><script>alert(12)</script> \u2013 ' +
      'handover from <img src=x onerror="window.pwned=1">');
    assert.deepEqual(page.problems, []);
  } finally {
    await b.close();
    await stopOk(d);
  }
});

h.test('320 px wide without sideways scrolling; labelled; keyboard alone ' +
  'reads, reveals and signs', async () => {
  const d = await h.start();
  const b = await browser();
  try {
    const token = h.key(d);
    const long = { sections: [{ title: 'A-very-long-unbroken-section-' +
      'title-that-must-wrap-somewhere-on-a-phone', items: [
      { type: 'link', label: 'x'.repeat(120),
        url: `https://example.com/${'y'.repeat(300)}` },
      ...PACK.sections[0].items] }] };
    const { pid, url } = await sentPack(d, token, long);
    const page = await open(b, null);
    for (const width of [1280, 375, 320]) {
      await page.setViewport({ width, height: 800 });
      await page.goto(url, { waitUntil: 'load' });
      const wide = await page.evaluate(() =>
        document.documentElement.scrollWidth);
      assert.ok(wide <= width, `page is ${wide} px wide at ${width}`);
      if (width !== 320)
        await page.screenshot({ path: path.join(ARTIFACTS,
          `portal-${width}.png`), fullPage: true });
    }
    const unlabelled = await page.$$eval('input, textarea, select',
      (els) => els.filter((e) => !(e.labels && e.labels.length))
        .map((e) => e.id));
    assert.deepEqual(unlabelled, []);
    assert.equal(await page.$$eval('main, header, footer', (x) => x.length),
      3);
    // An automated accessibility pass: labels, landmarks, contrast,
    // names of buttons and links, at phone width.
    assert.deepEqual(await axe(page), [], 'axe on the pack page');

    // Tab to things, and act on them with keys only.
    const tabTo = async (want) => waitFor(async () => {
      await page.keyboard.press('Tab');
      return page.evaluate((w) => document.activeElement &&
        document.activeElement.matches(w), want);
    }, `focus on ${want}`, 15000);
    await waitFor(() => page.$eval('button.reveal', (x) => !x.hidden),
      'the reveal button');
    await tabTo('button.reveal');
    await page.keyboard.press('Enter');
    await waitFor(async () => (await text(page, '#pw-0-1')) ===
      'Correct-Horse-9!', 'the password shown');
    await tabTo('#signoff-name');
    await page.keyboard.type('Jane Smith');
    await page.keyboard.press('Tab');
    await page.keyboard.type('jane@example.com');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Thanks');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() =>
      document.activeElement.getAttribute('type')), 'submit');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
      page.keyboard.press('Enter')]);
    assert.match(await text(page, '.signed'), /^Signed off by Jane Smith/);
    assert.equal((await ok(d, token, 'GET', `/api/v1/projects/${pid}`))
      .status, 'signed_off');
    assert.deepEqual(await axe(page), [], 'axe on the signed page');
    assert.deepEqual(page.problems, []);
  } finally {
    await b.close();
    await stopOk(d);
  }
});

if (!fs.existsSync(CHROMIUM)) {
  console.log('1..0 # SKIP no chromium at ' + CHROMIUM);
} else {
  h.run();
}
