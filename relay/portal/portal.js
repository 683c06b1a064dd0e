'use strict';
// The client portal page's script. The page reads and signs off without
// it; it adds what needs a script: telling the server a person has the
// pack in front of them (once, when the page is shown), and showing and
// copying a password on an explicit click.
(function () {
  const base = location.pathname.replace(/\/+$/, '');

  function post(path, body) {
    const headers = { Accept: 'application/json' };
    if (body) headers['Content-Type'] = 'application/json';
    return fetch(base + path, {
      method: 'POST', headers, credentials: 'same-origin', cache: 'no-store',
      body: body ? JSON.stringify(body) : undefined,
    });
  }

  // A view counts once the page is in front of someone: not while it is
  // prerendered, nor while it sits in a background tab.
  let viewed = false;
  function reportView() {
    if (viewed || document.prerendering ||
        document.visibilityState !== 'visible')
      return;
    viewed = true;
    post('/view').catch(() => { viewed = false; });
  }

  function setupReveal(btn) {
    const target = document.getElementById(btn.getAttribute('aria-controls'));
    const dd = btn.closest('dd');
    const copy = dd.querySelector('button.copy');
    const status = dd.querySelector('.reveal-status');
    const mask = Array.from(target.childNodes, (n) => n.cloneNode(true));
    let password = null;
    let shown = false;

    function show() {
      target.textContent = password;
      btn.textContent = 'Hide password';
      shown = true;
    }
    function hide() {
      target.replaceChildren(...mask.map((n) => n.cloneNode(true)));
      btn.textContent = 'Show password';
      shown = false;
    }

    btn.addEventListener('click', async () => {
      if (password !== null) {
        if (shown) hide(); else show();
        return;
      }
      btn.disabled = true;
      status.textContent = 'Fetching the password…';
      try {
        const res = await post('/reveal', {
          section: Number(btn.dataset.section),
          item: Number(btn.dataset.item),
          label: btn.dataset.label,
        });
        const body = await res.json().catch(() => null);
        if (res.ok && body && body.data &&
            typeof body.data.password === 'string') {
          password = body.data.password;
          show();
          copy.hidden = false;
          status.textContent = '';
        } else if (res.status === 429) {
          const wait = res.headers.get('Retry-After') || 'a few';
          status.textContent = 'Too many passwords were shown through ' +
            `this link just now. Try again in ${wait} seconds.`;
        } else if (res.status === 409) {
          status.textContent = 'This pack has changed since the page ' +
            'was opened. Reload the page.';
        } else {
          status.textContent = 'The password could not be shown. Try again.';
        }
      } catch (e) {
        status.textContent = 'The password could not be shown. Check the ' +
          'connection and try again.';
      }
      btn.disabled = false;
    });

    copy.addEventListener('click', async () => {
      if (password === null) return;
      try {
        await navigator.clipboard.writeText(password);
        status.textContent = 'Copied.';
      } catch (e) {
        // No clipboard here: select the password for a manual copy.
        show();
        const range = document.createRange();
        range.selectNodeContents(target);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
        status.textContent = 'Selected: copy it with Ctrl+C (⌘C on a Mac).';
      }
    });
    btn.hidden = false;
  }

  // Only a pack's page reports and reveals; "link not found" does not.
  if (!document.querySelector('main.pack-page')) return;
  document.querySelectorAll('button.reveal').forEach(setupReveal);
  document.addEventListener('visibilitychange', reportView);
  document.addEventListener('prerenderingchange', reportView);
  reportView();
}());
