/*
 * e2e_filters.c: filtered lists and the Zapier endpoints behind the
 * app's dropdowns and searches, against the running daemon: every
 * filter of GET /projects and GET /clients and their combinations,
 * status filters following sends, views and sign-offs, paging across
 * pages under a filter, cursors bound to their filter, the 400 of each
 * value that cannot match; the Zapier lists, searches and create-client
 * (idempotent on the email) with their paging, plans and scopes. Run
 * again against an edge on store = http (tests/e2e/http_filters.sh).
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

#define MAXIDS		32
#define UNKNOWN_CLIENT	"client_AbCdEfGhIjKlMnOpQrSt"

/* Ids a list answered, newest first. */
struct ids {
	char	v[MAXIDS][64];
	size_t	n;
};

/* Creates a project for a new or matching client; returns its id and
 * its client's (cid may be NULL), each >= 64 bytes. */
static void
mkproject(const struct fzd *d, const char *tok, const char *name,
    const char *cname, const char *email, char *id, char *cid)
{
	struct fzh_res res;
	char body[512];

	snprintf(body, sizeof(body), "{\"name\":\"%s\",\"clientName\":\"%s\","
	    "\"clientEmail\":\"%s\",\"projectType\":\"Web Design\","
	    "\"launchDate\":\"2026-06-01\"}", name, cname, email);
	fzh_api(d, "POST", "/api/v1/projects", tok, NULL, body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.id", id, 64);
	if (cid != NULL)
		fzh_copy_str(&res, "data.clientId", cid, 64);
	fzh_res_free(&res);
}

/* Sends the project's pack; returns its portal path ("/p/TOKEN"). */
static void
send_pack(const struct fzd *d, const char *tok, const char *pid,
    char *portal)
{
	struct fzh_res res;
	char path[256];
	const char *url, *p;

	snprintf(path, sizeof(path), "/api/v1/projects/%s/pack/send", pid);
	fzh_api(d, "POST", path, tok, NULL, "{}", &res);
	fzh_assert_envelope(&res, 200, NULL);
	url = fzh_json_str(&res, "data.share_url");
	if (url == NULL || (p = strstr(url + 7, "/p/")) == NULL)
		fail_msg("no share_url: %s", res.body);
	snprintf(portal, 128, "%s", p);
	fzh_res_free(&res);
}

/* The client views the pack (on the store's portal). */
static void
view_pack(const struct fzd *d, const char *portal)
{
	struct fzh_res res;
	char path[192];

	snprintf(path, sizeof(path), "%s/view", portal);
	fzh_api(fzh_portal(d), "POST", path, NULL, NULL, NULL, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
}

static void
sign_off(const struct fzd *d, const char *portal, const char *email)
{
	struct fzh_res res;
	char path[192], body[256];

	snprintf(path, sizeof(path), "%s/signoff", portal);
	snprintf(body, sizeof(body), "{\"name\":\"Signer\",\"email\":\"%s\"}",
	    email);
	fzh_api(fzh_portal(d), "POST", path, NULL, NULL, body, &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_res_free(&res);
}

/* Collects the ids of a JSON array of records into out. */
static void
collect(const struct fzh_res *res, const json_t *arr, struct ids *out)
{
	const json_t *r;
	const char *id;
	size_t i;

	if (!json_is_array(arr))
		fail_msg("not a list: %s", res->body);
	out->n = 0;
	json_array_foreach(arr, i, r) {
		id = json_string_value(json_object_get(r, "id"));
		if (id == NULL || out->n == MAXIDS)
			fail_msg("unexpected record: %s", res->body);
		snprintf(out->v[out->n++], 64, "%s", id);
	}
}

/* GETs an envelope list page: its ids into out, its next cursor into
 * cur (>= 128 bytes; "" at the end). */
static void
page(const struct fzd *d, const char *path, const char *tok,
    struct ids *out, char *cur)
{
	struct fzh_res res;
	const char *nc;

	fzh_get(d, path, tok, &res);
	if (res.status != 200)
		fail_msg("GET %s: %d %s", path, res.status, res.body);
	fzh_assert_envelope(&res, 200, NULL);
	collect(&res, fzh_json_get(&res, "data"), out);
	nc = fzh_json_str(&res, "meta.next_cursor");
	snprintf(cur, 128, "%s", nc != NULL ? nc : "");
	fzh_res_free(&res);
}

/* GETs a Zapier page (a bare array): its ids and X-Next-Cursor. The
 * answer is kept in res when res is not NULL (caller frees). */
static void
zpage(const struct fzd *d, const char *path, const char *tok,
    struct ids *out, char *cur, struct fzh_res *keep)
{
	struct fzh_res res;
	const char *nc, *ct;

	fzh_get(d, path, tok, &res);
	if (res.status != 200)
		fail_msg("GET %s: %d %s", path, res.status, res.body);
	ct = fzh_header(&res, "Content-Type");
	if (ct == NULL || strncmp(ct, "application/json", 16) != 0)
		fail_msg("GET %s: Content-Type %s", path, ct ? ct : "(none)");
	assert_non_null(fzh_header(&res, "X-Request-ID"));
	collect(&res, res.json, out);
	nc = fzh_header(&res, "X-Next-Cursor");
	snprintf(cur, 128, "%s", nc != NULL ? nc : "");
	if (keep != NULL)
		*keep = res;
	else
		fzh_res_free(&res);
}

/* Asserts got holds exactly the ids of want (NULL-terminated), in that
 * order. */
static void
assert_ids(const char *what, const struct ids *got, const char *const *want)
{
	size_t n;

	for (n = 0; want[n] != NULL; n++)
		if (n >= got->n || strcmp(got->v[n], want[n]) != 0)
			fail_msg("%s: record %zu is %s, want %s", what, n,
			    n < got->n ? got->v[n] : "(none)", want[n]);
	if (got->n != n)
		fail_msg("%s: %zu records, want %zu", what, got->n, n);
}

/* GETs one envelope page of path (expecting no more) and asserts its
 * ids. */
static void
expect(const struct fzd *d, const char *tok, const char *path,
    const char *const *want)
{
	struct ids got;
	char cur[128];

	page(d, path, tok, &got, cur);
	if (cur[0] != '\0')
		fail_msg("GET %s: a next_cursor on the last page", path);
	assert_ids(path, &got, want);
}

/* As expect, for a Zapier list (bare array, X-Next-Cursor). */
static void
zexpect(const struct fzd *d, const char *tok, const char *path,
    const char *const *want)
{
	struct ids got;
	char cur[128];

	zpage(d, path, tok, &got, cur, NULL);
	if (cur[0] != '\0')
		fail_msg("GET %s: X-Next-Cursor on the last page", path);
	assert_ids(path, &got, want);
}

/* Follows the cursors of path (which has a query) from the first page:
 * every id once, pages of at most limit; returns the pages. zapier:
 * bare arrays with X-Next-Cursor. */
static int
walk(const struct fzd *d, const char *tok, const char *path, size_t limit,
    int zapier, struct ids *all)
{
	struct ids got;
	char url[768], cur[128];
	size_t i, j;
	int pages = 0;

	all->n = 0;
	cur[0] = '\0';
	do {
		snprintf(url, sizeof(url), "%s&limit=%zu%s%s", path, limit,
		    cur[0] ? "&cursor=" : "", cur);
		if (zapier)
			zpage(d, url, tok, &got, cur, NULL);
		else
			page(d, url, tok, &got, cur);
		if (got.n > limit)
			fail_msg("GET %s: %zu records", url, got.n);
		if (cur[0] != '\0' && got.n != limit)
			fail_msg("GET %s: a short page with a cursor", url);
		for (i = 0; i < got.n; i++) {
			for (j = 0; j < all->n; j++)
				if (strcmp(all->v[j], got.v[i]) == 0)
					fail_msg("%s listed twice", got.v[i]);
			if (all->n == MAXIDS)
				fail_msg("too many records");
			snprintf(all->v[all->n++], 64, "%s", got.v[i]);
		}
		if (++pages > MAXIDS)
			fail_msg("the cursors of %s do not end", path);
	} while (cur[0] != '\0');
	return pages;
}

/* Returns 1 if res's error details name field. */
static int
names_field(const struct fzh_res *res, const char *field)
{
	const json_t *d;
	const char *f;
	size_t i;

	json_array_foreach(fzh_json_get(res, "error.details"), i, d) {
		f = json_string_value(json_object_get(d, "field"));
		if (f != NULL && strcmp(f, field) == 0)
			return 1;
	}
	return 0;
}

/* GETs path and asserts 400 VALIDATION_ERROR naming exactly the fields
 * of want (NULL-terminated). */
static void
expect_invalid(const struct fzd *d, const char *tok, const char *path,
    const char *const *want)
{
	struct fzh_res res;
	size_t n;

	fzh_get(d, path, tok, &res);
	if (res.status != 400)
		fail_msg("GET %s: %d, want 400: %s", path, res.status,
		    res.body);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	for (n = 0; want[n] != NULL; n++)
		if (!names_field(&res, want[n]))
			fail_msg("GET %s does not name %s: %s", path, want[n],
			    res.body);
	if (json_array_size(fzh_json_get(&res, "error.details")) != n)
		fail_msg("GET %s names other fields: %s", path, res.body);
	fzh_res_free(&res);
}

static void
expect_invalid1(const struct fzd *d, const char *tok, const char *path,
    const char *field)
{
	const char *want[] = { field, NULL };

	expect_invalid(d, tok, path, want);
}

/* Asserts the keys of object o are exactly those of want. */
static void
assert_keys(const struct fzh_res *res, const json_t *o,
    const char *const *want)
{
	size_t n;

	if (!json_is_object(o))
		fail_msg("not an object: %s", res->body);
	for (n = 0; want[n] != NULL; n++)
		if (json_object_get(o, want[n]) == NULL)
			fail_msg("no %s in %s", want[n], res->body);
	if (json_object_size(o) != n)
		fail_msg("other fields than the %zu expected: %s", n,
		    res->body);
}

/* The records the filter tests share: two clients with projects, one
 * without, the projects moved through every status. */
struct fixture {
	char	ws[64], tok[64];
	char	ca[64], cb[64], cc[64];	/* alice, bob, carol */
	char	p[6][64];		/* p[1]..p[5], oldest first */
	char	portal1[128];
};

static void
fixture_make(struct fzd *d, struct fixture *f)
{
	struct fzh_res res;
	char portal[128];

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", f->ws, f->tok);
	fzh_start(d, NULL, NULL);
	mkproject(d, f->tok, "Website Redesign", "Alice Archer",
	    "alice@example.com", f->p[1], f->ca);
	mkproject(d, f->tok, "Caf\\u00e9 Zo\\u00eb brand", "Alice Archer",
	    "Alice@Example.com", f->p[2], NULL);
	mkproject(d, f->tok, "SEO audit", "Alice Archer",
	    "alice@example.com", f->p[3], NULL);
	mkproject(d, f->tok, "Website Launch", "Bob Baker",
	    "bob@example.com", f->p[4], f->cb);
	mkproject(d, f->tok, "Logo", "Bob Baker", "bob@example.com", f->p[5],
	    NULL);
	fzh_api(d, "POST", "/api/v1/clients", f->tok, NULL, "{\"name\":"
	    "\"Carol Chen\",\"email\":\"carol@example.com\"}", &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.id", f->cc, sizeof(f->cc));
	fzh_res_free(&res);
	/* p1 sent, p4 viewed, p3 signed off; p2 and p5 drafts. */
	send_pack(d, f->tok, f->p[1], f->portal1);
	send_pack(d, f->tok, f->p[4], portal);
	view_pack(d, portal);
	send_pack(d, f->tok, f->p[3], portal);
	view_pack(d, portal);
	sign_off(d, portal, "alice@example.com");
}

static void
test_project_filters(void **state)
{
	struct fzd *d = *state;
	struct fixture f;
	char path[512], other_ws[64], other_tok[64], other[64];
	struct fzh_res res;

	fixture_make(d, &f);
	{
		const char *all[] = { f.p[5], f.p[4], f.p[3], f.p[2], f.p[1],
		    NULL };
		const char *alice[] = { f.p[3], f.p[2], f.p[1], NULL };
		const char *bob[] = { f.p[5], f.p[4], NULL };
		const char *none[] = { NULL };

		expect(d, f.tok, "/api/v1/projects", all);
		/* By client email, compared as stored: trimmed, any case. */
		expect(d, f.tok, "/api/v1/projects?clientEmail=alice@example."
		    "com", alice);
		expect(d, f.tok, "/api/v1/projects?clientEmail=%20ALICE%40"
		    "Example.COM%20", alice);
		expect(d, f.tok, "/api/v1/projects?clientEmail=bob@example.com",
		    bob);
		expect(d, f.tok, "/api/v1/projects?clientEmail=carol@example."
		    "com", none);
		expect(d, f.tok, "/api/v1/projects?clientEmail=nobody@example."
		    "com", none);
		/* By client id. */
		snprintf(path, sizeof(path), "/api/v1/projects?clientId=%s",
		    f.ca);
		expect(d, f.tok, path, alice);
		snprintf(path, sizeof(path), "/api/v1/projects?clientId=%s",
		    f.cc);
		expect(d, f.tok, path, none);
		expect(d, f.tok, "/api/v1/projects?clientId=" UNKNOWN_CLIENT,
		    none);
		/* Empty values filter nothing. */
		expect(d, f.tok, "/api/v1/projects?clientEmail=&clientId=&"
		    "status=&q=", all);
	}
	{
		const char *draft[] = { f.p[5], f.p[2], NULL };
		const char *sent[] = { f.p[1], NULL };
		const char *viewed[] = { f.p[4], NULL };
		const char *signed_off[] = { f.p[3], NULL };

		expect(d, f.tok, "/api/v1/projects?status=draft", draft);
		expect(d, f.tok, "/api/v1/projects?status=sent", sent);
		expect(d, f.tok, "/api/v1/projects?status=viewed", viewed);
		expect(d, f.tok, "/api/v1/projects?status=signed_off",
		    signed_off);
	}
	{
		const char *website[] = { f.p[4], f.p[1], NULL };
		const char *cafe[] = { f.p[2], NULL };
		const char *none[] = { NULL };

		/* q: a substring of the name, in any case, UTF-8 too. */
		expect(d, f.tok, "/api/v1/projects?q=website", website);
		expect(d, f.tok, "/api/v1/projects?q=WebSite", website);
		expect(d, f.tok, "/api/v1/projects?q=ebsit", website);
		expect(d, f.tok, "/api/v1/projects?q=caf%C3%A9", cafe);
		expect(d, f.tok, "/api/v1/projects?q=CAF%C3%89", cafe);
		expect(d, f.tok, "/api/v1/projects?q=zo%C3%AB+brand", cafe);
		expect(d, f.tok, "/api/v1/projects?q=cafe", none);
		expect(d, f.tok, "/api/v1/projects?q=xyz", none);
	}
	{
		const char *p2[] = { f.p[2], NULL };
		const char *p3[] = { f.p[3], NULL };
		const char *p4[] = { f.p[4], NULL };
		const char *none[] = { NULL };

		/* Combinations: every filter given must hold. */
		expect(d, f.tok, "/api/v1/projects?clientEmail=alice@example."
		    "com&status=draft", p2);
		snprintf(path, sizeof(path), "/api/v1/projects?clientId=%s&"
		    "q=WEB", f.cb);
		expect(d, f.tok, path, p4);
		expect(d, f.tok, "/api/v1/projects?status=viewed&q=launch", p4);
		expect(d, f.tok, "/api/v1/projects?status=viewed&q=redesign",
		    none);
		snprintf(path, sizeof(path), "/api/v1/projects?clientEmail="
		    "alice@example.com&clientId=%s&status=signed_off&q=seo",
		    f.ca);
		expect(d, f.tok, path, p3);
		/* An email and an id naming two clients match nothing. */
		snprintf(path, sizeof(path), "/api/v1/projects?clientEmail="
		    "alice@example.com&clientId=%s", f.cb);
		expect(d, f.tok, path, none);
		expect(d, f.tok, "/api/v1/projects?clientEmail=bob@example.com&"
		    "q=seo", none);
	}

	/* The indexes follow a status change, and a rename. */
	view_pack(d, f.portal1);
	{
		const char *none[] = { NULL };
		const char *viewed[] = { f.p[4], f.p[1], NULL };
		const char *logo[] = { f.p[5], NULL };

		expect(d, f.tok, "/api/v1/projects?status=sent", none);
		expect(d, f.tok, "/api/v1/projects?status=viewed", viewed);
		snprintf(path, sizeof(path), "/api/v1/projects/%s", f.p[5]);
		fzh_api(d, "PATCH", path, f.tok, NULL, "{\"name\":\"Logo "
		    "refresh\"}", &res);
		fzh_assert_envelope(&res, 200, NULL);
		fzh_res_free(&res);
		expect(d, f.tok, "/api/v1/projects?q=refresh", logo);
		expect(d, f.tok, "/api/v1/projects?status=draft&q=logo", logo);
	}

	/* Another workspace with the same client email sees its own. */
	fzh_ws_key(d, "Other Agency", "agency", "read,write", other_ws,
	    other_tok);
	mkproject(d, other_tok, "Website elsewhere", "Alice Archer",
	    "alice@example.com", other, NULL);
	{
		const char *mine[] = { other, NULL };
		const char *website[] = { f.p[4], f.p[1], NULL };

		expect(d, other_tok, "/api/v1/projects?clientEmail=alice@"
		    "example.com", mine);
		expect(d, other_tok, "/api/v1/projects?q=website", mine);
		snprintf(path, sizeof(path), "/api/v1/projects?clientId=%s",
		    f.ca);
		{
			const char *none[] = { NULL };

			expect(d, other_tok, path, none);
		}
		expect(d, f.tok, "/api/v1/projects?q=website", website);
	}
	fzh_stop_ok(d);
}

static void
test_client_filters(void **state)
{
	struct fzd *d = *state;
	struct fixture f;

	fixture_make(d, &f);
	{
		const char *all[] = { f.cc, f.cb, f.ca, NULL };
		const char *alice[] = { f.ca, NULL };
		const char *bob[] = { f.cb, NULL };
		const char *none[] = { NULL };

		expect(d, f.tok, "/api/v1/clients", all);
		expect(d, f.tok, "/api/v1/clients?email=alice@example.com",
		    alice);
		expect(d, f.tok, "/api/v1/clients?email=%20Alice%40EXAMPLE.com",
		    alice);
		expect(d, f.tok, "/api/v1/clients?email=dave@example.com",
		    none);
		/* q: a substring of the name or the email, any case. */
		expect(d, f.tok, "/api/v1/clients?q=BAKER", bob);
		expect(d, f.tok, "/api/v1/clients?q=bob%40", bob);
		expect(d, f.tok, "/api/v1/clients?q=Example.Com", all);
		expect(d, f.tok, "/api/v1/clients?q=zz", none);
		expect(d, f.tok, "/api/v1/clients?email=alice@example.com&"
		    "q=archer", alice);
		expect(d, f.tok, "/api/v1/clients?email=alice@example.com&"
		    "q=baker", none);
		expect(d, f.tok, "/api/v1/clients?email=&q=", all);
	}
	fzh_stop_ok(d);
}

/* Creates count projects named "<stem> <i>" for email, oldest first,
 * into ids from *n on. */
static void
mkprojects(const struct fzd *d, const char *tok, const char *stem,
    const char *email, int count, struct ids *ids)
{
	char name[64];
	int i;

	for (i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "%s %d", stem, i);
		mkproject(d, tok, name, "Client", email, ids->v[ids->n++],
		    NULL);
	}
}

/* Asserts all holds ids made, newest first: made->v[want[k]] ... */
static void
assert_walk(const char *what, const struct ids *all, const struct ids *made,
    const int *idx)
{
	size_t k;

	for (k = 0; idx[k] >= 0; k++)
		if (k >= all->n || strcmp(all->v[k], made->v[idx[k]]) != 0)
			fail_msg("%s: record %zu is %s, want %s", what, k,
			    k < all->n ? all->v[k] : "(none)",
			    made->v[idx[k]]);
	if (all->n != k)
		fail_msg("%s: %zu records, want %zu", what, all->n, k);
}

static void
test_filter_paging(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], cur[128], path[512];
	struct ids made = { .n = 0 }, all, got;
	int i;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	/* 0: a Beta project first, so the last Alpha is not the oldest;
	 * then Alpha (odd) and Beta (even) interleaved, three Alphas last. */
	mkprojects(d, tok, "Beta", "y@example.com", 1, &made);
	for (i = 0; i < 4; i++) {
		mkprojects(d, tok, "Alpha", "x@example.com", 1, &made);
		mkprojects(d, tok, "Beta", "y@example.com", 1, &made);
	}
	mkprojects(d, tok, "Alpha", "x@example.com", 3, &made);
	/* made: 0 B, 1 A, 2 B, 3 A, 4 B, 5 A, 6 B, 7 A, 8 B, 9 A, 10 A,
	 * 11 A. */
	{
		const int x[] = { 11, 10, 9, 7, 5, 3, 1, -1 };
		const int y[] = { 8, 6, 4, 2, 0, -1 };

		assert_int_equal(walk(d, tok, "/api/v1/projects?clientEmail="
		    "x@example.com", 3, 0, &all), 3);
		assert_walk("clientEmail x", &all, &made, x);
		assert_int_equal(walk(d, tok, "/api/v1/projects?q=alpha", 2, 0,
		    &all), 4);
		assert_walk("q alpha", &all, &made, x);
		assert_int_equal(walk(d, tok, "/api/v1/projects?q=BETA&"
		    "status=draft", 2, 0, &all), 3);
		assert_walk("q beta, draft", &all, &made, y);
		assert_int_equal(walk(d, tok, "/api/v1/projects?status=draft",
		    5, 0, &all), 3);
		assert_int_equal(all.n, made.n);
	}
	/* A page ending on the last match carries no cursor, even where
	 * records that do not match lie beyond it. */
	page(d, "/api/v1/projects?q=alpha&limit=7", tok, &got, cur);
	assert_int_equal(got.n, 7);
	assert_string_equal(cur, "");
	page(d, "/api/v1/projects?clientEmail=x@example.com&limit=7", tok,
	    &got, cur);
	assert_int_equal(got.n, 7);
	assert_string_equal(cur, "");

	/* A cursor is bound to its filter. */
	page(d, "/api/v1/projects?clientEmail=x@example.com&limit=3", tok,
	    &got, cur);
	assert_true(cur[0] != '\0');
	{
		static const char *const others[] = {
			"clientEmail=y@example.com",
			"q=alpha",
			"status=draft",
			"clientEmail=x@example.com&status=draft",
			"",
		};
		size_t k;

		for (k = 0; k < sizeof(others) / sizeof(others[0]); k++) {
			snprintf(path, sizeof(path), "/api/v1/projects?%s%s"
			    "limit=3&cursor=%s", others[k], *others[k] ? "&" :
			    "", cur);
			expect_invalid1(d, tok, path, "cursor");
		}
	}
	/* The same filter, written otherwise, is the same list. */
	snprintf(path, sizeof(path), "/api/v1/projects?clientEmail=X%%40"
	    "Example.com&limit=3&cursor=%s", cur);
	page(d, path, tok, &got, cur);
	assert_int_equal(got.n, 3);
	assert_string_equal(got.v[0], made.v[7]);
	/* An unfiltered cursor is not a filtered list's, nor the clients'. */
	page(d, "/api/v1/projects?limit=2", tok, &got, cur);
	snprintf(path, sizeof(path), "/api/v1/projects?q=alpha&cursor=%s",
	    cur);
	expect_invalid1(d, tok, path, "cursor");
	page(d, "/api/v1/clients?q=example&limit=1", tok, &got, cur);
	assert_true(cur[0] != '\0');
	snprintf(path, sizeof(path), "/api/v1/projects?q=example&cursor=%s",
	    cur);
	expect_invalid1(d, tok, path, "cursor");
	snprintf(path, sizeof(path), "/api/v1/clients?q=example&cursor=%s",
	    cur);
	page(d, path, tok, &got, cur);
	assert_int_equal(got.n, 1);
	assert_string_equal(cur, "");
	fzh_stop_ok(d);
}

static void
test_filter_validation(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], path[512], longq[256];
	struct fzh_res res;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	expect_invalid1(d, tok, "/api/v1/projects?status=archived", "status");
	expect_invalid1(d, tok, "/api/v1/projects?status=DRAFT", "status");
	expect_invalid1(d, tok, "/api/v1/projects?clientEmail=jane",
	    "clientEmail");
	expect_invalid1(d, tok, "/api/v1/projects?clientEmail=jane@example",
	    "clientEmail");
	expect_invalid1(d, tok, "/api/v1/projects?clientId=abc", "clientId");
	expect_invalid1(d, tok, "/api/v1/projects?clientId=project_abc",
	    "clientId");
	expect_invalid1(d, tok, "/api/v1/projects?clientId=client_a-b",
	    "clientId");
	expect_invalid1(d, tok, "/api/v1/projects?q=a%01b", "q");
	expect_invalid1(d, tok, "/api/v1/projects?q=%FF%FE", "q");
	memset(longq, 'a', 201);
	longq[201] = '\0';
	snprintf(path, sizeof(path), "/api/v1/projects?q=%s", longq);
	expect_invalid1(d, tok, path, "q");
	longq[200] = '\0';
	snprintf(path, sizeof(path), "/api/v1/projects?q=%s", longq);
	fzh_get(d, path, tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	expect_invalid1(d, tok, "/api/v1/clients?email=not-an-email",
	    "email");
	expect_invalid1(d, tok, "/api/v1/clients?q=%0A", "q");
	{
		const char *want[] = { "limit", "clientEmail", "clientId",
		    "status", "q", NULL };

		expect_invalid(d, tok, "/api/v1/projects?limit=0&clientEmail=x&"
		    "clientId=x&status=x&q=%7F", want);
	}
	{
		const char *want[] = { "email", "cursor", NULL };

		expect_invalid(d, tok, "/api/v1/clients?email=x&cursor=%21",
		    want);
	}
	/* Parameters the list does not take are ignored, as before. */
	fzh_get(d, "/api/v1/clients?status=nonsense", tok, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_res_free(&res);
	fzh_stop_ok(d);
}

static const char *const choice_keys[] = { "id", "name", "client_id",
    "client_name", "client_email", "status", "project_type", "launch_date",
    "created_at", NULL };
static const char *const client_keys[] = { "id", "name", "email",
    "created_at", NULL };
static const char *const template_keys[] = { "id", "name", "project_type",
    NULL };
static const char *const project_keys[] = { "id", "name", "project_name",
    "status", "project_type", "launch_date", "template_id", "client_id",
    "client_name", "client_email", "created_at", "updated_at", NULL };

static void
test_zapier_lists(void **state)
{
	struct fzd *d = *state;
	struct fixture f;
	struct fzh_res res;
	struct ids got, all;
	char cur[128], path[512];
	const json_t *o;
	size_t i;

	fixture_make(d, &f);
	/* Projects: the dropdown's shape, newest first, ?q= by name. */
	zpage(d, "/api/v1/zapier/lists/projects", f.tok, &got, cur, &res);
	assert_int_equal(got.n, 5);
	assert_string_equal(cur, "");
	json_array_foreach(res.json, i, o)
		assert_keys(&res, o, choice_keys);
	o = json_array_get(res.json, 1);
	fzh_assert_str(json_string_value(json_object_get(o, "id")), f.p[4]);
	fzh_assert_str(json_string_value(json_object_get(o, "name")),
	    "Website Launch");
	fzh_assert_str(json_string_value(json_object_get(o, "client_id")),
	    f.cb);
	fzh_assert_str(json_string_value(json_object_get(o, "client_name")),
	    "Bob Baker");
	fzh_assert_str(json_string_value(json_object_get(o, "client_email")),
	    "bob@example.com");
	fzh_assert_str(json_string_value(json_object_get(o, "status")),
	    "viewed");
	fzh_assert_str(json_string_value(json_object_get(o, "project_type")),
	    "Web Design");
	fzh_assert_str(json_string_value(json_object_get(o, "launch_date")),
	    "2026-06-01");
	fzh_res_free(&res);
	{
		const char *website[] = { f.p[4], f.p[1], NULL };
		const char *none[] = { NULL };

		zexpect(d, f.tok, "/api/v1/zapier/lists/projects?q=WEBSITE",
		    website);
		zexpect(d, f.tok, "/api/v1/zapier/lists/projects?q=nothing",
		    none);
	}
	assert_int_equal(walk(d, f.tok, "/api/v1/zapier/lists/projects?q=",
	    2, 1, &all), 3);
	assert_int_equal(all.n, 5);
	assert_string_equal(all.v[0], f.p[5]);
	assert_string_equal(all.v[4], f.p[1]);

	/* Clients: by name or email. */
	zpage(d, "/api/v1/zapier/lists/clients", f.tok, &got, cur, &res);
	assert_int_equal(got.n, 3);
	json_array_foreach(res.json, i, o)
		assert_keys(&res, o, client_keys);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "email")), "carol@example.com");
	fzh_res_free(&res);
	{
		const char *alice[] = { f.ca, NULL };
		const char *bob[] = { f.cb, NULL };

		zexpect(d, f.tok, "/api/v1/zapier/lists/clients?q=archer", alice);
		zexpect(d, f.tok, "/api/v1/zapier/lists/clients?q=BOB%40", bob);
	}
	assert_int_equal(walk(d, f.tok, "/api/v1/zapier/lists/clients?q=ex",
	    1, 1, &all), 3);

	/* Templates, paged like the others. */
	zpage(d, "/api/v1/zapier/lists/templates", f.tok, &got, cur, &res);
	assert_true(got.n >= 3);
	assert_string_equal(cur, "");
	json_array_foreach(res.json, i, o) {
		assert_keys(&res, o, template_keys);
		assert_true(fzh_match("^tpl_[0-9A-Za-z]+$",
		    json_string_value(json_object_get(o, "id"))));
	}
	fzh_res_free(&res);
	assert_int_equal(walk(d, f.tok, "/api/v1/zapier/lists/templates?x=",
	    1, 1, &all), (int)got.n);
	assert_int_equal(all.n, got.n);

	/* Bad limits and cursors are envelope errors naming them; cursors
	 * are bound to their list and filter. */
	expect_invalid1(d, f.tok, "/api/v1/zapier/lists/projects?limit=0",
	    "limit");
	expect_invalid1(d, f.tok, "/api/v1/zapier/lists/templates?limit=101",
	    "limit");
	expect_invalid1(d, f.tok, "/api/v1/zapier/lists/clients?q=%01", "q");
	zpage(d, "/api/v1/zapier/lists/projects?q=web&limit=1", f.tok, &got,
	    cur, NULL);
	assert_true(cur[0] != '\0');
	snprintf(path, sizeof(path), "/api/v1/zapier/lists/projects?q=seo&"
	    "cursor=%s", cur);
	expect_invalid1(d, f.tok, path, "cursor");
	snprintf(path, sizeof(path), "/api/v1/zapier/lists/clients?q=web&"
	    "cursor=%s", cur);
	expect_invalid1(d, f.tok, path, "cursor");
	snprintf(path, sizeof(path), "/api/v1/zapier/lists/templates?"
	    "cursor=%s", cur);
	expect_invalid1(d, f.tok, path, "cursor");
	zpage(d, "/api/v1/zapier/lists/templates?limit=1", f.tok, &got, cur,
	    NULL);
	snprintf(path, sizeof(path), "/api/v1/zapier/lists/projects?"
	    "cursor=%s", cur);
	expect_invalid1(d, f.tok, path, "cursor");
	expect_invalid1(d, f.tok, "/api/v1/zapier/lists/templates?cursor="
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "cursor");
	fzh_stop_ok(d);
}

static void
test_zapier_searches(void **state)
{
	struct fzd *d = *state;
	struct fixture f;
	struct fzh_res res;
	struct ids got, all;
	char cur[128];
	const json_t *o;
	size_t i;

	fixture_make(d, &f);
	zpage(d, "/api/v1/zapier/searches/find-project?name=website", f.tok,
	    &got, cur, &res);
	{
		const char *website[] = { f.p[4], f.p[1], NULL };

		assert_ids("find-project name", &got, website);
	}
	json_array_foreach(res.json, i, o)
		assert_keys(&res, o, project_keys);
	o = json_array_get(res.json, 1);
	fzh_assert_str(json_string_value(json_object_get(o, "project_name")),
	    "Website Redesign");
	fzh_assert_str(json_string_value(json_object_get(o, "client_email")),
	    "alice@example.com");
	fzh_assert_str(json_string_value(json_object_get(o, "status")),
	    "sent");
	fzh_res_free(&res);
	{
		const char *alice[] = { f.p[3], f.p[2], f.p[1], NULL };
		const char *seo[] = { f.p[3], NULL };
		const char *none[] = { NULL };

		zexpect(d, f.tok, "/api/v1/zapier/searches/find-project?"
		    "client_email=%20Alice%40Example.com", alice);
		zexpect(d, f.tok, "/api/v1/zapier/searches/find-project?"
		    "name=SEO&client_email=alice@example.com", seo);
		zexpect(d, f.tok, "/api/v1/zapier/searches/find-project?"
		    "name=seo&client_email=bob@example.com", none);
		zexpect(d, f.tok, "/api/v1/zapier/searches/find-project?"
		    "name=nothing+like+it", none);
		zexpect(d, f.tok, "/api/v1/zapier/searches/find-project?"
		    "client_email=nobody@example.com", none);
	}
	assert_int_equal(walk(d, f.tok, "/api/v1/zapier/searches/"
	    "find-project?client_email=alice@example.com", 1, 1, &all), 3);
	{
		const char *both[] = { "name", "client_email", NULL };

		expect_invalid(d, f.tok, "/api/v1/zapier/searches/find-project",
		    both);
		expect_invalid(d, f.tok, "/api/v1/zapier/searches/find-project"
		    "?name=&client_email=", both);
	}
	expect_invalid1(d, f.tok, "/api/v1/zapier/searches/find-project?"
	    "client_email=alice", "client_email");
	expect_invalid1(d, f.tok, "/api/v1/zapier/searches/find-project?"
	    "name=web&limit=500", "limit");

	zpage(d, "/api/v1/zapier/searches/find-client?email=BOB@example.com",
	    f.tok, &got, cur, &res);
	{
		const char *bob[] = { f.cb, NULL };

		assert_ids("find-client", &got, bob);
	}
	assert_keys(&res, json_array_get(res.json, 0), client_keys);
	fzh_assert_str(json_string_value(json_object_get(json_array_get(
	    res.json, 0), "name")), "Bob Baker");
	fzh_res_free(&res);
	{
		const char *none[] = { NULL };

		zexpect(d, f.tok, "/api/v1/zapier/searches/find-client?email="
		    "dave@example.com", none);
	}
	expect_invalid1(d, f.tok, "/api/v1/zapier/searches/find-client",
	    "email");
	expect_invalid1(d, f.tok, "/api/v1/zapier/searches/find-client?"
	    "email=", "email");
	expect_invalid1(d, f.tok, "/api/v1/zapier/searches/find-client?"
	    "email=bob", "email");
	fzh_stop_ok(d);
}

/* POSTs a create-client body, with an Idempotency-Key unless key is
 * NULL; asserts status and returns the id (>= 64). */
static void
create_client(const struct fzd *d, const char *tok, const char *key,
    const char *body, int status, char *id, struct fzh_res *keep)
{
	char hdr[128];
	struct fzh_res res;

	if (key != NULL)
		snprintf(hdr, sizeof(hdr), "Idempotency-Key: %s", key);
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", tok,
	    key != NULL ? hdr : NULL, body, &res);
	if (res.status != status)
		fail_msg("create-client %s: %d, want %d: %s", body, res.status,
		    status, res.body);
	fzh_assert_envelope(&res, status, NULL);
	assert_keys(&res, fzh_json_get(&res, "data"), client_keys);
	fzh_copy_str(&res, "data.id", id, 64);
	if (keep != NULL)
		*keep = res;
	else
		fzh_res_free(&res);
}

static void
test_zapier_create_client(void **state)
{
	struct fzd *d = *state;
	char ws[64], tok[64], id[64], again[64], other[64], rest[64];
	struct fzh_res res;

	fzh_ws_key(d, "Acme Agency", "agency", "read,write", ws, tok);
	fzh_start(d, NULL, NULL);
	create_client(d, tok, NULL, "{\"client_name\":\"Jane Smith\","
	    "\"client_email\":\"Jane@Example.com\"}", 201, id, &res);
	assert_true(fzh_match("^client_[0-9A-Za-z]{20}$", id));
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Jane Smith");
	fzh_assert_str(fzh_json_str(&res, "data.email"), "jane@example.com");
	assert_non_null(fzh_json_str(&res, "data.created_at"));
	fzh_res_free(&res);

	/* The same email again, however written: that client, 200. */
	create_client(d, tok, NULL, "{\"client_name\":\"J. Smith\","
	    "\"client_email\":\" JANE@example.com\"}", 200, again, &res);
	fzh_assert_str(again, id);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Jane Smith");
	fzh_res_free(&res);
	{
		const char *one[] = { id, NULL };

		expect(d, tok, "/api/v1/clients?email=jane@example.com", one);
		expect(d, tok, "/api/v1/clients", one);
	}

	/* First and last names instead of client_name. */
	create_client(d, tok, NULL, "{\"first_name\":\"John\",\"last_name\":"
	    "\"Doe\",\"client_email\":\"john@example.com\"}", 201, other,
	    &res);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "John Doe");
	fzh_res_free(&res);
	create_client(d, tok, NULL, "{\"first_name\":\"Prince\","
	    "\"client_email\":\"prince@example.com\"}", 201, other, &res);
	fzh_assert_str(fzh_json_str(&res, "data.name"), "Prince");
	fzh_res_free(&res);

	/* A client made through the REST API is found the same way. */
	fzh_api(d, "POST", "/api/v1/clients", tok, NULL, "{\"name\":\"Rest\","
	    "\"email\":\"rest@example.com\"}", &res);
	fzh_assert_envelope(&res, 201, NULL);
	fzh_copy_str(&res, "data.id", rest, sizeof(rest));
	fzh_res_free(&res);
	create_client(d, tok, NULL, "{\"client_name\":\"Rest\","
	    "\"client_email\":\"rest@example.com\"}", 200, other, NULL);
	fzh_assert_str(other, rest);

	/* Idempotency-Key: a repeat replays the first answer. */
	create_client(d, tok, "cc-1", "{\"client_name\":\"Kim\","
	    "\"client_email\":\"kim@example.com\"}", 201, other, NULL);
	create_client(d, tok, "cc-1", "{\"client_name\":\"Kim\","
	    "\"client_email\":\"kim@example.com\"}", 201, again, &res);
	fzh_assert_str(again, other);
	fzh_assert_str(fzh_header(&res, "Idempotent-Replayed"), "true");
	fzh_res_free(&res);
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", tok,
	    "Idempotency-Key: cc-1", "{\"client_name\":\"Kim\","
	    "\"client_email\":\"kim2@example.com\"}", &res);
	fzh_assert_envelope(&res, 409, "CONFLICT");
	fzh_res_free(&res);
	/* A key first used on an existing client replays that 200. */
	create_client(d, tok, "cc-2", "{\"client_name\":\"Kim\","
	    "\"client_email\":\"kim@example.com\"}", 200, again, NULL);
	create_client(d, tok, "cc-2", "{\"client_name\":\"Kim\","
	    "\"client_email\":\"kim@example.com\"}", 200, again, &res);
	fzh_assert_str(again, other);
	fzh_assert_str(fzh_header(&res, "Idempotent-Replayed"), "true");
	fzh_res_free(&res);

	/* Validation names the fields and creates nothing. */
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", tok, NULL,
	    "{\"client_email\":\"nobody@example.com\"}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_true(names_field(&res, "client_name"));
	assert_int_equal(json_array_size(fzh_json_get(&res, "error.details")),
	    1);
	fzh_res_free(&res);
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", tok, NULL,
	    "{\"client_email\":\"nobody\",\"first_name\":5}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_true(names_field(&res, "client_email"));
	assert_true(names_field(&res, "first_name"));
	assert_false(names_field(&res, "client_name"));
	fzh_res_free(&res);
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", tok, NULL,
	    "{\"client_name\":\"X\"}", &res);
	fzh_assert_envelope(&res, 400, "VALIDATION_ERROR");
	assert_true(names_field(&res, "client_email"));
	fzh_res_free(&res);
	{
		const char *none[] = { NULL };

		expect(d, tok, "/api/v1/clients?email=nobody@example.com",
		    none);
	}
	fzh_stop_ok(d);
}

/* GETs path with tok; asserts the envelope status and code. */
static void
expect_status(const struct fzd *d, const char *tok, const char *path,
    int status, const char *code)
{
	struct fzh_res res;

	fzh_get(d, path, tok, &res);
	if (res.status != status)
		fail_msg("GET %s: %d, want %d: %s", path, res.status, status,
		    res.body);
	fzh_assert_envelope(&res, status, code);
	fzh_res_free(&res);
}

static void
test_zapier_plans_scopes(void **state)
{
	static const char *const reads[] = {
		"/api/v1/zapier/lists/projects",
		"/api/v1/zapier/lists/clients?q=a",
		"/api/v1/zapier/lists/templates",
		"/api/v1/zapier/searches/find-project?name=a",
		"/api/v1/zapier/searches/find-client?email=a@example.com",
	};
	struct fzd *d = *state;
	char pws[64], pread[64], pwrite[64], fws[64], ftok[64], id[64];
	char kid[64], out[256];
	struct fzh_res res;
	size_t i;

	fzh_ws_key(d, "Pro Agency", "pro", "read", pws, pread);
	fzh_key(d->dir, pws, "write", "w", pwrite, 64);
	fzh_ws_key(d, "Free Agency", "free", "admin", fws, ftok);
	fzh_start(d, NULL, NULL);
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		fzh_get(d, reads[i], pread, &res);
		if (res.status != 200)
			fail_msg("GET %s on pro: %d %s", reads[i], res.status,
			    res.body);
		assert_true(json_is_array(res.json));
		fzh_res_free(&res);
		expect_status(d, ftok, reads[i], 403, "PLAN_LIMIT");
		expect_status(d, NULL, reads[i], 401, "UNAUTHORIZED");
		expect_status(d, "fz_live_0000000000000000000000000000000000000000",
		    reads[i], 401, "UNAUTHORIZED");
	}
	/* The REST filters are the agency plan's. */
	expect_status(d, pread, "/api/v1/projects?status=draft", 403,
	    "PLAN_LIMIT");
	expect_status(d, pread, "/api/v1/clients?q=a", 403, "PLAN_LIMIT");

	/* create-client needs write. */
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", pread, NULL,
	    "{\"client_name\":\"Jane\",\"client_email\":\"jane@example.com\"}",
	    &res);
	fzh_assert_envelope(&res, 403, "FORBIDDEN");
	fzh_res_free(&res);
	fzh_api(d, "POST", "/api/v1/zapier/actions/create-client", ftok, NULL,
	    "{\"client_name\":\"Jane\",\"client_email\":\"jane@example.com\"}",
	    &res);
	fzh_assert_envelope(&res, 403, "PLAN_LIMIT");
	fzh_res_free(&res);
	create_client(d, pwrite, NULL, "{\"client_name\":\"Jane\","
	    "\"client_email\":\"jane@example.com\"}", 201, id, NULL);
	{
		const char *one[] = { id, NULL };

		zexpect(d, pread, "/api/v1/zapier/searches/find-client?email="
		    "jane@example.com", one);
		zexpect(d, pread, "/api/v1/zapier/lists/clients", one);
	}

	/* A revoked key is refused from the next request. */
	fzh_get(d, "/api/v1/auth", pread, &res);
	fzh_assert_envelope(&res, 200, NULL);
	fzh_copy_str(&res, "data.key.id", kid, sizeof(kid));
	fzh_res_free(&res);
	assert_int_equal(fzh_cli(d->dir, out, sizeof(out), "key", "revoke",
	    kid, NULL), 0);
	for (i = 0; i < sizeof(reads) / sizeof(reads[0]); i++)
		expect_status(d, pread, reads[i], 401, "UNAUTHORIZED");
	fzh_stop_ok(d);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, fzh_setup, fzh_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_project_filters),
		T(test_client_filters),
		T(test_filter_paging),
		T(test_filter_validation),
		T(test_zapier_lists),
		T(test_zapier_searches),
		T(test_zapier_create_client),
		T(test_zapier_plans_scopes),
	};

	return cmocka_run_group_tests_name("e2e_filters", tests,
	    fzh_group_setup, fzh_group_teardown);
}
