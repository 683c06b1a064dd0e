/*
 * test_journal.c: state/journal.h: appends, the per-workspace and
 * per-type pages in both directions, retention and stats, ingest (one
 * report at a time, and queued together to the writer thread); and
 * state/outbox.h's due deliveries, state/hooks.h's fan-out and how hooks
 * follow keys and plans; state/pagecache.h's kept pages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "common/fz.h"
#include "state/apikey.h"
#include "state/env.h"
#include "state/hooks.h"
#include "state/journal.h"
#include "state/outbox.h"
#include "state/pagecache.h"
#include "state/txn.h"
#include "state/workspace.h"
#include "tests/unit/tmpdir.h"

#define DAY	86400000LL
#define T0	1780000000000LL

struct append_arg {
	const char	*type;
	const char	*ws;
	int64_t		 at;
	int		 n;
};

static int
append_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct append_arg *a = arg;
	json_t *data = json_pack("{s:i}", "n", a->n);
	uint64_t seq;
	int err;

	err = journal_append_txn(txn, st, a->type, a->ws, a->at, data, &seq);
	json_decref(data);
	return err;
}

static void
append(struct tmpdir_fixture *f, const char *type, const char *ws, int64_t at,
    int n)
{
	struct append_arg a = { type, ws, at, n };

	assert_int_equal(state_write(f->st, append_fn, &a), 0);
}

/*
 * The writes, as calls that return their outcome: no writer thread runs
 * (but in test_ingest_queued), so each write's callback (state_keep_cb)
 * has run when it returns.
 */

/* journal_prune: the number of events deleted, or FZ_E*. */
static int
t_journal_prune(struct state *st, int64_t cutoff_ms, int64_t ids_cutoff_ms,
    uint64_t keep_from, size_t max)
{
	struct state_result r;
	int err;

	tmpdir_keep(&r);
	journal_prune(st, cutoff_ms, ids_cutoff_ms, keep_from, max,
	    state_keep_cb, &r);
	if ((err = tmpdir_kept(&r, NULL)) != 0)
		return err;
	return (int)r.n;
}

/* journal_ingest of r, whose err it also returns. */
static int
t_journal_ingest(struct state *st, struct journal_report *rep)
{
	struct state_result r;
	int err;

	rep->err = -999;
	tmpdir_keep(&r);
	journal_ingest(st, rep, state_keep_cb, &r);
	err = tmpdir_kept(&r, NULL);
	assert_int_equal(err, rep->err);
	assert_true(r.n == (err == 0 ? rep->seq : 0));
	return err;
}

static int
t_journal_record(struct state *st, const char *type, const char *ws,
    const json_t *data, int64_t now_ms, uint64_t *seq)
{
	struct state_result r;

	tmpdir_keep(&r);
	journal_record(st, type, ws, data, now_ms, state_keep_cb, &r);
	*seq = r.n;
	return tmpdir_kept(&r, NULL);
}

static int
t_hooks_create(struct state *st, const char *ws, const char *kind,
    const char *url, unsigned mask, const char *description, int64_t now_ms,
    json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	hooks_create(st, ws, kind, NULL, url, mask, description, now_ms,
	    state_keep_cb, &r);
	return tmpdir_kept(&r, out);
}

/* hooks_create bound to key_id. */
static void
t_hook_of(struct state *st, const char *ws, const char *kind,
    const char *key_id, char *id)
{
	struct state_result r;
	json_t *h;

	tmpdir_keep(&r);
	hooks_create(st, ws, kind, key_id, "https://hooks.example.com/x",
	    JOURNAL_T_SENT, NULL, T0, state_keep_cb, &r);
	assert_int_equal(tmpdir_kept(&r, &h), 0);
	strcpy(id, json_string_value(json_object_get(h, "id")));
	json_decref(h);
}

static int
t_hooks_update(struct state *st, const char *ws, const char *kind,
    const char *id, hooks_update_fn *fn, const void *fn_arg,
    size_t fn_arg_size, json_t **out)
{
	struct state_result r;

	tmpdir_keep(&r);
	hooks_update(st, ws, kind, id, fn, fn_arg, fn_arg_size, state_keep_cb,
	    &r);
	return tmpdir_kept(&r, out);
}

static int
t_hooks_delete(struct state *st, const char *ws, const char *kind,
    const char *id)
{
	struct state_result r;

	tmpdir_keep(&r);
	hooks_delete(st, ws, kind, id, state_keep_cb, &r);
	return tmpdir_kept(&r, NULL);
}

static int
setup(void **state)
{
	*state = tmpdir_fixture_new(sizeof(struct tmpdir_fixture), "journal",
	    NULL);
	return *state != NULL ? 0 : -1;
}

/* Returns the "n" fields of a page, in order, as a string "3,2,1". */
static void
page_ns(const struct journal_page *p, char *out, size_t size)
{
	json_t *arr = json_loadb(p->json, p->len, 0, NULL), *ev;
	size_t i, o = 0;

	assert_non_null(arr);
	out[0] = '\0';
	json_array_foreach(arr, i, ev)
		o += (size_t)snprintf(out + o, size - o, "%s%lld", i ? "," : "",
		    (long long)json_integer_value(json_object_get(ev, "n")));
	json_decref(arr);
}

static void
test_newest_first_by_type(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct journal_page p;
	char ns[128];

	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 1);
	append(f, JOURNAL_PACK_VIEWED, "ws_a", T0, 2);
	append(f, JOURNAL_PACK_SENT, "ws_b", T0, 3);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 4);
	append(f, JOURNAL_SIGNED_OFF, "ws_a", T0, 5);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 6);

	assert_int_equal(journal_page_newest(f->st, "ws_a", JOURNAL_T_SENT, 0,
	    2, &p), 0);
	page_ns(&p, ns, sizeof(ns));
	assert_string_equal(ns, "6,4");
	assert_true(p.more);
	free(p.json);
	assert_int_equal(journal_page_newest(f->st, "ws_a", JOURNAL_T_SENT,
	    p.next, 2, &p), 0);
	page_ns(&p, ns, sizeof(ns));
	assert_string_equal(ns, "1");
	assert_false(p.more);
	free(p.json);
	/* Other workspaces and empty ones. */
	assert_int_equal(journal_page_newest(f->st, "ws_b", JOURNAL_T_SENT, 0,
	    50, &p), 0);
	page_ns(&p, ns, sizeof(ns));
	assert_string_equal(ns, "3");
	free(p.json);
	assert_int_equal(journal_page_newest(f->st, "ws_zz", JOURNAL_T_ALL, 0,
	    50, &p), 0);
	assert_string_equal(p.json, "[]");
	free(p.json);
}

/* A kept page answers, byte for byte, only its own request and only
 * until the next commit; the least used entry makes room. */
static void
test_pagecache(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct pagecache_key key = { "ws_a", JOURNAL_T_SENT, 0, 50, 1, 0 };
	struct pagecache_key other;
	struct journal_page p;
	const struct journal_page *q;
	char ns[128];
	unsigned i;

	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 1);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 2);
	assert_false(pagecache_get(f->st, &key, &q));
	assert_int_equal(journal_page_newest(f->st, "ws_a", JOURNAL_T_SENT, 0,
	    50, &p), 0);
	assert_true(p.snapshot > 0);
	pagecache_put(f->st, &key, &p);
	assert_true(pagecache_get(f->st, &key, &q));
	assert_int_equal(q->len, p.len);
	assert_memory_equal(q->json, p.json, p.len);
	assert_true(q->json != p.json);
	assert_int_equal(q->count, 2);
	/* Another variant, workspace, limit, position or direction: not
	 * this page. */
	other = key;
	other.variant = 1;
	assert_false(pagecache_get(f->st, &other, &q));
	other = key;
	other.ws = "ws_b";
	assert_false(pagecache_get(f->st, &other, &q));
	other = key;
	other.limit = 49;
	assert_false(pagecache_get(f->st, &other, &q));
	other = key;
	other.before = 2;
	assert_false(pagecache_get(f->st, &other, &q));
	other = key;
	other.newest = 0;
	assert_false(pagecache_get(f->st, &other, &q));
	/* Any commit, even one that leaves this page as it was, ends it. */
	append(f, JOURNAL_PACK_VIEWED, "ws_b", T0, 3);
	assert_false(pagecache_get(f->st, &key, &q));
	free(p.json);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 4);
	assert_int_equal(journal_page_newest(f->st, "ws_a", JOURNAL_T_SENT, 0,
	    50, &p), 0);
	pagecache_put(f->st, &key, &p);
	assert_true(pagecache_get(f->st, &key, &q));
	page_ns(q, ns, sizeof(ns));
	assert_string_equal(ns, "4,2,1");
	/* 32 more pages: the first, used last, stays; the next oldest
	 * goes. */
	other = key;
	for (i = 1; i <= 32; i++) {
		other.limit = i;
		pagecache_put(f->st, &other, &p);
		if (i == 16) {
			assert_true(pagecache_get(f->st, &key, &q));
		}
	}
	assert_true(pagecache_get(f->st, &key, &q));
	other.limit = 1;
	assert_false(pagecache_get(f->st, &other, &q));
	other.limit = 32;
	assert_true(pagecache_get(f->st, &other, &q));
	free(p.json);
}

static void
test_after_oldest_first_filtered(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct journal_page p;
	uint64_t pos = 0;
	char ns[128], all[256] = "";
	int i;

	for (i = 1; i <= 9; i++)
		append(f, i % 3 == 0 ? JOURNAL_SIGNED_OFF : JOURNAL_PACK_SENT,
		    i % 2 ? "ws_a" : "ws_b", T0, i);
	/* ws_a holds 1,3,5,7,9; of those 3 and 9 are sign-offs. */
	do {
		assert_int_equal(journal_page_after(f->st, "ws_a",
		    JOURNAL_T_SENT, pos, 2, &p), 0);
		page_ns(&p, ns, sizeof(ns));
		if (*ns != '\0')
			snprintf(all + strlen(all), sizeof(all) - strlen(all),
			    "%s%s", *all ? "," : "", ns);
		assert_true(p.next >= pos);
		pos = p.next;
		free(p.json);
	} while (p.more);
	assert_string_equal(all, "1,5,7");
	/* An empty page still reports where to poll from. */
	assert_int_equal(journal_page_after(f->st, "ws_a", JOURNAL_T_ALL, pos,
	    10, &p), 0);
	assert_true(p.next >= pos);
	free(p.json);
}

static void
test_prune_respects_cutoff_and_keep(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct journal_stats js;
	struct journal_page p;
	char ns[128];

	append(f, JOURNAL_PACK_SENT, "ws_a", T0 - 10 * DAY, 1);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0 - 9 * DAY, 2);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0 - 8 * DAY, 3);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 4);
	/* Seq 2 is still owed to a subscriber: stop before it. */
	assert_int_equal(t_journal_prune(f->st, T0 - DAY, T0 - DAY, 2, 100), 1);
	assert_int_equal(t_journal_prune(f->st, T0 - DAY, T0 - DAY, UINT64_MAX,
	    1), 1);
	assert_int_equal(t_journal_prune(f->st, T0 - DAY, T0 - DAY, UINT64_MAX,
	    100), 1);
	assert_int_equal(t_journal_prune(f->st, T0 - DAY, T0 - DAY, UINT64_MAX,
	    100), 0);
	assert_int_equal(journal_page_newest(f->st, "ws_a", JOURNAL_T_ALL, 0,
	    50, &p), 0);
	page_ns(&p, ns, sizeof(ns));
	assert_string_equal(ns, "4");
	free(p.json);
	assert_int_equal(journal_stats(f->st, &js), 0);
	assert_int_equal(js.events, 1);
	assert_int_equal(js.first_seq, 4);
	assert_int_equal(js.last_seq, 4);
}

static void
test_sequence_never_reused(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct journal_stats js;

	append(f, JOURNAL_PACK_SENT, "ws_a", T0 - 9 * DAY, 1);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0 - 9 * DAY, 2);
	assert_int_equal(t_journal_prune(f->st, T0, T0, UINT64_MAX, 100), 2);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 3);
	assert_int_equal(journal_stats(f->st, &js), 0);
	assert_int_equal(js.events, 1);
	/* A cursor taken at seq 2 must still see the new event. */
	assert_int_equal(js.last_seq, 3);
	/* Emptied again, by parts: the mark moves up with what goes. */
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 4);
	assert_int_equal(t_journal_prune(f->st, T0 + DAY, T0 + DAY, UINT64_MAX,
	    1), 1);
	assert_int_equal(t_journal_prune(f->st, T0 + DAY, T0 + DAY, UINT64_MAX,
	    100), 1);
	assert_int_equal(journal_stats(f->st, &js), 0);
	assert_int_equal(js.events, 0);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0 + 2 * DAY, 5);
	assert_int_equal(journal_stats(f->st, &js), 0);
	assert_int_equal(js.last_seq, 5);
}

static void
test_append_rejects_bad_type(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct append_arg a = { "pack.lost", "ws_a", T0, 1 };

	assert_int_equal(state_write(f->st, append_fn, &a), FZ_EINVAL);
	assert_int_equal(journal_type_bit("pack.sent"), JOURNAL_T_SENT);
	assert_int_equal(journal_type_bit("nope"), 0);
}

static void
tail_cb(uint64_t seq, const char *json, size_t len, void *arg)
{
	char *out = arg;

	(void)json;
	(void)len;
	snprintf(out + strlen(out), 64 - strlen(out), "%llu ",
	    (unsigned long long)seq);
}

static void
test_tail(void **state)
{
	struct tmpdir_fixture *f = *state;
	char out[64] = "";
	int i;

	for (i = 0; i < 5; i++)
		append(f, JOURNAL_PACK_VIEWED, "ws_a", T0, i);
	assert_int_equal(journal_tail(f->st, 3, tail_cb, out), 0);
	assert_string_equal(out, "3 4 5 ");
	out[0] = '\0';
	assert_int_equal(journal_tail(f->st, 50, tail_cb, out), 0);
	assert_string_equal(out, "1 2 3 4 5 ");
}

/* Reports for ingest_reports: two new, one repeating the first, one of
 * a workspace that does not exist. */
static void
ingest_reports(struct journal_report *r, const char *ws, const json_t *data)
{
	size_t i;

	memset(r, 0, 4 * sizeof(*r));
	for (i = 0; i < 4; i++) {
		r[i].type = JOURNAL_PACK_VIEWED;
		r[i].ws = ws;
		r[i].data = data;
		r[i].now_ms = T0;
		r[i].err = -999;
	}
	r[0].source_id = "up_1";
	r[1].source_id = "up_2";
	r[2].source_id = "up_1";	/* a repeat */
	r[3].source_id = "up_3";
	r[3].ws = "ws_nosuchworkspace";
}

/* What ingest_reports' reports must have left, once each is ingested. */
static void
ingest_check(struct tmpdir_fixture *f, struct journal_report *r,
    const char *ws)
{
	struct journal_page p;

	assert_int_equal(r[0].err, 0);
	assert_int_equal(r[1].err, 0);
	assert_true(r[0].seq > 0 && r[1].seq == r[0].seq + 1);
	assert_int_equal(r[2].err, FZ_EEXIST);
	assert_int_equal(r[3].err, FZ_ENOTFOUND);
	/* A later report repeating an id journals nothing for it. */
	r[1].err = -999;
	assert_int_equal(t_journal_ingest(f->st, &r[1]), FZ_EEXIST);
	assert_int_equal(r[1].err, FZ_EEXIST);
	assert_int_equal(journal_page_newest(f->st, ws, JOURNAL_T_ALL, 0,
	    50, &p), 0);
	assert_int_equal(p.count, 2);
	free(p.json);
}

/* Each report is journaled once and has its own outcome. */
static void
test_ingest(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct journal_report r[4];
	json_t *data = json_pack("{s:s}", "project_id", "prj_1");
	size_t i;

	assert_non_null(data);
	assert_int_equal(workspace_create(f->st, "Batch", PLAN_AGENCY, &ws), 0);
	ingest_reports(r, ws.id, data);
	for (i = 0; i < 4; i++)
		t_journal_ingest(f->st, &r[i]);
	ingest_check(f, r, ws.id);
	json_decref(data);
}

struct ingest_seen {
	int		 calls;
	int		 err[4];
	uint64_t	 n[4];
	int		 batches;
	size_t		 ops[4];
};

static void
ingest_done(struct state_result *res, void *arg)
{
	struct ingest_seen *s = arg;

	if (s->calls < 4) {
		s->err[s->calls] = res->err;
		s->n[s->calls] = res->n;
	}
	s->calls++;
}

static void
ingest_commit(void *arg, size_t ops, int64_t took_us)
{
	struct ingest_seen *s = arg;

	(void)took_us;
	if (s->batches < 4)
		s->ops[s->batches] = ops;
	s->batches++;
}

/* Reports queued together with the writer thread running form one batch
 * (one transaction each, nested in the batch's) and keep their own
 * outcomes: a repeat within the batch is seen, a failure spoils nothing
 * of the others'. */
static void
test_ingest_queued(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct event_base *base;
	struct tmpdir_gate gate;
	struct ingest_seen seen;
	struct workspace ws;
	struct journal_report r[4];
	json_t *data = json_pack("{s:s}", "project_id", "prj_1");
	size_t i;

	assert_non_null(data);
	assert_int_equal(workspace_create(f->st, "Batch", PLAN_AGENCY, &ws), 0);
	ingest_reports(r, ws.id, data);
	memset(&seen, 0, sizeof(seen));
	assert_non_null(base = event_base_new());
	assert_int_equal(state_start(f->st, base), 0);
	state_on_commit(f->st, ingest_commit, &seen);
	/* The writer holds in the gate's batch while the four queue. */
	tmpdir_gate_submit(f->st, &gate);
	for (i = 0; i < 4; i++)
		journal_ingest(f->st, &r[i], ingest_done, &seen);
	tmpdir_gate_open(&gate);
	tmpdir_loop_until(base, &seen.calls, 4);
	assert_int_equal(gate.done, 1);
	assert_int_equal(gate.err, 0);
	assert_int_equal(seen.calls, 4);
	/* The gate's batch, then one of the four: the repeat and the
	 * unknown workspace wrote nothing. */
	assert_int_equal(seen.batches, 2);
	assert_int_equal(seen.ops[0], 1);
	assert_int_equal(seen.ops[1], 2);
	for (i = 0; i < 4; i++) {
		assert_int_equal(seen.err[i], r[i].err);
		assert_true(seen.n[i] == (r[i].err == 0 ? r[i].seq : 0));
	}
	state_stop(f->st);
	tmpdir_gate_free(&gate);
	event_base_free(base);
	ingest_check(f, r, ws.id);
	json_decref(data);
}

/* Stored text: the event's own fields first, then the snapshot's in
 * their order; a snapshot cannot override the own fields. */
static void
test_event_text(void **state)
{
	struct tmpdir_fixture *f = *state;
	json_t *data, *ev;
	char *text, *again;
	const char *k;
	size_t len, i;
	uint64_t seq;
	static const char *const order[] = { "id", "type", "occurred_at",
	    "workspace_id", "project_id", "n", "note" };

	data = json_pack("{s:s, s:i, s:s}", "project_id", "prj_1", "n", 7,
	    "note", "say \"hi\"\n");
	assert_int_equal(t_journal_record(f->st, JOURNAL_PACK_SENT, "ws_a",
	    data, T0, &seq), 0);
	json_decref(data);
	assert_int_equal(journal_get(f->st, seq, &text, &len), 0);
	assert_non_null(ev = json_loadb(text, len, 0, NULL));
	i = 0;
	json_object_foreach(ev, k, data) {
		assert_true(i < FZ_NELEM(order));
		assert_string_equal(k, order[i++]);
	}
	assert_int_equal(i, FZ_NELEM(order));
	assert_string_equal(json_string_value(json_object_get(ev, "note")),
	    "say \"hi\"\n");
	again = json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(text, again);
	free(again);
	json_decref(ev);
	free(text);

	data = json_pack("{s:s, s:s, s:s}", "id", "evt_forged", "type",
	    "client.signed_off", "extra", "kept");
	assert_int_equal(t_journal_record(f->st, JOURNAL_PACK_SENT, "ws_a",
	    data, T0, &seq), 0);
	json_decref(data);
	assert_int_equal(journal_get(f->st, seq, &text, &len), 0);
	assert_non_null(ev = json_loadb(text, len, 0, NULL));
	assert_string_not_equal(json_string_value(json_object_get(ev, "id")),
	    "evt_forged");
	assert_string_equal(json_string_value(json_object_get(ev, "type")),
	    JOURNAL_PACK_SENT);
	assert_string_equal(json_string_value(json_object_get(ev, "extra")),
	    "kept");
	json_decref(ev);
	free(text);

	data = json_object();
	assert_int_equal(t_journal_record(f->st, JOURNAL_PACK_SENT, "ws_a",
	    data, T0, &seq), 0);
	json_decref(data);
	assert_int_equal(journal_get(f->st, seq, &text, &len), 0);
	assert_non_null(ev = json_loadb(text, len, 0, NULL));
	assert_int_equal(json_object_size(ev), 4);
	json_decref(ev);
	free(text);
}

/* An ingested event's upstream id outlives the event until the ids'
 * cutoff passes too; then a repeat is journaled anew. */
static void
test_prune_forgets_ingested_id(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct journal_report r;
	json_t *data = json_object();

	assert_int_equal(workspace_create(f->st, "Prune", PLAN_AGENCY, &ws), 0);
	memset(&r, 0, sizeof(r));
	r.type = JOURNAL_SIGNED_OFF;
	r.ws = ws.id;
	r.source_id = "up_pruned";
	r.data = data;
	r.now_ms = T0;
	assert_int_equal(t_journal_ingest(f->st, &r), 0);
	assert_int_equal(r.err, 0);
	assert_int_equal(t_journal_ingest(f->st, &r), FZ_EEXIST);
	assert_int_equal(r.err, FZ_EEXIST);
	/* Not old enough yet: kept, and still a repeat. */
	assert_int_equal(t_journal_prune(f->st, T0, T0, UINT64_MAX, 100), 0);
	assert_int_equal(t_journal_ingest(f->st, &r), FZ_EEXIST);
	assert_int_equal(r.err, FZ_EEXIST);
	/* The event goes; its id is remembered a while longer. */
	assert_int_equal(t_journal_prune(f->st, T0 + 1, T0, UINT64_MAX, 100),
	    1);
	assert_int_equal(t_journal_ingest(f->st, &r), FZ_EEXIST);
	assert_int_equal(r.err, FZ_EEXIST);
	assert_int_equal(t_journal_prune(f->st, T0 + 1, T0 + 1, UINT64_MAX,
	    100), 0);
	r.now_ms = T0 + 2;
	assert_int_equal(t_journal_ingest(f->st, &r), 0);
	assert_int_equal(r.err, 0);
	json_decref(data);
}

static int
enqueue_fn(MDB_txn *txn, struct state *st, void *arg)
{
	uint64_t seq;
	int err;

	(void)arg;
	for (seq = 1; seq <= 3; seq++)
		if ((err = outbox_enqueue_txn(txn, st, "wh_due", seq, "evt_x",
		    T0, T0)) != 0)
			return err;
	return 0;
}

/* Due deliveries come earliest first, and carry the attempts made so
 * far. */
static void
test_outbox_due(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct outbox_item items[8];
	struct outbox_attempt a = { T0, 500, 3, "HTTP 500" };
	size_t n;

	assert_int_equal(state_write(f->st, enqueue_fn, NULL), 0);
	assert_int_equal(outbox_due(f->st, T0, items, 2, NULL, NULL, &n), 0);
	assert_int_equal(n, 2);
	assert_true(items[0].seq == 1 && items[1].seq == 2);
	assert_int_equal(items[0].attempts, 0);
	assert_int_equal(outbox_due(f->st, T0 - 1, items, 8, NULL,
	    NULL, &n), 0);
	assert_int_equal(n, 0);
	/* A failed attempt requeues it with one attempt made. */
	outbox_record(f->st, &items[0], &a, 0, T0 + 10);
	assert_int_equal(outbox_due(f->st, T0 + 10, items, 8, NULL,
	    NULL, &n), 0);
	assert_int_equal(n, 3);
	assert_true(items[2].seq == 1);
	assert_int_equal(items[2].attempts, 1);
}

static int
set_enabled(json_t *hook, void *arg)
{
	json_object_set_new(hook, "enabled", json_boolean(*(int *)arg));
	return 0;
}

static size_t
depth(struct tmpdir_fixture *f)
{
	size_t n;

	assert_int_equal(outbox_depth(f->st, &n), 0);
	return n;
}

/* Subscribes ws_a's url to the types in mask; the hook's id goes in id. */
static void
subscribe(struct tmpdir_fixture *f, const char *kind, const char *url,
    unsigned mask, char *id)
{
	json_t *h;

	assert_int_equal(t_hooks_create(f->st, "ws_a", kind, url, mask, NULL,
	    T0, &h), 0);
	strcpy(id, json_string_value(json_object_get(h, "id")));
	json_decref(h);
}

/* Fan-out keeps up with every change to the subscriptions, though what
 * it reads of them is cached. */
static void
test_fanout_follows_hooks(void **state)
{
	struct tmpdir_fixture *f = *state;
	char sent_id[FZ_ID_SIZE], viewed_id[FZ_ID_SIZE];
	int on;

	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 1);
	assert_int_equal(depth(f), 0);
	subscribe(f, HOOKS_KIND_WEBHOOK, "https://crm.example.com/a",
	    JOURNAL_T_SENT, sent_id);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 2);
	assert_int_equal(depth(f), 1);
	subscribe(f, HOOKS_KIND_ZAPIER, "https://hooks.zapier.com/b",
	    JOURNAL_T_VIEWED, viewed_id);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 3);
	assert_int_equal(depth(f), 2);
	append(f, JOURNAL_PACK_VIEWED, "ws_a", T0, 4);
	assert_int_equal(depth(f), 3);
	/* Another workspace's events reach neither. */
	append(f, JOURNAL_PACK_SENT, "ws_b", T0, 5);
	assert_int_equal(depth(f), 3);

	on = 0;
	assert_int_equal(t_hooks_update(f->st, "ws_a", NULL, sent_id, set_enabled,
	    &on, sizeof(on), NULL), 0);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 6);
	assert_int_equal(depth(f), 3);
	on = 1;
	assert_int_equal(t_hooks_update(f->st, "ws_a", NULL, sent_id, set_enabled,
	    &on, sizeof(on), NULL), 0);
	append(f, JOURNAL_PACK_SENT, "ws_a", T0, 7);
	assert_int_equal(depth(f), 4);

	/* Deleting one drops its queue (one delivery) and its future. */
	assert_int_equal(t_hooks_delete(f->st, "ws_a", NULL, viewed_id), 0);
	assert_int_equal(depth(f), 3);
	append(f, JOURNAL_PACK_VIEWED, "ws_a", T0, 8);
	assert_int_equal(depth(f), 3);

	/* The report subscription covers every workspace. */
	assert_int_equal(hooks_set_report(f->st, "https://edge.example.com/r",
	    "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", T0), 0);
	append(f, JOURNAL_PACK_VIEWED, "ws_b", T0, 9);
	assert_int_equal(depth(f), 4);
	assert_int_equal(hooks_set_report(f->st, NULL, NULL, T0), 0);
	append(f, JOURNAL_PACK_VIEWED, "ws_b", T0, 10);
	assert_int_equal(depth(f), 3);
}

/* Strips a record to what versions before statuses and bound keys
 * stored. */
static int
make_old_fn(MDB_txn *txn, struct state *st, void *arg)
{
	MDB_val k, v;
	json_t *h;
	char *text;
	int rc;

	k.mv_data = arg;
	k.mv_size = strlen(arg);
	if (mdb_get(txn, state_dbi(st, DB_HOOKS), &k, &v) != 0 ||
	    (h = json_loadb(v.mv_data, v.mv_size, 0, NULL)) == NULL)
		return FZ_ESTORE;
	json_object_del(h, "status");
	json_object_del(h, "statusReason");
	json_object_del(h, "keyId");
	text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	v.mv_data = text;
	v.mv_size = strlen(text);
	rc = mdb_put(txn, state_dbi(st, DB_HOOKS), &k, &v, 0);
	free(text);
	return rc == 0 ? 0 : FZ_ESTORE;
}

static const char *
status_of(struct tmpdir_fixture *f, const char *id, char *buf)
{
	json_t *h;

	assert_int_equal(hooks_get(f->st, NULL, NULL, id, &h), 0);
	strcpy(buf, hooks_status(h));
	json_decref(h);
	return buf;
}

/*
 * A Zapier hook stops with its key, every hook with its plan; a record
 * from before keys were bound stands active, survives key revocations
 * and pauses with the plan. A stopped hook's queued delivery fails, and
 * nothing is queued for it while it is stopped.
 */
static void
test_hooks_follow_keys_and_plans(void **state)
{
	struct tmpdir_fixture *f = *state;
	char tok[SECURE_TOKEN_SIZE], zap[FZ_ID_SIZE], old[FZ_ID_SIZE];
	char crm[FZ_ID_SIZE], b[16];
	struct workspace ws;
	struct apikey key;
	enum plan was;
	json_t *l;

	assert_int_equal(workspace_create(f->st, "Agency", PLAN_AGENCY, &ws),
	    0);
	assert_int_equal(apikey_create(f->st, ws.id, "zapier", SCOPE_WRITE,
	    &key, tok), 0);
	t_hook_of(f->st, ws.id, HOOKS_KIND_ZAPIER, key.id, zap);
	t_hook_of(f->st, ws.id, HOOKS_KIND_ZAPIER, NULL, old);
	assert_int_equal(state_write(f->st, make_old_fn, old), 0);
	t_hook_of(f->st, ws.id, HOOKS_KIND_WEBHOOK, NULL, crm);
	assert_string_equal(status_of(f, old, b), HOOKS_ACTIVE);
	append(f, JOURNAL_PACK_SENT, ws.id, T0, 1);
	assert_int_equal(depth(f), 3);

	assert_int_equal(apikey_revoke(f->st, key.id, T0), 0);
	assert_string_equal(status_of(f, zap, b), HOOKS_REVOKED);
	assert_string_equal(status_of(f, old, b), HOOKS_ACTIVE);
	assert_string_equal(status_of(f, crm, b), HOOKS_ACTIVE);
	assert_int_equal(depth(f), 2);
	assert_int_equal(outbox_deliveries(f->st, zap, 10, &l), 0);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    l, 0), "status")), "failed");
	json_decref(l);

	assert_int_equal(workspace_set_plan(f->st, ws.id, PLAN_PRO, &was), 0);
	assert_int_equal(was, PLAN_AGENCY);
	assert_string_equal(status_of(f, crm, b), HOOKS_PAUSED);
	assert_string_equal(status_of(f, old, b), HOOKS_ACTIVE);
	assert_int_equal(depth(f), 1);
	assert_int_equal(workspace_set_plan(f->st, ws.id, PLAN_FREE, NULL), 0);
	assert_string_equal(status_of(f, old, b), HOOKS_PAUSED);
	assert_int_equal(depth(f), 0);
	append(f, JOURNAL_PACK_SENT, ws.id, T0, 2);
	assert_int_equal(depth(f), 0);

	/* The plan back: the paused resume; a revoked key's hook does not. */
	assert_int_equal(workspace_set_plan(f->st, ws.id, PLAN_AGENCY, NULL),
	    0);
	assert_string_equal(status_of(f, crm, b), HOOKS_ACTIVE);
	assert_string_equal(status_of(f, old, b), HOOKS_ACTIVE);
	assert_string_equal(status_of(f, zap, b), HOOKS_REVOKED);
	append(f, JOURNAL_PACK_SENT, ws.id, T0, 3);
	assert_int_equal(depth(f), 2);
	assert_int_equal(workspace_set_plan(f->st, "ws_NoSuchOne", PLAN_FREE,
	    NULL), FZ_ENOTFOUND);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, tmpdir_fixture_free)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_newest_first_by_type),
		T(test_pagecache),
		T(test_after_oldest_first_filtered),
		T(test_prune_respects_cutoff_and_keep),
		T(test_sequence_never_reused),
		T(test_append_rejects_bad_type),
		T(test_tail),
		T(test_ingest),
		T(test_ingest_queued),
		T(test_event_text),
		T(test_prune_forgets_ingested_id),
		T(test_outbox_due),
		T(test_fanout_follows_hooks),
		T(test_hooks_follow_keys_and_plans),
	};

	/* A watchdog, not a timing check: test_ingest_queued's loop would
	 * wait forever for a writer that never reports. */
	alarm(120);
	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
