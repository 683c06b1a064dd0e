/*
 * test_filters.c: filtered lists of projects and clients in state/:
 * the indexes every write keeps (creation, rename, send, view,
 * sign-off), each filter and their combinations, the scan budget that
 * ends a page early with a cursor, the look-ahead that ends the last
 * page without one, and the build of indexes missing from older data,
 * once, on a temporary LMDB environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/fz.h"
#include "state/clients.h"
#include "state/env.h"
#include "state/listidx.h"
#include "state/packs.h"
#include "state/portal.h"
#include "state/projects.h"
#include "state/state.h"
#include "state/workspace.h"
#include "tests/unit/tmpdir.h"

#define NOW	1780000000000LL
#define MAXP	16

struct fixture {
	struct tmpdir_fixture	 t;	/* first: tmpdir_fixture_free */
	struct workspace	 ws, other;
	unsigned char		 key[32];
	struct packs_ctx	 ctx;
	char			 p[MAXP][64];	/* projects made, oldest first */
	int			 np;
};

static int
setup(void **state)
{
	struct fixture *f;

	if ((f = tmpdir_fixture_new(sizeof(*f), "filters", NULL)) == NULL)
		return -1;
	*state = f;
	if (workspace_create(f->t.st, "Agency", PLAN_AGENCY, &f->ws) != 0 ||
	    workspace_create(f->t.st, "Other", PLAN_AGENCY, &f->other) != 0) {
		tmpdir_fixture_free(state);
		return -1;
	}
	memset(f->key, 7, sizeof(f->key));
	f->ctx.seal_key = f->key;
	f->ctx.public_url = "http://fz.test";
	return 0;
}

/* Creates a project in ws and returns its index in f->p. */
static int
mk(struct fixture *f, const char *ws, const char *name, const char *email)
{
	struct state_result r;
	json_t *body, *out = NULL;

	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", name,
	    "projectType", "Web Design", "launchDate", "2026-06-01",
	    "clientName", "Client", "clientEmail", email);
	assert_non_null(body);
	assert_true(f->np < MAXP);
	tmpdir_keep(&r);
	projects_create(f->t.st, ws, body, NOW, state_keep_cb, &r);
	assert_int_equal(tmpdir_kept(&r, &out), 0);
	snprintf(f->p[f->np], 64, "%s", json_string_value(json_object_get(out,
	    "id")));
	json_decref(out);
	json_decref(body);
	return f->np++;
}

/* Lists one page; returns its size, the ids in ids (may be NULL). */
static size_t
list(struct fixture *f, const char *ws, const struct projects_filter *pf,
    uint64_t before, unsigned limit, char ids[][64], uint64_t *next)
{
	json_t *page = NULL, *p;
	size_t i, n;

	assert_int_equal(projects_list(f->t.st, ws, pf, before, limit, &page,
	    next), 0);
	n = json_array_size(page);
	json_array_foreach(page, i, p)
		if (ids != NULL)
			snprintf(ids[i], 64, "%s", json_string_value(
			    json_object_get(p, "id")));
	json_decref(page);
	return n;
}

/* Asserts the single page of pf holds exactly f->p[idx[0]], ... (idx
 * ends with -1), with no next page. */
static void
expect(struct fixture *f, const struct projects_filter *pf, const int *idx)
{
	char ids[MAXP][64];
	uint64_t next = 1;
	size_t n, k;

	n = list(f, f->ws.id, pf, 0, 100, ids, &next);
	for (k = 0; idx[k] >= 0; k++) {
		if (k >= n)
			fail_msg("%zu records, want more", n);
		assert_string_equal(ids[k], f->p[idx[k]]);
	}
	assert_int_equal(n, k);
	assert_int_equal(next, 0);
}

static void
test_filters(void **state)
{
	struct fixture *f = *state;
	struct projects_filter pf;
	struct state_result r;
	json_t *body, *c = NULL;
	char cid[64], cids[MAXP][64];
	uint64_t next;

	mk(f, f->ws.id, "Website Redesign", "alice@example.com");	/* 0 */
	mk(f, f->ws.id, "Caf\xc3\xa9 Zo\xc3\xab", "alice@example.com");	/* 1 */
	mk(f, f->ws.id, "Website Launch", "bob@example.com");		/* 2 */
	mk(f, f->other.id, "Website", "alice@example.com");		/* 3 */

	memset(&pf, 0, sizeof(pf));
	pf.client_email = "alice@example.com";
	{
		const int want[] = { 1, 0, -1 };

		expect(f, &pf, want);
	}
	pf.client_email = "nobody@example.com";
	{
		const int want[] = { -1 };

		expect(f, &pf, want);
	}
	memset(&pf, 0, sizeof(pf));
	pf.q = "WEBSITE";
	{
		const int want[] = { 2, 0, -1 };

		expect(f, &pf, want);
	}
	/* Folding reaches past ASCII: É finds é. */
	pf.q = "CAF\xc3\x89";
	{
		const int want[] = { 1, -1 };

		expect(f, &pf, want);
	}
	memset(&pf, 0, sizeof(pf));
	pf.status = "draft";
	pf.q = "launch";
	{
		const int want[] = { 2, -1 };

		expect(f, &pf, want);
	}
	pf.status = "sent";
	pf.q = NULL;
	{
		const int want[] = { -1 };

		expect(f, &pf, want);
	}
	/* By client id (the one creating a client again hands back). */
	body = json_pack("{s:s, s:s}", "name", "Bob", "email",
	    "bob@example.com");
	tmpdir_keep(&r);
	clients_create(f->t.st, f->ws.id, body, NOW, state_keep_cb, &r);
	assert_int_equal(tmpdir_kept(&r, &c), FZ_EEXIST);
	snprintf(cid, sizeof(cid), "%s", json_string_value(json_object_get(c,
	    "id")));
	json_decref(c);
	json_decref(body);
	memset(&pf, 0, sizeof(pf));
	pf.client_id = cid;
	{
		const int want[] = { 2, -1 };

		expect(f, &pf, want);
	}
	/* An id and an email naming two clients match nothing. */
	pf.client_email = "alice@example.com";
	{
		const int want[] = { -1 };

		expect(f, &pf, want);
	}
	/* The other workspace sees its own alone. */
	memset(&pf, 0, sizeof(pf));
	pf.q = "website";
	assert_int_equal(list(f, f->other.id, &pf, 0, 100, cids, &next), 1);
	assert_string_equal(cids[0], f->p[3]);
	pf.q = NULL;
	pf.client_id = cid;
	assert_int_equal(list(f, f->other.id, &pf, 0, 100, cids, &next), 0);
}

static void
test_status_follows_writes(void **state)
{
	struct fixture *f = *state;
	struct projects_filter pf;
	struct state_result r;
	json_t *msg, *out = NULL, *signer;
	char token[64];
	int a, b;

	a = mk(f, f->ws.id, "One", "one@example.com");
	b = mk(f, f->ws.id, "Two", "two@example.com");
	msg = json_pack("{s:s}", "personalMessage", "Ready");
	tmpdir_keep(&r);
	packs_send(f->t.st, &f->ctx, f->ws.id, f->p[a], msg, NOW,
	    state_keep_cb, &r);
	assert_int_equal(tmpdir_kept(&r, &out), 0);
	snprintf(token, sizeof(token), "%s", json_string_value(
	    json_object_get(out, "share_url")) + 17);
	json_decref(out);
	json_decref(msg);
	memset(&pf, 0, sizeof(pf));
	pf.status = "sent";
	{
		const int want[] = { a, -1 };

		expect(f, &pf, want);
	}
	pf.status = "draft";
	{
		const int want[] = { b, -1 };

		expect(f, &pf, want);
	}
	tmpdir_keep(&r);
	portal_view_record(f->t.st, &f->ctx, token, NOW, state_keep_cb, &r);
	assert_int_equal(tmpdir_kept(&r, NULL), 0);
	pf.status = "sent";
	{
		const int none[] = { -1 };
		const int want[] = { a, -1 };

		expect(f, &pf, none);
		pf.status = "viewed";
		expect(f, &pf, want);
	}
	signer = json_pack("{s:s, s:s}", "name", "One", "email",
	    "one@example.com");
	tmpdir_keep(&r);
	portal_signoff(f->t.st, token, signer, NOW, state_keep_cb, &r);
	assert_int_equal(tmpdir_kept(&r, NULL), 0);
	json_decref(signer);
	{
		const int none[] = { -1 };
		const int want[] = { a, -1 };

		expect(f, &pf, none);
		pf.status = "signed_off";
		expect(f, &pf, want);
		/* The client's index holds it still, with its new status. */
		pf.client_email = "one@example.com";
		expect(f, &pf, want);
	}
}

static void
test_rename_reindexes(void **state)
{
	struct fixture *f = *state;
	struct projects_filter pf;
	struct state_result r;
	json_t *body;
	int a;

	a = mk(f, f->ws.id, "Logo", "one@example.com");
	body = json_pack("{s:s}", "name", "Brand book");
	tmpdir_keep(&r);
	projects_update(f->t.st, f->ws.id, f->p[a], body, NOW, state_keep_cb,
	    &r);
	assert_int_equal(tmpdir_kept(&r, NULL), 0);
	json_decref(body);
	memset(&pf, 0, sizeof(pf));
	pf.q = "logo";
	{
		const int none[] = { -1 };
		const int want[] = { a, -1 };

		expect(f, &pf, none);
		pf.q = "BOOK";
		expect(f, &pf, want);
		pf.q = NULL;
		pf.client_email = "one@example.com";
		expect(f, &pf, want);
	}
}

static void
test_scan_budget(void **state)
{
	struct fixture *f = *state;
	struct projects_filter pf;
	char ids[MAXP][64];
	uint64_t next, before = 0;
	size_t n, seen = 0;
	int i, pages = 0, needle;

	/* The one match is the oldest of ten. */
	needle = mk(f, f->ws.id, "Needle", "n@example.com");
	for (i = 0; i < 9; i++)
		mk(f, f->ws.id, "Hay", "h@example.com");
	memset(&pf, 0, sizeof(pf));
	pf.q = "needle";
	pf.scan_max = 3;
	/* Three entries a page: three empty pages, each with a cursor,
	 * then the needle. */
	do {
		n = list(f, f->ws.id, &pf, before, 5, ids, &next);
		if (n == 1)
			assert_string_equal(ids[0], f->p[needle]);
		seen += n;
		before = next;
		pages++;
	} while (next != 0 && pages < 20);
	assert_int_equal(pages, 4);
	assert_int_equal(seen, 1);
	/* Without a budget to speak of, one page finds it. */
	pf.scan_max = 0;
	assert_int_equal(list(f, f->ws.id, &pf, 0, 5, ids, &next), 1);
	assert_int_equal(next, 0);
}

static void
test_look_ahead(void **state)
{
	struct fixture *f = *state;
	struct projects_filter pf;
	uint64_t next;

	mk(f, f->ws.id, "Hay", "h@example.com");
	mk(f, f->ws.id, "Alpha", "a@example.com");
	mk(f, f->ws.id, "Hay", "h@example.com");
	mk(f, f->ws.id, "Alpha", "a@example.com");
	memset(&pf, 0, sizeof(pf));
	pf.q = "alpha";
	/* A full page with another match beyond: a cursor. */
	assert_int_equal(list(f, f->ws.id, &pf, 0, 1, NULL, &next), 1);
	assert_true(next != 0);
	/* A full page with only other records beyond: none. */
	assert_int_equal(list(f, f->ws.id, &pf, 0, 2, NULL, &next), 2);
	assert_int_equal(next, 0);
}

static void
test_client_filters(void **state)
{
	struct fixture *f = *state;
	struct clients_filter cf;
	json_t *page = NULL;
	uint64_t next;

	mk(f, f->ws.id, "A", "alice@example.com");
	mk(f, f->ws.id, "B", "bob.baker@example.org");
	mk(f, f->other.id, "C", "alice@example.com");
	memset(&cf, 0, sizeof(cf));
	cf.email = "alice@example.com";
	assert_int_equal(clients_list(f->t.st, f->ws.id, &cf, 0, 10, &page,
	    &next), 0);
	assert_int_equal(json_array_size(page), 1);
	json_decref(page);
	cf.q = "BAKER";
	assert_int_equal(clients_list(f->t.st, f->ws.id, &cf, 0, 10, &page,
	    &next), 0);
	assert_int_equal(json_array_size(page), 0);
	json_decref(page);
	cf.email = NULL;
	assert_int_equal(clients_list(f->t.st, f->ws.id, &cf, 0, 10, &page,
	    &next), 0);
	assert_int_equal(json_array_size(page), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    page, 0), "email")), "bob.baker@example.org");
	json_decref(page);
	cf.q = "EXAMPLE";
	assert_int_equal(clients_list(f->t.st, f->ws.id, &cf, 0, 1, &page,
	    &next), 0);
	assert_int_equal(json_array_size(page), 1);
	assert_true(next != 0);
	json_decref(page);
	assert_int_equal(clients_list(f->t.st, f->ws.id, &cf, next, 1, &page,
	    &next), 0);
	assert_int_equal(json_array_size(page), 1);
	assert_int_equal(next, 0);
	json_decref(page);
}

/* What wipe_fn drops: the status index alone, or every list index, and
 * perhaps the record that they were built. */
struct wipe {
	int	all;
	int	meta;
};

/* Makes the state look as older data, or a damaged index, leaves it. */
static int
wipe_fn(MDB_txn *txn, struct state *st, void *arg)
{
	static const enum state_db dbs[] = { DB_PROJECTS_STATUS,
	    DB_PROJECTS_SCAN, DB_PROJECTS_CLIENT, DB_CLIENTS_SCAN };
	const struct wipe *w = arg;
	MDB_val k;
	size_t i;
	int rc;

	for (i = 0; i < (w->all ? FZ_NELEM(dbs) : 1); i++)
		if ((rc = mdb_drop(txn, state_dbi(st, dbs[i]), 0)) != 0)
			return state_mdb_err(rc);
	if (!w->meta)
		return 0;
	k.mv_data = (void *)"listidx";
	k.mv_size = 7;
	rc = mdb_del(txn, state_dbi(st, DB_META), &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

static void
test_build_on_upgrade(void **state)
{
	struct fixture *f = *state;
	struct projects_filter pf;
	struct clients_filter cf;
	struct wipe w;
	json_t *page = NULL;
	uint64_t next;

	assert_int_equal(listidx_ensure(f->t.st), 0);
	mk(f, f->ws.id, "Website", "alice@example.com");
	mk(f, f->ws.id, "Logo", "bob@example.com");
	memset(&pf, 0, sizeof(pf));
	pf.status = "draft";
	memset(&cf, 0, sizeof(cf));
	cf.q = "bob";
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 2);

	/* Indexes marked built, as many entries as records: left alone. */
	w.all = 0;
	w.meta = 0;
	assert_int_equal(state_write(f->t.st, wipe_fn, &w), 0);
	assert_int_equal(listidx_ensure(f->t.st), 0);
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 0);
	/* Marked built but short of records (an older version made
	 * some): built again. */
	w.all = 1;
	assert_int_equal(state_write(f->t.st, wipe_fn, &w), 0);
	assert_int_equal(listidx_ensure(f->t.st), 0);
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 2);
	/* Never built: built from the records. */
	w.meta = 1;
	assert_int_equal(state_write(f->t.st, wipe_fn, &w), 0);
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 0);
	assert_int_equal(listidx_ensure(f->t.st), 0);
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 2);
	pf.status = NULL;
	pf.client_email = "alice@example.com";
	pf.q = "WEB";
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 1);
	assert_int_equal(clients_list(f->t.st, f->ws.id, &cf, 0, 10, &page,
	    &next), 0);
	assert_int_equal(json_array_size(page), 1);
	json_decref(page);
	/* Writes after the build keep them, as before. */
	mk(f, f->ws.id, "Website two", "alice@example.com");
	assert_int_equal(list(f, f->ws.id, &pf, 0, 10, NULL, &next), 2);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, tmpdir_fixture_free)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_filters),
		T(test_status_follows_writes),
		T(test_rename_reindexes),
		T(test_scan_budget),
		T(test_look_ahead),
		T(test_client_filters),
		T(test_build_on_upgrade),
	};

	return cmocka_run_group_tests_name("filters", tests, NULL, NULL);
}
