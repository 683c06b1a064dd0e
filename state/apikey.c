#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "common/clock.h"
#include "common/text.h"
#include "state/apikey.h"
#include "state/env.h"
#include "state/txn.h"

#define APIKEY_REC_VERSION	1

struct apikey_rec {
	uint32_t	version;
	struct apikey	key;
};

static const char *const scope_names[] = {
	[SCOPE_READ] = "read",
	[SCOPE_WRITE] = "write",
	[SCOPE_ADMIN] = "admin",
	[SCOPE_SERVICE] = "service",
};

const char *
apikey_scope_name(enum scope scope)
{
	if (scope < SCOPE_READ || scope > SCOPE_SERVICE)
		return "unknown";
	return scope_names[scope];
}

int
apikey_scope_parse(const char *s, enum scope *out)
{
	const char *p = s, *e;
	int best = 0, sc;
	size_t n;

	for (;;) {
		e = strchr(p, ',');
		n = e != NULL ? (size_t)(e - p) : strlen(p);
		for (sc = SCOPE_READ; sc <= SCOPE_SERVICE; sc++)
			if (strlen(scope_names[sc]) == n &&
			    memcmp(p, scope_names[sc], n) == 0)
				break;
		if (sc > SCOPE_SERVICE)
			return FZ_EINVAL;
		if (sc > best)
			best = sc;
		if (e == NULL)
			break;
		p = e + 1;
	}
	*out = (enum scope)best;
	return 0;
}

static int
apikey_decode(const MDB_val *v, struct apikey *out)
{
	struct apikey_rec rec;

	if (v->mv_size != sizeof(rec))
		return FZ_ESTORE;
	memcpy(&rec, v->mv_data, sizeof(rec));
	if (rec.version != APIKEY_REC_VERSION)
		return FZ_ESTORE;
	*out = rec.key;
	out->prefix[strlen(SECURE_TOKEN_PREFIX)] = '\0';
	return 0;
}

static int
apikey_put_txn(MDB_txn *txn, struct state *st, const struct apikey *key,
    unsigned flags)
{
	struct apikey_rec rec;
	MDB_val k, v;

	memset(&rec, 0, sizeof(rec));
	rec.version = APIKEY_REC_VERSION;
	rec.key = *key;
	k.mv_data = rec.key.id;
	k.mv_size = strlen(rec.key.id);
	v.mv_data = &rec;
	v.mv_size = sizeof(rec);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_APIKEYS), &k, &v,
	    flags));
}

int
apikey_get_txn(MDB_txn *txn, struct state *st, const char *id,
    struct apikey *out)
{
	MDB_val k, v;
	int err;

	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if (k.mv_size == 0 || k.mv_size >= FZ_ID_SIZE)
		return FZ_ENOTFOUND;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_APIKEYS), &k,
	    &v))) != 0)
		return err;
	return apikey_decode(&v, out);
}

static int
apikey_create_fn(MDB_txn *txn, struct state *st, void *arg)
{
	const struct apikey *key = arg;
	struct workspace ws;
	MDB_val k, v;
	int err;

	if ((err = workspace_get_txn(txn, st, key->workspace_id, &ws)) != 0)
		return err;
	if ((err = apikey_put_txn(txn, st, key, MDB_NOOVERWRITE)) != 0)
		return err;
	k.mv_data = (void *)key->hash;
	k.mv_size = sizeof(key->hash);
	v.mv_data = (void *)key->id;
	v.mv_size = strlen(key->id);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_APIKEY_HASH), &k,
	    &v, MDB_NOOVERWRITE));
}

int
apikey_mint(const char *ws_id, const char *name, enum scope scope,
    struct apikey *out, char *token)
{
	struct apikey key;
	int err;

	if (!text_name_valid(name, FZ_NAME_MAX) || scope < SCOPE_READ ||
	    scope > SCOPE_SERVICE || strlen(ws_id) >= FZ_ID_SIZE)
		return FZ_EINVAL;
	memset(&key, 0, sizeof(key));
	if ((err = secure_id("key", key.id)) != 0 ||
	    (err = secure_token(token)) != 0)
		goto out;
	strcpy(key.workspace_id, ws_id);
	strcpy(key.name, name);
	key.scope = scope;
	memcpy(key.prefix, token, strlen(SECURE_TOKEN_PREFIX));
	key.created_ms = clock_now_ms();
	if ((err = secure_sha256(token, strlen(token), key.hash)) != 0)
		goto out;
	*out = key;
out:
	if (err != 0)
		memset(token, 0, SECURE_TOKEN_SIZE);
	return err;
}

int
apikey_create(struct state *st, const char *ws_id, const char *name,
    enum scope scope, struct apikey *out, char *token)
{
	int err;

	if ((err = apikey_mint(ws_id, name, scope, out, token)) != 0)
		return err;
	if ((err = state_write(st, apikey_create_fn, out)) != 0)
		memset(token, 0, SECURE_TOKEN_SIZE);
	return err;
}

struct apikey_store_op {
	struct state_op	 op;	/* first */
	struct apikey	 key;
};

static int
apikey_store_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct apikey_store_op *a = arg;

	return apikey_create_fn(txn, st, &a->key);
}

void
apikey_store(struct state *st, const struct apikey *key, state_done_cb *done,
    void *arg)
{
	struct apikey_store_op *a;

	if ((a = state_op_new(sizeof(*a), apikey_store_fn, done, arg)) ==
	    NULL)
		return;
	a->key = *key;
	state_submit(st, &a->op);
}

struct apikey_auth_arg {
	unsigned char		 hash[SECURE_SHA256_SIZE];
	struct apikey		*key;
	struct workspace	*ws;
};

static int
apikey_auth_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct apikey_auth_arg *a = arg;
	char id[FZ_ID_SIZE];
	MDB_val k, v;
	int err;

	k.mv_data = a->hash;
	k.mv_size = sizeof(a->hash);
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_APIKEY_HASH),
	    &k, &v))) != 0)
		return err;
	if (v.mv_size == 0 || v.mv_size >= sizeof(id))
		return FZ_ESTORE;
	memcpy(id, v.mv_data, v.mv_size);
	id[v.mv_size] = '\0';
	if ((err = apikey_get_txn(txn, st, id, a->key)) != 0)
		return err == FZ_ENOTFOUND ? FZ_ESTORE : err;
	/* The index found it; the record must agree, compared in constant
	 * time so a mismatch cannot be timed. */
	if (!secure_equal(a->key->hash, a->hash, sizeof(a->hash)))
		return FZ_ENOTFOUND;
	return workspace_get_txn(txn, st, a->key->workspace_id, a->ws);
}

int
apikey_authenticate(struct state *st, const char *tok, size_t len,
    struct apikey *key, struct workspace *ws)
{
	struct apikey_auth_arg a;
	int err;

	if (!secure_token_wellformed(tok, len))
		return FZ_ENOTFOUND;
	a.key = key;
	a.ws = ws;
	if ((err = secure_sha256(tok, len, a.hash)) != 0)
		return FZ_ESTORE;
	return state_read(st, apikey_auth_fn, &a);
}

struct apikey_get_arg {
	const char	*id;
	struct apikey	*out;
};

static int
apikey_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct apikey_get_arg *a = arg;

	return apikey_get_txn(txn, st, a->id, a->out);
}

int
apikey_get(struct state *st, const char *id, struct apikey *out)
{
	struct apikey_get_arg a = { id, out };

	return state_read(st, apikey_get_fn, &a);
}

struct apikey_list_arg {
	const char	*ws_id;
	apikey_each_cb	*cb;
	void		*arg;
};

static int
apikey_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct apikey_list_arg *a = arg;
	MDB_cursor *cur = NULL;
	struct apikey key;
	MDB_val k, v;
	int rc, err = 0;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_APIKEYS), &cur)) != 0)
		return state_mdb_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((err = apikey_decode(&v, &key)) != 0)
			break;
		if (a->ws_id != NULL && strcmp(a->ws_id, key.workspace_id) != 0)
			continue;
		if ((err = a->cb(&key, a->arg)) != 0)
			break;
	}
	if (err == 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	mdb_cursor_close(cur);
	return err;
}

int
apikey_list(struct state *st, const char *ws_id, apikey_each_cb *cb,
    void *arg)
{
	struct apikey_list_arg a = { ws_id, cb, arg };

	return state_read(st, apikey_list_fn, &a);
}

struct apikey_revoke_arg {
	struct state_op	 op;		/* first; unused by apikey_revoke */
	char		 ws[FZ_ID_SIZE];	/* "": any workspace */
	char		 id[FZ_ID_SIZE];
	int64_t		 now_ms;
};

static int
apikey_revoke_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct apikey_revoke_arg *a = arg;
	struct apikey key;
	int err;

	if ((err = apikey_get_txn(txn, st, a->id, &key)) != 0)
		return err;
	/* Another workspace's key is not there for this caller. */
	if (a->ws[0] != '\0' && strcmp(key.workspace_id, a->ws) != 0)
		return FZ_ENOTFOUND;
	if (key.revoked_ms != 0)
		return FZ_ECONFLICT;
	key.revoked_ms = a->now_ms;
	if ((err = apikey_put_txn(txn, st, &key, 0)) != 0)
		return err;
	/* Its Zapier hooks stop with it, their pending deliveries too. */
	return hooks_reconcile_ws_txn(txn, st, key.workspace_id, a->now_ms);
}

/* Fills a; returns 0, or FZ_ENOTFOUND for ids no key can have. */
static int
apikey_revoke_arg(struct apikey_revoke_arg *a, const char *ws_id,
    const char *id, int64_t now_ms)
{
	if (strlen(id) >= sizeof(a->id) ||
	    (ws_id != NULL && strlen(ws_id) >= sizeof(a->ws)))
		return FZ_ENOTFOUND;
	snprintf(a->ws, sizeof(a->ws), "%s", ws_id != NULL ? ws_id : "");
	snprintf(a->id, sizeof(a->id), "%s", id);
	a->now_ms = now_ms;
	return 0;
}

int
apikey_revoke(struct state *st, const char *id, int64_t now_ms)
{
	struct apikey_revoke_arg a;
	int err;

	memset(&a, 0, sizeof(a));
	if ((err = apikey_revoke_arg(&a, NULL, id, now_ms)) != 0)
		return err;
	return state_write(st, apikey_revoke_fn, &a);
}

void
apikey_revoke_in(struct state *st, const char *ws_id, const char *id,
    int64_t now_ms, state_done_cb *done, void *arg)
{
	struct apikey_revoke_arg *a;
	int err;

	if ((a = state_op_new(sizeof(*a), apikey_revoke_fn, done, arg)) ==
	    NULL)
		return;
	if ((err = apikey_revoke_arg(a, ws_id, id, now_ms)) != 0) {
		free(a);
		state_answer(done, arg, err, NULL);
		return;
	}
	state_submit(st, &a->op);
}

struct apikey_touch_arg {
	struct state_op		 op;	/* first */
	size_t			 n;
	struct apikey_touch	 t[];
};

static int
apikey_touch_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct apikey_touch_arg *a = arg;
	struct apikey key;
	size_t i;
	int err;

	for (i = 0; i < a->n; i++) {
		err = apikey_get_txn(txn, st, a->t[i].id, &key);
		if (err == FZ_ENOTFOUND)
			continue;
		if (err != 0)
			return err;
		if (key.last_used_ms >= a->t[i].used_ms)
			continue;
		key.last_used_ms = a->t[i].used_ms;
		if ((err = apikey_put_txn(txn, st, &key, 0)) != 0)
			return err;
	}
	return 0;
}

void
apikey_touch(struct state *st, const struct apikey_touch *t, size_t n,
    state_done_cb *done, void *arg)
{
	struct apikey_touch_arg *a;

	if ((a = state_op_new(sizeof(*a) + n * sizeof(*t), apikey_touch_fn,
	    done, arg)) == NULL)
		return;
	a->n = n;
	memcpy(a->t, t, n * sizeof(*t));
	state_submit(st, &a->op);
}
