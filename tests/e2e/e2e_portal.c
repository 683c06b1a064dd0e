/*
 * e2e_portal.c: the client portal's web page over HTTP, against the
 * running daemon on the embedded store: page or JSON by Accept, the
 * page's headers and escaping, its files, the sign-off form posted as a
 * browser posts it, password reveals (limited per link, audited for the
 * agency), and prefetchers that record no view. What a browser does with
 * the page is tests/node/portal.test.js.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "tests/e2e/harness.h"

#define HOSTILE_NAME	"<script>alert('name')</script>"

struct env {
	char	ws[64];
	char	tok[64];
	char	pid[64];
	char	portal[128];	/* "/p/TOKEN" */
};

static int
req(const struct fzd *d, const char *method, const char *path,
    const char *tok, const char *h1, const char *h2, const char *body,
    struct fzh_res *res)
{
	char auth[256];
	const char *hdrs[4];
	size_t n = 0;

	if (tok != NULL) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
		hdrs[n++] = auth;
	}
	if (h1 != NULL)
		hdrs[n++] = h1;
	if (h2 != NULL)
		hdrs[n++] = h2;
	hdrs[n] = NULL;
	return fzh_http(d, method, path, hdrs, body, body != NULL ?
	    strlen(body) : 0, res);
}

static void
ok_json(const struct fzd *d, const char *method, const char *path,
    const char *tok, const char *body, int status, struct fzh_res *res)
{
	req(d, method, path, tok, body != NULL ?
	    "Content-Type: application/json" : NULL, NULL, body, res);
	fzh_assert_envelope(res, status, NULL);
}

/*
 * Starts the daemon with an agency workspace, and a project for
 * jane@example.com whose pack says hostile things everywhere the agency
 * writes, with one credential (password pw) and one without; sends it.
 */
static void
boot(struct fzd *d, struct env *e, const char *pw)
{
	char body[2048], path[256];
	const char *url;
	struct fzh_res res;

	fzh_workspace(d->dir, "Acme \"<b>Agency</b>\"", "agency", e->ws,
	    sizeof(e->ws));
	fzh_key(d->dir, e->ws, "read,write", "e2e", e->tok, sizeof(e->tok));
	fzh_start(d, NULL, NULL);
	ok_json(d, "POST", "/api/v1/projects", e->tok, "{\"name\":\"Site "
	    "<img src=x onerror=alert(1)>\",\"clientName\":\"Jane\","
	    "\"clientEmail\":\"jane@example.com\",\"projectType\":\"Web\","
	    "\"launchDate\":\"2026-06-01\"}", 201, &res);
	snprintf(e->pid, sizeof(e->pid), "%s", fzh_json_str(&res, "data.id"));
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack", e->pid);
	snprintf(body, sizeof(body), "{\"sections\":[{\"title\":\"Access "
	    "<script>alert('s')</script>\",\"items\":["
	    "{\"type\":\"credential\",\"label\":\"CMS \\\"admin\\\" <i>\","
	    "\"url\":\"https://cms.example/a?b=\\\"><script>alert(2)"
	    "</script>\","
	    "\"username\":\"jane<u>\",\"password\":\"%s\"},"
	    "{\"type\":\"credential\",\"label\":\"Empty\"},"
	    "{\"type\":\"link\",\"label\":\"javascript:alert(3)\",\"url\":"
	    "\"https://example.com/#javascript:alert(4)\"},"
	    "{\"type\":\"note\",\"label\":\"Note' onmouseover='alert(5)\","
	    "\"text\":\"javascript:alert(6)\\n<script>alert(7)</script>\"}"
	    "]}]}", pw);
	ok_json(d, "PUT", path, e->tok, body, 200, &res);
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/send", e->pid);
	ok_json(d, "POST", path, e->tok, "{\"personalMessage\":\"Hello "
	    "<svg onload=alert(8)> & 'bye'\"}", 200, &res);
	url = fzh_json_str(&res, "data.share_url");
	assert_non_null(url);
	snprintf(e->portal, sizeof(e->portal), "%s", strstr(url + 7, "/p/"));
	fzh_res_free(&res);
}

/* Writes the event types of the workspace, oldest first, into out. */
static const char *
events(const struct fzd *d, const struct env *e, char *out, size_t size)
{
	struct fzh_res res;
	const json_t *ev;
	size_t i, n = 0;

	ok_json(d, "GET", "/api/v1/events?limit=100", e->tok, NULL, 200, &res);
	out[0] = '\0';
	json_array_foreach(fzh_json_get(&res, "data"), i, ev)
		n += (size_t)snprintf(out + n, size - n, "%s%s", i ? "," : "",
		    json_string_value(json_object_get(ev, "type")));
	fzh_res_free(&res);
	return out;
}

static void
assert_events(const struct fzd *d, const struct env *e, const char *want)
{
	char got[512];

	fzh_assert_str(events(d, e, got, sizeof(got)), want);
}

/* Counts needle in the body of res. */
static int
count(const struct fzh_res *res, const char *needle)
{
	const char *p = res->body;
	int n = 0;

	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return n;
}

/* Asserts res is the portal page (or its problem page) with status and
 * the headers every portal page carries. */
static void
assert_page(const struct fzh_res *res, int status)
{
	const char *csp = fzh_header(res, "Content-Security-Policy");

	if (res->status != status)
		fail_msg("status %d, want %d: %s", res->status, status,
		    res->body);
	fzh_assert_str(fzh_header(res, "Content-Type"),
	    "text/html; charset=utf-8");
	if (csp == NULL)
		fail_msg("no Content-Security-Policy");
	assert_non_null(strstr(csp, "default-src 'none'"));
	assert_non_null(strstr(csp, "script-src 'self'"));
	assert_non_null(strstr(csp, "style-src 'self'"));
	assert_non_null(strstr(csp, "form-action 'self'"));
	assert_non_null(strstr(csp, "frame-ancestors 'none'"));
	assert_null(strstr(csp, "unsafe"));
	assert_null(strstr(csp, "*"));
	fzh_assert_str(fzh_header(res, "Referrer-Policy"), "no-referrer");
	fzh_assert_str(fzh_header(res, "X-Robots-Tag"), "noindex");
	fzh_assert_str(fzh_header(res, "X-Content-Type-Options"), "nosniff");
	fzh_assert_str(fzh_header(res, "Cache-Control"), "no-store");
	assert_non_null(fzh_header(res, "X-Request-ID"));
}

/* Nothing the agency or the client wrote is markup or a script. */
static void
assert_inert(const struct fzh_res *res)
{
	/* Our one script, by its own file. */
	assert_int_equal(count(res, "<script"), 1);
	assert_int_equal(count(res, "<script src=\"/p/assets/portal.js\" "
	    "defer></script>"), 1);
	assert_false(fzh_match("<[a-z]+[^>]* on[a-z]+=", res->body));
	assert_false(fzh_match("style=", res->body));
	assert_false(fzh_match("href=\"[^h/#]", res->body));
	assert_false(fzh_match("href=\"javascript", res->body));
	assert_false(fzh_match("<(img|svg|iframe|object|embed|u|b|i)[ >]",
	    res->body));
	assert_false(fzh_match("(src|href)=\"(https?:)?//[^\"]*\\.(js|css)",
	    res->body));
}

/*
 * A person gets the page, a program asking for JSON the portal's JSON,
 * as it always was; the page is escaped, framed by nothing, indexed by
 * no one, and loads only its own files.
 */
static void
test_page_or_json(void **state)
{
	struct fzd *d = *state;
	struct env e;
	struct fzh_res res;
	char path[256];

	boot(d, &e, "s3cret-Pass");
	/* No Accept, a browser's, or JSON not preferred: the page. */
	req(d, "GET", e.portal, NULL, NULL, NULL, NULL, &res);
	assert_page(&res, 200);
	fzh_assert_str(fzh_header(&res, "Vary"), "Accept");
	assert_inert(&res);
	assert_non_null(strstr(res.body, "<title>Site &lt;img src=x "
	    "onerror=alert(1)&gt; \xe2\x80\x93 handover from Acme &quot;&lt;b"
	    "&gt;Agency&lt;/b&gt;&quot;</title>"));
	assert_non_null(strstr(res.body, "<h2 id=\"sec-0\">Access &lt;script"
	    "&gt;alert(&#39;s&#39;)&lt;/script&gt;</h2>"));
	assert_non_null(strstr(res.body, "Hello &lt;svg onload=alert(8)&gt; "
	    "&amp; &#39;bye&#39;"));
	assert_non_null(strstr(res.body, "<a href=\"https://cms.example/a?b="
	    "&quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;\" "
	    "target=\"_blank\" rel=\"noopener noreferrer\">"));
	assert_non_null(strstr(res.body, "<h3>Note&#39; onmouseover=&#39;"
	    "alert(5)</h3>"));
	assert_non_null(strstr(res.body, "javascript:alert(6)\n&lt;script&gt;"
	    "alert(7)&lt;/script&gt;"));
	/* Masked: the password is nowhere in the page. */
	assert_null(strstr(res.body, "s3cret-Pass"));
	assert_non_null(strstr(res.body, "class=\"reveal\" data-section=\"0\" "
	    "data-item=\"0\" data-label=\"CMS &quot;admin&quot; &lt;i&gt;\""));
	assert_int_equal(count(&res, "class=\"reveal\""), 1);
	assert_non_null(strstr(res.body, "<label for=\"signoff-email\">"));
	assert_non_null(strstr(res.body, "<form method=\"post\""));
	fzh_res_free(&res);
	req(d, "GET", e.portal, NULL, "Accept: text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,*/*;q=0.8", NULL, NULL, &res);
	assert_page(&res, 200);
	fzh_res_free(&res);
	req(d, "GET", e.portal, NULL, "Accept: text/html, application/json",
	    NULL, NULL, &res);
	assert_page(&res, 200);
	fzh_res_free(&res);
	req(d, "HEAD", e.portal, NULL, NULL, NULL, NULL, &res);
	assert_page(&res, 200);
	assert_int_equal(res.len, 0);
	fzh_res_free(&res);

	/* JSON when it is preferred: the portal's answer, unchanged. */
	req(d, "GET", e.portal, NULL, "Accept: application/json", NULL, NULL,
	    &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"), "sent");
	fzh_assert_str(fzh_json_str(&res, "data.agency.name"),
	    "Acme \"<b>Agency</b>\"");
	assert_null(fzh_json_get(&res, "data.project.firstFetchedAt"));
	fzh_assert_str(fzh_header(&res, "Vary"), "Accept");
	fzh_res_free(&res);
	req(d, "GET", e.portal, NULL, "Accept: application/json, text/plain, "
	    "*/*", NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);

	/* A link that opens nothing: a page for a person, 404 for a
	 * program. */
	req(d, "GET", "/p/unknowntoken", NULL, NULL, NULL, NULL, &res);
	assert_page(&res, 404);
	assert_non_null(strstr(res.body, "<title>Link not found</title>"));
	assert_null(strstr(res.body, "pack-page"));
	fzh_res_free(&res);
	req(d, "GET", "/p/unknowntoken", NULL, "Accept: application/json",
	    NULL, NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);

	/* The page's own files, and nothing else under them. */
	req(d, "GET", "/p/assets/portal.js", NULL, NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	fzh_assert_str(fzh_header(&res, "Content-Type"),
	    "text/javascript; charset=utf-8");
	assert_non_null(strstr(res.body, "/reveal"));
	fzh_res_free(&res);
	req(d, "GET", "/p/assets/portal.css", NULL, NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	fzh_assert_str(fzh_header(&res, "Content-Type"),
	    "text/css; charset=utf-8");
	fzh_res_free(&res);
	req(d, "GET", "/p/assets/icon.svg", NULL, NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	fzh_res_free(&res);
	req(d, "GET", "/p/assets/nope.js", NULL, NULL, NULL, NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);

	/* Pages are not the API; the reveal and its audit are. */
	req(d, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(fzh_json_get(&res, "paths"));
	assert_null(json_object_get(fzh_json_get(&res, "paths"),
	    "/p/assets/{file}"));
	assert_null(json_object_get(json_object_get(fzh_json_get(&res,
	    "paths"), "/p/{token}"), "post"));
	assert_non_null(json_object_get(json_object_get(fzh_json_get(&res,
	    "paths"), "/p/{token}/reveal"), "post"));
	assert_non_null(json_object_get(json_object_get(fzh_json_get(&res,
	    "paths"), "/api/v1/projects/{id}/pack/reveals"), "get"));
	fzh_res_free(&res);

	/* Reading the page records no view. */
	assert_events(d, &e, "pack.sent");
	snprintf(path, sizeof(path), "/api/v1/projects/%s", e.pid);
	ok_json(d, "GET", path, e.tok, NULL, 200, &res);
	fzh_assert_str(fzh_json_str(&res, "data.status"), "sent");
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

/* Posts the sign-off form as a browser does. */
static void
post_form(const struct fzd *d, const struct env *e, const char *body,
    struct fzh_res *res)
{
	req(d, "POST", e->portal, NULL, "Content-Type: "
	    "application/x-www-form-urlencoded", "User-Agent: Mozilla/5.0 "
	    "(X11; Linux x86_64) Firefox/121.0", body, res);
}

/*
 * Signing off needs no JavaScript: the form posts to the page's own
 * address and gets the page back, with each problem beside its field,
 * or with the confirmation; a signed pack shows who and when, and no
 * form.
 */
static void
test_form_signoff(void **state)
{
	struct fzd *d = *state;
	struct env e;
	struct fzh_res res;
	char path[256];

	boot(d, &e, "pw-form");
	/* Not the client's address: refused beside the field, values kept,
	 * nothing recorded. */
	post_form(d, &e, "name=Jane+Doe&email=mallory%40example.com&comment="
	    "Looks+%3Cgood%3E", &res);
	assert_page(&res, 403);
	assert_inert(&res);
	assert_true(fzh_match("<input id=\"signoff-email\" [^>]*"
	    "aria-describedby=\"signoff-email-hint signoff-email-error\" "
	    "aria-invalid=\"true\" value=\"mallory@example.com\">\n"
	    "<p class=\"field-error\" id=\"signoff-email-error\">This is not "
	    "the address this pack was sent to\\.", res.body));
	assert_non_null(strstr(res.body, "value=\"Jane Doe\""));
	assert_non_null(strstr(res.body, ">Looks &lt;good&gt;</textarea>"));
	assert_null(strstr(res.body, "signoff-name-error"));
	fzh_res_free(&res);
	/* Missing and malformed fields, each in words. */
	post_form(d, &e, "name=&email=jane", &res);
	assert_page(&res, 400);
	assert_non_null(strstr(res.body, "id=\"signoff-name-error\">Enter your "
	    "name.</p>"));
	assert_non_null(strstr(res.body, "id=\"signoff-email-error\">Enter an "
	    "email address such as name@example.com.</p>"));
	fzh_res_free(&res);
	post_form(d, &e, "name=Jane%zz", &res);
	assert_page(&res, 400);
	fzh_res_free(&res);
	req(d, "POST", e.portal, NULL, "Content-Type: application/json", NULL,
	    "{\"name\":\"Jane\",\"email\":\"jane@example.com\"}", &res);
	assert_page(&res, 415);
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/signoff", e.pid);
	req(d, "GET", path, e.tok, NULL, NULL, NULL, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	assert_events(d, &e, "pack.sent");

	/* The client's address, in any case: signed, confirmed. */
	post_form(d, &e, "name=%3Cscript%3Ealert%28%27name%27%29%3C%2Fscript%3E"
	    "&email=JANE%40Example.com&comment=All+good", &res);
	assert_page(&res, 200);
	assert_inert(&res);
	assert_non_null(strstr(res.body, "role=\"status\"><p>Thank you, "
	    "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;. Your sign-off "
	    "is recorded.</p>"));
	assert_true(fzh_match("Signed off by <strong>&lt;script&gt;alert\\("
	    "&#39;name&#39;\\)&lt;/script&gt;</strong> on <time datetime=\""
	    "[0-9T:.-]+Z\">", res.body));
	assert_null(strstr(res.body, "<form"));
	fzh_res_free(&res);
	assert_events(d, &e, "pack.sent,pack.viewed,client.signed_off");
	req(d, "GET", path, e.tok, NULL, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.signerName"), HOSTILE_NAME);
	fzh_assert_str(fzh_json_str(&res, "data.signerEmail"),
	    "jane@example.com");
	fzh_assert_str(fzh_json_str(&res, "data.ipAddress"), "127.0.0.1");
	fzh_assert_str(fzh_json_str(&res, "data.userAgent"),
	    "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0");
	fzh_res_free(&res);

	/* Once: a second post is told so, and the page offers no form. */
	post_form(d, &e, "name=Jane&email=jane%40example.com", &res);
	assert_page(&res, 409);
	assert_non_null(strstr(res.body, "role=\"alert\"><p>This pack was "
	    "already signed off.</p>"));
	assert_null(strstr(res.body, "<form"));
	fzh_res_free(&res);
	req(d, "GET", e.portal, NULL, NULL, NULL, NULL, &res);
	assert_page(&res, 200);
	assert_null(strstr(res.body, "<form"));
	assert_non_null(strstr(res.body, "Signed off by <strong>"));
	fzh_res_free(&res);
	/* An unknown link's form is a page too. */
	req(d, "POST", "/p/unknowntoken", NULL, "Content-Type: "
	    "application/x-www-form-urlencoded", NULL, "name=a&email=b%40c.d",
	    &res);
	assert_page(&res, 404);
	fzh_res_free(&res);
	assert_events(d, &e, "pack.sent,pack.viewed,client.signed_off");
	fzh_stop_ok(d);
}

/* POSTs a reveal of item in section 0 labelled label, with ua. */
static int
reveal(const struct fzd *d, const struct env *e, int item,
    const char *label, const char *ua, struct fzh_res *res)
{
	char path[160], body[256], hdr[256];

	snprintf(path, sizeof(path), "%s/reveal", e->portal);
	snprintf(body, sizeof(body), "{\"section\":0,\"item\":%d,\"label\":"
	    "\"%s\"}", item, label);
	snprintf(hdr, sizeof(hdr), "User-Agent: %s", ua);
	return req(d, "POST", path, NULL, "Content-Type: application/json",
	    hdr, body, res);
}

#define BROWSER	"Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
#define CMS	"CMS \\\"admin\\\" <i>"

/*
 * A password reaches the client on an explicit POST, per item, at most
 * 20 a minute per link; every reveal is in the agency's audit list,
 * which never holds the password.
 */
static void
test_reveal(void **state)
{
	struct fzd *d = *state;
	struct env e;
	struct fzh_res res;
	char path[512], cursor[200], rtok[64];
	const char *ra, *s;
	int i;

	boot(d, &e, "Reveal-Me-9");
	fzh_key(d->dir, e.ws, "read", "reader", rtok, sizeof(rtok));
	snprintf(path, sizeof(path), "%s/reveal", e.portal);
	/* Checked at the edge: every bad field named at once. */
	req(d, "POST", path, NULL, "Content-Type: application/json", NULL,
	    "{\"section\":-1,\"item\":\"0\"}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_int_equal(json_array_size(fzh_json_get(&res, "error.details")),
	    3);
	fzh_res_free(&res);
	req(d, "POST", path, NULL, "Content-Type: application/x-www-form-"
	    "urlencoded", NULL, "section=0&item=0&label=CMS", &res);
	fzh_assert_envelope(&res, 415, "UNSUPPORTED_MEDIA_TYPE");
	fzh_res_free(&res);
	/* Only a credential with a password, still where the page saw it. */
	reveal(d, &e, 1, "Empty", BROWSER, &res);
	fzh_assert_envelope(&res, 404, "NOT_FOUND");
	fzh_res_free(&res);
	reveal(d, &e, 2, "javascript:alert(3)", BROWSER, &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	reveal(d, &e, 0, "CMS", BROWSER, &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	reveal(d, &e, 0, CMS, BROWSER, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.password"), "Reveal-Me-9");
	fzh_assert_str(fzh_header(&res, "Cache-Control"), "no-store");
	fzh_res_free(&res);
	/* Revealing is acting on the pack: the view is recorded. */
	assert_events(d, &e, "pack.sent,pack.viewed");

	/* The limit, per link: 20 in any minute, then 429 until one
	 * ages out. */
	for (i = 1; i < 20; i++) {
		reveal(d, &e, 0, CMS, BROWSER, &res);
		fzh_assert_envelope(&res, 200, NULL);
		fzh_res_free(&res);
	}
	reveal(d, &e, 0, CMS, BROWSER, &res);
	fzh_assert_envelope(&res, 429, "RATE_LIMITED");
	ra = fzh_header(&res, "Retry-After");
	assert_non_null(ra);
	assert_true(atoi(ra) >= 1 && atoi(ra) <= 60);
	assert_null(strstr(res.body, "Reveal-Me-9"));
	fzh_res_free(&res);

	/* The audit, for a read key: newest first, paged, no password. */
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/reveals?"
	    "limit=15", e.pid);
	ok_json(d, "GET", path, rtok, NULL, 200, &res);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 15);
	assert_null(strstr(res.body, "Reveal-Me-9"));
	s = json_string_value(json_object_get(json_array_get(fzh_json_get(&res,
	    "data"), 0), "label"));
	fzh_assert_str(s, "CMS \"admin\" <i>");
	snprintf(cursor, sizeof(cursor), "%s", fzh_json_str(&res,
	    "meta.next_cursor"));
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/reveals?"
	    "limit=15&cursor=%s", e.pid, cursor);
	ok_json(d, "GET", path, rtok, NULL, 200, &res);
	assert_int_equal(json_array_size(fzh_json_get(&res, "data")), 5);
	assert_null(fzh_json_get(&res, "meta.next_cursor"));
	fzh_res_free(&res);
	/* A cursor of another project's list is no cursor here. */
	snprintf(path, sizeof(path), "/api/v1/projects/project_"
	    "AbCdEfGhIjKlMnOpQrSt/pack/reveals?cursor=%s", cursor);
	req(d, "GET", path, rtok, NULL, NULL, NULL, &res);
	assert_int_equal(res.status, 400);
	fzh_res_free(&res);
	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/reveals",
	    e.pid);
	req(d, "GET", path, NULL, NULL, NULL, NULL, &res);
	fzh_assert_envelope(&res, 401, "*");
	fzh_res_free(&res);
	assert_events(d, &e, "pack.sent,pack.viewed");
	fzh_stop_ok(d);
}

/*
 * Prefetchers fetch and even post before any person: none records a
 * view, whatever it sends. A browser's report does, once.
 */
static void
test_prefetchers_record_no_view(void **state)
{
	static const char *const bots[] = {
		"Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
		"facebookexternalhit/1.1", "Twitterbot/1.0", "LinkedInBot/1.0",
		"WhatsApp/2.23.20.0",
		"Mozilla/5.0 (compatible; Discordbot/2.0)",
		"TelegramBot (like TwitterBot)", "Microsoft Office Existence "
		"Discovery", "Mozilla/5.0 (compatible; Google-Safety)",
		"Mozilla/5.0 (compatible; Applebot/0.1)", "SkypeUriPreview",
		"Mozilla/5.0 (X11) HeadlessChrome/120.0.0.0",
	};
	struct fzd *d = *state;
	struct env e;
	struct fzh_res res;
	char path[256], hdr[256];
	size_t i;

	boot(d, &e, "pw-bots");
	snprintf(path, sizeof(path), "%s/view", e.portal);
	for (i = 0; i < sizeof(bots) / sizeof(bots[0]); i++) {
		snprintf(hdr, sizeof(hdr), "User-Agent: %s", bots[i]);
		req(d, "GET", e.portal, NULL, hdr, NULL, NULL, &res);
		assert_page(&res, 200);
		fzh_res_free(&res);
		req(d, "POST", path, NULL, hdr, NULL, NULL, &res);
		fzh_assert_envelope(&res, 200, NULL);
		fzh_assert_str(fzh_json_str(&res, "data.project.status"),
		    "sent");
		fzh_res_free(&res);
	}
	/* A scanner's reveal shows the password but is no view. */
	reveal(d, &e, 0, CMS, bots[0], &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	assert_events(d, &e, "pack.sent");
	req(d, "POST", path, NULL, "User-Agent: " BROWSER, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_assert_str(fzh_json_str(&res, "data.project.status"), "viewed");
	fzh_res_free(&res);
	req(d, "POST", path, NULL, "User-Agent: " BROWSER, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	assert_events(d, &e, "pack.sent,pack.viewed");
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_page_or_json),
		T(test_form_signoff),
		T(test_reveal),
		T(test_prefetchers_record_no_view),
	};

	return cmocka_run_group_tests_name("e2e_portal", tests,
	    fzh_group_setup, fzh_group_teardown);
}
