/*
 * test_state.c: state/state.h, state/workspace.h and state/apikey.h
 * against a temporary LMDB environment.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/apikey.h"
#include "state/env.h"
#include "state/state.h"
#include "state/workspace.h"
#include "tests/unit/tmpdir.h"

#define TOKEN_LEN	(SECURE_TOKEN_SIZE - 1)

static int
setup(void **state)
{
	*state = tmpdir_fixture_new(sizeof(struct tmpdir_fixture), "state",
	    NULL);
	return *state != NULL ? 0 : -1;
}

static void
reopen(struct tmpdir_fixture *f)
{
	state_close(f->st);
	f->st = NULL;
	assert_int_equal(state_open(f->dir, &f->st), 0);
	assert_non_null(f->st);
}

static void
make_ws(struct tmpdir_fixture *f, const char *name, enum plan plan,
    struct workspace *ws)
{
	assert_int_equal(workspace_create(f->st, name, plan, ws), 0);
}

static void
make_key(struct tmpdir_fixture *f, const char *ws_id, const char *name,
    enum scope scope, struct apikey *key, char *token)
{
	assert_int_equal(apikey_create(f->st, ws_id, name, scope, key, token),
	    0);
}

/* --- workspaces --- */

static void
test_workspace_create_get(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, got;
	int64_t before, after;

	before = clock_now_ms();
	make_ws(f, "Acme Agency", PLAN_AGENCY, &ws);
	after = clock_now_ms();
	assert_int_equal(strlen(ws.id), 3 + FZ_ID_RANDOM);
	assert_memory_equal(ws.id, "ws_", 3);
	assert_string_equal(ws.name, "Acme Agency");
	assert_int_equal(ws.plan, PLAN_AGENCY);
	assert_true(ws.created_ms >= before && ws.created_ms <= after);

	memset(&got, 0, sizeof(got));
	assert_int_equal(workspace_get(f->st, ws.id, &got), 0);
	assert_string_equal(got.id, ws.id);
	assert_string_equal(got.name, "Acme Agency");
	assert_int_equal(got.plan, PLAN_AGENCY);
	assert_int_equal(got.created_ms, ws.created_ms);
}

static void
test_workspace_get_missing(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, got;
	char id[FZ_ID_SIZE];

	assert_int_equal(workspace_get(f->st, "ws_nope", &got), FZ_ENOTFOUND);
	assert_int_equal(workspace_get(f->st, "", &got), FZ_ENOTFOUND);
	make_ws(f, "Real", PLAN_FREE, &ws);
	snprintf(id, sizeof(id), "%s", ws.id);
	id[strlen(id) - 1] ^= 1;
	assert_int_equal(workspace_get(f->st, id, &got), FZ_ENOTFOUND);
}

struct ws_seen {
	char	id[8][FZ_ID_SIZE];
	int	n;
	int	stop_at;
};

static int
ws_collect(const struct workspace *ws, void *arg)
{
	struct ws_seen *s = arg;

	if (s->n < 8)
		snprintf(s->id[s->n], FZ_ID_SIZE, "%s", ws->id);
	s->n++;
	return s->n == s->stop_at ? 7 : 0;
}

static void
test_workspace_list(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws[3];
	struct ws_seen seen;
	int i, j, found;

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(workspace_list(f->st, ws_collect, &seen), 0);
	assert_int_equal(seen.n, 0);

	make_ws(f, "One", PLAN_FREE, &ws[0]);
	make_ws(f, "Two", PLAN_PRO, &ws[1]);
	make_ws(f, "Three", PLAN_AGENCY, &ws[2]);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(workspace_list(f->st, ws_collect, &seen), 0);
	assert_int_equal(seen.n, 3);
	for (i = 0; i < 3; i++) {
		found = 0;
		for (j = 0; j < 3; j++)
			found += strcmp(seen.id[j], ws[i].id) == 0;
		assert_int_equal(found, 1);
	}
	/* In id order. */
	assert_true(strcmp(seen.id[0], seen.id[1]) < 0);
	assert_true(strcmp(seen.id[1], seen.id[2]) < 0);

	/* A non-zero return stops the walk and is passed back. */
	memset(&seen, 0, sizeof(seen));
	seen.stop_at = 2;
	assert_int_equal(workspace_list(f->st, ws_collect, &seen), 7);
	assert_int_equal(seen.n, 2);
}

static int
ws_count(const struct workspace *ws, void *arg)
{
	(void)ws;
	(*(int *)arg)++;
	return 0;
}

static void
test_workspace_invalid(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	char longname[FZ_NAME_MAX + 2];
	int n = 0;

	assert_int_equal(workspace_create(f->st, "", PLAN_FREE, &ws),
	    FZ_EINVAL);
	assert_int_equal(workspace_create(f->st, "   ", PLAN_FREE, &ws),
	    FZ_EINVAL);
	assert_int_equal(workspace_create(f->st, "tab\there", PLAN_FREE, &ws),
	    FZ_EINVAL);
	assert_int_equal(workspace_create(f->st, "bad \xff", PLAN_FREE, &ws),
	    FZ_EINVAL);
	memset(longname, 'n', FZ_NAME_MAX + 1);
	longname[FZ_NAME_MAX + 1] = '\0';
	assert_int_equal(workspace_create(f->st, longname, PLAN_FREE, &ws),
	    FZ_EINVAL);
	assert_int_equal(workspace_create(f->st, "Fine", (enum plan)0, &ws),
	    FZ_EINVAL);
	assert_int_equal(workspace_create(f->st, "Fine", (enum plan)4, &ws),
	    FZ_EINVAL);
	assert_int_equal(workspace_list(f->st, ws_count, &n), 0);
	assert_int_equal(n, 0);

	/* Exactly FZ_NAME_MAX bytes is fine. */
	longname[FZ_NAME_MAX] = '\0';
	make_ws(f, longname, PLAN_PRO, &ws);
	assert_string_equal(ws.name, longname);
}

static void
test_plan_parse_name(void **state)
{
	static const struct {
		const char	*s;
		enum plan	 p;
	} plans[] = {
		{ "free", PLAN_FREE },
		{ "pro", PLAN_PRO },
		{ "agency", PLAN_AGENCY },
	};
	enum plan p;
	size_t i;

	(void)state;
	for (i = 0; i < FZ_NELEM(plans); i++) {
		p = (enum plan)0;
		assert_int_equal(workspace_plan_parse(plans[i].s, &p), 0);
		assert_int_equal(p, plans[i].p);
		assert_string_equal(workspace_plan_name(plans[i].p),
		    plans[i].s);
	}
	assert_int_equal(workspace_plan_parse("Free", &p), FZ_EINVAL);
	assert_int_equal(workspace_plan_parse("", &p), FZ_EINVAL);
	assert_int_equal(workspace_plan_parse("enterprise", &p), FZ_EINVAL);
	assert_int_equal(workspace_plan_parse("pro ", &p), FZ_EINVAL);
}

/* --- API keys --- */

static void
test_apikey_create(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct apikey key, got;
	char token[SECURE_TOKEN_SIZE];
	unsigned char md[SECURE_SHA256_SIZE];
	int64_t before;

	make_ws(f, "Acme", PLAN_PRO, &ws);
	before = clock_now_ms();
	make_key(f, ws.id, "ci deploy", SCOPE_WRITE, &key, token);
	assert_int_equal(strlen(token), TOKEN_LEN);
	assert_int_equal(strlen(token), 48);
	assert_true(secure_token_wellformed(token, strlen(token)));
	/* The visible prefix is the token's public part alone. */
	assert_string_equal(key.prefix, "fz_live_");
	assert_memory_equal(key.id, "key_", 4);
	assert_string_equal(key.workspace_id, ws.id);
	assert_string_equal(key.name, "ci deploy");
	assert_int_equal(key.scope, SCOPE_WRITE);
	assert_int_equal(key.last_used_ms, 0);
	assert_int_equal(key.revoked_ms, 0);
	assert_true(key.created_ms >= before);
	assert_int_equal(secure_sha256(token, strlen(token), md), 0);
	assert_memory_equal(key.hash, md, sizeof(md));

	memset(&got, 0, sizeof(got));
	assert_int_equal(apikey_get(f->st, key.id, &got), 0);
	assert_string_equal(got.id, key.id);
	assert_string_equal(got.prefix, key.prefix);
	assert_memory_equal(got.hash, key.hash, sizeof(md));
	assert_int_equal(got.scope, SCOPE_WRITE);
	assert_int_equal(apikey_get(f->st, "key_nope", &got), FZ_ENOTFOUND);
}

/* A key record as it is stored (apikey.c). */
struct old_key_rec {
	uint32_t	version;
	struct apikey	key;
};

/* Puts back in the record of key (arg) the first six random characters
 * of its token, as versions before kept in the prefix. */
static int
old_prefix_fn(MDB_txn *txn, struct state *st, void *arg)
{
	const char *const *kt = arg;
	struct old_key_rec rec;
	MDB_val k, v;
	int err;

	k.mv_data = (void *)kt[0];
	k.mv_size = strlen(kt[0]);
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_APIKEYS), &k,
	    &v))) != 0)
		return err;
	if (v.mv_size != sizeof(rec))
		return FZ_ESTORE;
	memcpy(&rec, v.mv_data, sizeof(rec));
	memcpy(rec.key.prefix, kt[1], APIKEY_PREFIX_SIZE - 1);
	rec.key.prefix[APIKEY_PREFIX_SIZE - 1] = '\0';
	v.mv_data = &rec;
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_APIKEYS), &k, &v,
	    0));
}

/* A key made by an older version kept six secret characters in its
 * prefix: they are never handed out, by lookup nor by authentication. */
static void
test_apikey_old_prefix(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, wsa;
	struct apikey key, got;
	char token[SECURE_TOKEN_SIZE];
	const char *kt[2];

	make_ws(f, "Acme", PLAN_PRO, &ws);
	make_key(f, ws.id, "old", SCOPE_READ, &key, token);
	kt[0] = key.id;
	kt[1] = token;
	assert_int_equal(state_write(f->st, old_prefix_fn, kt), 0);
	assert_int_equal(apikey_get(f->st, key.id, &got), 0);
	assert_string_equal(got.prefix, "fz_live_");
	assert_int_equal(apikey_authenticate(f->st, token, strlen(token), &got,
	    &wsa), 0);
	assert_string_equal(got.prefix, "fz_live_");
}

static void
test_apikey_tokens_differ(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct apikey a, b;
	char ta[SECURE_TOKEN_SIZE], tb[SECURE_TOKEN_SIZE];

	make_ws(f, "Acme", PLAN_PRO, &ws);
	make_key(f, ws.id, "a", SCOPE_READ, &a, ta);
	make_key(f, ws.id, "b", SCOPE_READ, &b, tb);
	assert_string_not_equal(ta, tb);
	assert_string_not_equal(a.id, b.id);
}

static void
test_apikey_create_invalid(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct apikey key;
	char token[SECURE_TOKEN_SIZE];

	make_ws(f, "Acme", PLAN_PRO, &ws);
	assert_int_equal(apikey_create(f->st, "ws_nope", "k", SCOPE_READ,
	    &key, token), FZ_ENOTFOUND);
	assert_int_equal(apikey_create(f->st, "", "k", SCOPE_READ, &key,
	    token), FZ_ENOTFOUND);
	assert_int_equal(apikey_create(f->st, ws.id, "", SCOPE_READ, &key,
	    token), FZ_EINVAL);
	assert_int_equal(apikey_create(f->st, ws.id, "k", (enum scope)0, &key,
	    token), FZ_EINVAL);
	assert_int_equal(apikey_create(f->st, ws.id, "k", (enum scope)5, &key,
	    token), FZ_EINVAL);
}

static int
key_count(const struct apikey *key, void *arg)
{
	(void)key;
	(*(int *)arg)++;
	return 0;
}

static void
test_apikey_missing_ws_stores_nothing(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct apikey key;
	char token[SECURE_TOKEN_SIZE];
	int n = 0;

	assert_int_equal(apikey_create(f->st, "ws_0000000000000000000a", "k",
	    SCOPE_ADMIN, &key, token), FZ_ENOTFOUND);
	assert_int_equal(apikey_list(f->st, NULL, key_count, &n), 0);
	assert_int_equal(n, 0);
	/* State still healthy after a refused write. */
	assert_int_equal(state_ready(f->st), 0);
}

static void
test_apikey_authenticate(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, gws;
	struct apikey key, got;
	char token[SECURE_TOKEN_SIZE];

	make_ws(f, "Acme", PLAN_AGENCY, &ws);
	make_key(f, ws.id, "k", SCOPE_ADMIN, &key, token);
	memset(&got, 0, sizeof(got));
	memset(&gws, 0, sizeof(gws));
	assert_int_equal(apikey_authenticate(f->st, token, strlen(token),
	    &got, &gws), 0);
	assert_string_equal(got.id, key.id);
	assert_string_equal(got.workspace_id, ws.id);
	assert_int_equal(got.scope, SCOPE_ADMIN);
	assert_int_equal(got.revoked_ms, 0);
	assert_string_equal(gws.id, ws.id);
	assert_string_equal(gws.name, "Acme");
	assert_int_equal(gws.plan, PLAN_AGENCY);
}

static void
test_apikey_authenticate_wrong(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, gws;
	struct apikey key, got;
	char token[SECURE_TOKEN_SIZE], other[SECURE_TOKEN_SIZE];
	char bad[SECURE_TOKEN_SIZE];

	make_ws(f, "Acme", PLAN_PRO, &ws);
	make_key(f, ws.id, "k", SCOPE_READ, &key, token);

	/* Well-formed, never issued. */
	assert_int_equal(secure_token(other), 0);
	assert_int_equal(apikey_authenticate(f->st, other, strlen(other),
	    &got, &gws), FZ_ENOTFOUND);
	/* One character off. */
	memcpy(bad, token, sizeof(bad));
	bad[TOKEN_LEN - 1] = bad[TOKEN_LEN - 1] == 'a' ? 'b' : 'a';
	assert_int_equal(apikey_authenticate(f->st, bad, TOKEN_LEN, &got,
	    &gws), FZ_ENOTFOUND);
	/* Malformed. */
	memcpy(bad, token, sizeof(bad));
	bad[TOKEN_LEN - 1] = '-';
	assert_int_equal(apikey_authenticate(f->st, bad, TOKEN_LEN, &got,
	    &gws), FZ_ENOTFOUND);
	assert_int_equal(apikey_authenticate(f->st, token, TOKEN_LEN - 1, &got,
	    &gws), FZ_ENOTFOUND);
	assert_int_equal(apikey_authenticate(f->st, "", 0, &got, &gws),
	    FZ_ENOTFOUND);
	assert_int_equal(apikey_authenticate(f->st, "Bearer x", 8, &got,
	    &gws), FZ_ENOTFOUND);
	/* The real one still works. */
	assert_int_equal(apikey_authenticate(f->st, token, TOKEN_LEN, &got,
	    &gws), 0);
}

static void
test_apikey_revoke(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, gws;
	struct apikey key, got;
	char token[SECURE_TOKEN_SIZE];

	make_ws(f, "Acme", PLAN_PRO, &ws);
	make_key(f, ws.id, "k", SCOPE_WRITE, &key, token);
	assert_int_equal(apikey_revoke(f->st, key.id, 1234), 0);
	memset(&got, 0, sizeof(got));
	assert_int_equal(apikey_authenticate(f->st, token, TOKEN_LEN, &got,
	    &gws), 0);
	assert_string_equal(got.id, key.id);
	assert_int_equal(got.revoked_ms, 1234);
	assert_int_equal(apikey_revoke(f->st, key.id, 5678), FZ_ECONFLICT);
	assert_int_equal(apikey_get(f->st, key.id, &got), 0);
	assert_int_equal(got.revoked_ms, 1234);
	assert_int_equal(apikey_revoke(f->st, "key_unknown", 1), FZ_ENOTFOUND);
	assert_int_equal(apikey_revoke(f->st, "", 1), FZ_ENOTFOUND);
}

struct key_seen {
	const char	*ws_id;
	int		 n;
	int		 wrong_ws;
	char		 last[FZ_ID_SIZE];
	int		 unordered;
};

static int
key_collect(const struct apikey *key, void *arg)
{
	struct key_seen *s = arg;

	if (s->ws_id != NULL && strcmp(key->workspace_id, s->ws_id) != 0)
		s->wrong_ws++;
	if (s->n > 0 && strcmp(s->last, key->id) >= 0)
		s->unordered++;
	snprintf(s->last, sizeof(s->last), "%s", key->id);
	s->n++;
	return 0;
}

static int
key_stop(const struct apikey *key, void *arg)
{
	(void)key;
	(*(int *)arg)++;
	return 42;
}

static void
test_apikey_list(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace a, b, c;
	struct apikey key;
	char token[SECURE_TOKEN_SIZE];
	struct key_seen seen;
	int n;

	make_ws(f, "A", PLAN_PRO, &a);
	make_ws(f, "B", PLAN_PRO, &b);
	make_ws(f, "C", PLAN_PRO, &c);
	make_key(f, a.id, "a1", SCOPE_READ, &key, token);
	make_key(f, b.id, "b1", SCOPE_READ, &key, token);
	make_key(f, a.id, "a2", SCOPE_WRITE, &key, token);
	make_key(f, a.id, "a3", SCOPE_ADMIN, &key, token);

	memset(&seen, 0, sizeof(seen));
	seen.ws_id = a.id;
	assert_int_equal(apikey_list(f->st, a.id, key_collect, &seen), 0);
	assert_int_equal(seen.n, 3);
	assert_int_equal(seen.wrong_ws, 0);
	assert_int_equal(seen.unordered, 0);

	memset(&seen, 0, sizeof(seen));
	seen.ws_id = b.id;
	assert_int_equal(apikey_list(f->st, b.id, key_collect, &seen), 0);
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.wrong_ws, 0);

	memset(&seen, 0, sizeof(seen));
	seen.ws_id = c.id;
	assert_int_equal(apikey_list(f->st, c.id, key_collect, &seen), 0);
	assert_int_equal(seen.n, 0);

	memset(&seen, 0, sizeof(seen));
	assert_int_equal(apikey_list(f->st, NULL, key_collect, &seen), 0);
	assert_int_equal(seen.n, 4);
	assert_int_equal(seen.unordered, 0);

	n = 0;
	assert_int_equal(apikey_list(f->st, NULL, key_stop, &n), 42);
	assert_int_equal(n, 1);
}

/* apikey_touch, a write: no writer thread runs, so its callback has run
 * when it returns. Returns its outcome. */
static int
t_apikey_touch(struct state *st, const struct apikey_touch *t, size_t n)
{
	struct state_result r;

	tmpdir_keep(&r);
	apikey_touch(st, t, n, state_keep_cb, &r);
	return tmpdir_kept(&r, NULL);
}

static void
test_apikey_touch(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct apikey a, b, got;
	char token[SECURE_TOKEN_SIZE];
	struct apikey_touch t[3];

	make_ws(f, "Acme", PLAN_PRO, &ws);
	make_key(f, ws.id, "a", SCOPE_READ, &a, token);
	make_key(f, ws.id, "b", SCOPE_READ, &b, token);

	memset(t, 0, sizeof(t));
	snprintf(t[0].id, sizeof(t[0].id), "%s", a.id);
	t[0].used_ms = 1000;
	snprintf(t[1].id, sizeof(t[1].id), "key_unknown");
	t[1].used_ms = 5000;
	snprintf(t[2].id, sizeof(t[2].id), "%s", b.id);
	t[2].used_ms = 2000;
	assert_int_equal(t_apikey_touch(f->st, t, 3), 0);
	assert_int_equal(apikey_get(f->st, a.id, &got), 0);
	assert_int_equal(got.last_used_ms, 1000);
	assert_int_equal(apikey_get(f->st, b.id, &got), 0);
	assert_int_equal(got.last_used_ms, 2000);

	/* Never lowered. */
	t[0].used_ms = 500;
	assert_int_equal(t_apikey_touch(f->st, t, 1), 0);
	assert_int_equal(apikey_get(f->st, a.id, &got), 0);
	assert_int_equal(got.last_used_ms, 1000);

	/* Raised. */
	t[0].used_ms = 3000;
	assert_int_equal(t_apikey_touch(f->st, t, 1), 0);
	assert_int_equal(apikey_get(f->st, a.id, &got), 0);
	assert_int_equal(got.last_used_ms, 3000);
	/* Other fields are untouched. */
	assert_string_equal(got.name, "a");
	assert_memory_equal(got.hash, a.hash, sizeof(a.hash));
	assert_int_equal(got.revoked_ms, 0);

	assert_int_equal(t_apikey_touch(f->st, t, 0), 0);
	assert_int_equal(apikey_get(f->st, a.id, &got), 0);
	assert_int_equal(got.last_used_ms, 3000);
}

static void
test_scope_parse(void **state)
{
	enum scope s;

	(void)state;
	assert_int_equal(apikey_scope_parse("read", &s), 0);
	assert_int_equal(s, SCOPE_READ);
	assert_int_equal(apikey_scope_parse("write", &s), 0);
	assert_int_equal(s, SCOPE_WRITE);
	assert_int_equal(apikey_scope_parse("admin", &s), 0);
	assert_int_equal(s, SCOPE_ADMIN);
	assert_int_equal(apikey_scope_parse("read,write", &s), 0);
	assert_int_equal(s, SCOPE_WRITE);
	assert_int_equal(apikey_scope_parse("admin,read", &s), 0);
	assert_int_equal(s, SCOPE_ADMIN);
	assert_int_equal(apikey_scope_parse("write,read,write", &s), 0);
	assert_int_equal(s, SCOPE_WRITE);

	assert_int_equal(apikey_scope_parse("bogus", &s), FZ_EINVAL);
	assert_int_equal(apikey_scope_parse("", &s), FZ_EINVAL);
	assert_int_equal(apikey_scope_parse("read,", &s), FZ_EINVAL);
	assert_int_equal(apikey_scope_parse(",read", &s), FZ_EINVAL);
	assert_int_equal(apikey_scope_parse("read,bogus", &s), FZ_EINVAL);
	assert_int_equal(apikey_scope_parse("READ", &s), FZ_EINVAL);
	assert_int_equal(apikey_scope_parse("readwrite", &s), FZ_EINVAL);

	assert_string_equal(apikey_scope_name(SCOPE_READ), "read");
	assert_string_equal(apikey_scope_name(SCOPE_WRITE), "write");
	assert_string_equal(apikey_scope_name(SCOPE_ADMIN), "admin");
}

/* --- environment --- */

static void
test_meta(void **state)
{
	struct tmpdir_fixture *f = *state;
	char buf[64];

	assert_int_equal(state_meta_get(f->st, "demo_ws", buf, sizeof(buf)),
	    FZ_ENOTFOUND);
	assert_int_equal(state_meta_put(f->st, "demo_ws", "ws_abc"), 0);
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(state_meta_get(f->st, "demo_ws", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "ws_abc");

	/* "ws_abc" needs 7 bytes with its NUL. */
	memset(buf, 'Z', sizeof(buf));
	assert_int_equal(state_meta_get(f->st, "demo_ws", buf, 6),
	    FZ_ETOOBIG);
	assert_int_equal(buf[6], 'Z');
	assert_int_equal(state_meta_get(f->st, "demo_ws", buf, 7), 0);
	assert_string_equal(buf, "ws_abc");

	assert_int_equal(state_meta_put(f->st, "demo_ws", "ws_second"), 0);
	assert_int_equal(state_meta_get(f->st, "demo_ws", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "ws_second");
	assert_int_equal(state_meta_get(f->st, "demo", buf, sizeof(buf)),
	    FZ_ENOTFOUND);
}

static int
read_inner(MDB_txn *txn, struct state *st, void *arg)
{
	char buf[64];
	int err;

	(void)txn;
	if ((err = state_meta_get(st, "inner", buf, sizeof(buf))) != 0)
		return err;
	return strcmp(buf, arg) == 0 ? 0 : FZ_EINVAL;
}

/* Reads reuse one transaction; a read inside another's function must get
 * its own, and later reads must still see every write. */
static void
test_read_nested(void **state)
{
	struct tmpdir_fixture *f = *state;
	char buf[64];

	assert_int_equal(state_meta_put(f->st, "inner", "one"), 0);
	assert_int_equal(state_read(f->st, read_inner, "one"), 0);
	assert_int_equal(state_read(f->st, read_inner, "two"), FZ_EINVAL);
	assert_int_equal(state_meta_put(f->st, "inner", "two"), 0);
	assert_int_equal(state_read(f->st, read_inner, "two"), 0);
	assert_int_equal(state_meta_get(f->st, "inner", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "two");
}

/* A map of 256 KiB, and a value bigger than it. */
static const struct state_opts small = { 256 << 10, 0 };
static char big[300 << 10];

static void
reopen_small(struct tmpdir_fixture *f)
{
	state_close(f->st);
	f->st = NULL;
	assert_int_equal(state_open_opts(f->dir, &small, &f->st), 0);
	memset(big, 'x', sizeof(big) - 1);
}

static int
put_big_fn(MDB_txn *txn, struct state *st, void *arg)
{
	MDB_val k, v;

	k.mv_data = "big";
	k.mv_size = 3;
	v.mv_data = arg;
	v.mv_size = strlen(arg);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0));
}

static int
write_inside(MDB_txn *txn, struct state *st, void *arg)
{
	(void)txn;
	return state_meta_put(st, "big", arg);
}

/* The map never grows: a write that does not fit fails alone with
 * FZ_ETOOBIG, whichever way it is made, and leaves what was there and a
 * state that still reads and takes smaller writes. */
static void
test_map_full_fails_that_write(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, got;
	size_t map, used;
	char buf[64];

	reopen_small(f);
	state_usage(f->st, &map, &used);
	assert_int_equal(map, small.map_bytes);
	make_ws(f, "Before", PLAN_PRO, &ws);
	assert_int_equal(state_meta_put(f->st, "before", "1"), 0);

	/* Queued (state_submit), a transaction of its own (state_write),
	 * and from inside a read's function. */
	assert_int_equal(state_meta_put(f->st, "big", big), FZ_ETOOBIG);
	assert_int_equal(state_write(f->st, put_big_fn, big), FZ_ETOOBIG);
	assert_int_equal(state_read(f->st, write_inside, big), FZ_ETOOBIG);
	assert_int_equal(state_meta_get(f->st, "big", buf, sizeof(buf)),
	    FZ_ENOTFOUND);
	state_usage(f->st, &map, &used);
	assert_int_equal(map, small.map_bytes);

	/* Earlier data intact; reads and smaller writes go on. */
	assert_int_equal(state_ready(f->st), 0);
	assert_int_equal(state_meta_get(f->st, "before", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, "1");
	assert_int_equal(workspace_get(f->st, ws.id, &got), 0);
	assert_string_equal(got.name, "Before");
	assert_int_equal(state_meta_put(f->st, "after", "2"), 0);
	assert_int_equal(state_meta_get(f->st, "after", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");
	big[10 << 10] = '\0';
	assert_int_equal(state_write(f->st, put_big_fn, big), 0);
	big[10 << 10] = 'x';
	assert_int_equal(state_meta_get(f->st, "big", buf, sizeof(buf)),
	    FZ_ETOOBIG);
	make_ws(f, "After", PLAN_PRO, &ws);
	reopen(f);
	assert_int_equal(workspace_get(f->st, ws.id, &got), 0);
	assert_int_equal(state_meta_get(f->st, "before", buf, sizeof(buf)),
	    0);
}

/* Another process opens the directory with a bigger map and fills it
 * past this one's while this one keeps a read transaction for reuse:
 * the next read adopts the new size and sees its writes. */
static void
test_map_grown_elsewhere(void **state)
{
	static const struct state_opts larger = { 4 << 20, 0 };
	struct tmpdir_fixture *f = *state;
	char buf[64], name[16], sub[96];
	size_t map, used;
	int i, status;
	pid_t pid;

	/* A directory of its own: the file records the largest map any
	 * process gave it, and the fixture's was opened at the default. */
	state_close(f->st);
	f->st = NULL;
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(state_open_opts(sub, &small, &f->st), 0);
	assert_int_equal(state_meta_put(f->st, "before", "1"), 0);
	assert_int_equal(state_meta_get(f->st, "before", buf, sizeof(buf)),
	    0);
	if ((pid = fork()) == 0) {
		static char chunk[16 << 10];
		struct state *st;
		int bad = 0;

		memset(chunk, 'x', sizeof(chunk) - 1);
		if (state_open_opts(sub, &larger, &st) != 0)
			_exit(2);
		for (i = 0; i < 64 && !bad; i++) {
			snprintf(name, sizeof(name), "big%d", i);
			bad = state_meta_put(st, name, chunk) != 0;
		}
		bad |= state_meta_put(st, "after", "2") != 0;
		state_usage(st, &map, &used);
		bad |= used <= small.map_bytes;
		state_close(st);
		_exit(bad);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(state_meta_get(f->st, "after", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2");
	state_usage(f->st, &map, &used);
	assert_int_equal(map, larger.map_bytes);
	assert_true(used > small.map_bytes);
	assert_int_equal(state_meta_put(f->st, "later", "3"), 0);
	assert_int_equal(state_meta_get(f->st, "later", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "3");
	assert_int_equal(state_ready(f->st), 0);
	state_close(f->st);
	f->st = NULL;
	assert_int_equal(tmpdir_remove(sub), 0);
}

static void
test_ready(void **state)
{
	struct tmpdir_fixture *f = *state;

	assert_int_equal(state_ready(f->st), 0);
	assert_string_equal(state_dir(f->st), f->dir);
}

static void
test_open_missing_dir_created(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct state *st = NULL;
	char sub[96];
	struct stat sb;

	/* One environment per process: close the fixture's first. */
	state_close(f->st);
	f->st = NULL;
	snprintf(sub, sizeof(sub), "%s/sub", f->dir);
	assert_int_equal(state_open(sub, &st), 0);
	assert_non_null(st);
	assert_int_equal(stat(sub, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(state_ready(st), 0);
	state_close(st);
	assert_int_equal(tmpdir_remove(sub), 0);
}

static void
test_reopen(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws, gws;
	struct apikey key, got;
	char token[SECURE_TOKEN_SIZE], buf[64];

	make_ws(f, "Durable", PLAN_PRO, &ws);
	make_key(f, ws.id, "k", SCOPE_READ, &key, token);
	assert_int_equal(apikey_revoke(f->st, key.id, 77), 0);
	assert_int_equal(state_meta_put(f->st, "demo_ws", ws.id), 0);

	reopen(f);
	assert_int_equal(workspace_get(f->st, ws.id, &gws), 0);
	assert_string_equal(gws.name, "Durable");
	assert_int_equal(gws.plan, PLAN_PRO);
	assert_int_equal(gws.created_ms, ws.created_ms);
	assert_int_equal(apikey_authenticate(f->st, token, TOKEN_LEN, &got,
	    &gws), 0);
	assert_string_equal(got.id, key.id);
	assert_int_equal(got.revoked_ms, 77);
	assert_string_equal(gws.id, ws.id);
	assert_int_equal(state_meta_get(f->st, "demo_ws", buf, sizeof(buf)),
	    0);
	assert_string_equal(buf, ws.id);
	assert_int_equal(state_ready(f->st), 0);
}

static int
mem_contains(const unsigned char *hay, size_t hlen, const char *needle,
    size_t nlen)
{
	size_t i;

	if (nlen == 0 || nlen > hlen)
		return 0;
	for (i = 0; i + nlen <= hlen; i++)
		if (hay[i] == (unsigned char)needle[0] &&
		    memcmp(hay + i, needle, nlen) == 0)
			return 1;
	return 0;
}

/* Reads dir/data.mdb whole; caller frees. */
static unsigned char *
read_data(const char *dir, size_t *len)
{
	char path[128];
	unsigned char *buf;
	struct stat sb;
	ssize_t n;
	size_t off = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/data.mdb", dir);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &sb), 0);
	assert_true(sb.st_size > 0);
	buf = malloc((size_t)sb.st_size);
	assert_non_null(buf);
	while (off < (size_t)sb.st_size) {
		n = read(fd, buf + off, (size_t)sb.st_size - off);
		assert_true(n > 0);
		off += (size_t)n;
	}
	close(fd);
	*len = off;
	return buf;
}

static void
test_token_not_at_rest(void **state)
{
	struct tmpdir_fixture *f = *state;
	struct workspace ws;
	struct apikey key[3];
	char token[3][SECURE_TOKEN_SIZE];
	unsigned char *data;
	size_t len;
	int i, leaked = 0, ids = 0;

	make_ws(f, "Secret Keepers", PLAN_AGENCY, &ws);
	for (i = 0; i < 3; i++)
		make_key(f, ws.id, "k", SCOPE_ADMIN, &key[i], token[i]);
	state_close(f->st);
	f->st = NULL;

	data = read_data(f->dir, &len);
	for (i = 0; i < 3; i++) {
		/* Neither the token nor its secret part past the visible
		 * prefix; the record itself is there. */
		leaked += mem_contains(data, len, token[i], TOKEN_LEN);
		leaked += mem_contains(data, len, token[i] + 14,
		    TOKEN_LEN - 14);
		ids += mem_contains(data, len, key[i].id, strlen(key[i].id));
	}
	ids += mem_contains(data, len, "Secret Keepers", 14);
	free(data);
	assert_int_equal(leaked, 0);
	assert_int_equal(ids, 4);
}

#define T(fn)	cmocka_unit_test_setup_teardown(fn, setup, tmpdir_fixture_free)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_workspace_create_get),
		T(test_workspace_get_missing),
		T(test_workspace_list),
		T(test_workspace_invalid),
		cmocka_unit_test(test_plan_parse_name),
		T(test_apikey_create),
		T(test_apikey_tokens_differ),
		T(test_apikey_create_invalid),
		T(test_apikey_missing_ws_stores_nothing),
		T(test_apikey_old_prefix),
		T(test_apikey_authenticate),
		T(test_apikey_authenticate_wrong),
		T(test_apikey_revoke),
		T(test_apikey_list),
		T(test_apikey_touch),
		cmocka_unit_test(test_scope_parse),
		T(test_meta),
		T(test_read_nested),
		T(test_map_full_fails_that_write),
		T(test_map_grown_elsewhere),
		T(test_ready),
		T(test_open_missing_dir_created),
		T(test_reopen),
		T(test_token_not_at_rest),
	};

	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
