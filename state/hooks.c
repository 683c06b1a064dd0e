#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/hmap.h"
#include "common/secure.h"
#include "state/apikey.h"
#include "state/env.h"
#include "state/hooks.h"
#include "state/journal.h"
#include "state/outbox.h"
#include "state/txn.h"

/* A read's inputs and output. */
struct hooks_op {
	const char	*ws;
	const char	*kind;
	const char	*id;
	json_t		*out;
};

/* A write's inputs, copied: ws and kind point into the buffers or are
 * NULL (no check). */
struct hooks_wop {
	struct state_op	 op;		/* first */
	const char	*ws;
	const char	*kind;
	char		 wsbuf[FZ_ID_SIZE];
	char		 kindbuf[16];
	char		 id[FZ_ID_SIZE];
	json_t		*doc;
	hooks_update_fn	*fn;
	unsigned char	 arg[HOOKS_UPDATE_ARG_MAX];
	int64_t		 now_ms;
};

static void
hooks_wop_free(void *op)
{
	struct hooks_wop *w = op;

	json_decref(w->doc);
	free(w);
}

/* Returns a write of fn with copies of ws, kind and id, or NULL (too
 * long, or no memory: done has been called). */
static struct hooks_wop *
hooks_wop_new(const char *ws, const char *kind, const char *id,
    state_txn_fn *fn, state_done_cb *done, void *arg)
{
	struct hooks_wop *w;

	if ((ws != NULL && strlen(ws) >= FZ_ID_SIZE) ||
	    (kind != NULL && strlen(kind) >= sizeof(w->kindbuf)) ||
	    strlen(id) >= FZ_ID_SIZE) {
		state_answer(done, arg, FZ_ENOTFOUND, NULL);
		return NULL;
	}
	if ((w = state_op_new(sizeof(*w), fn, done, arg)) == NULL)
		return NULL;
	w->op.free_fn = hooks_wop_free;
	if (ws != NULL)
		w->ws = strcpy(w->wsbuf, ws);
	if (kind != NULL)
		w->kind = strcpy(w->kindbuf, kind);
	strcpy(w->id, id);
	return w;
}

int
hooks_secret_new(char *out)
{
	unsigned char raw[32];

	if (RAND_bytes(raw, sizeof(raw)) != 1)
		return FZ_ECRYPTO;
	memcpy(out, "whsec_", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, raw, sizeof(raw));
	OPENSSL_cleanse(raw, sizeof(raw));
	return 0;
}

unsigned
hooks_mask(const json_t *hook)
{
	json_t *e;
	unsigned mask = 0;
	size_t i;

	json_array_foreach(json_object_get(hook, "events"), i, e)
		mask |= journal_type_bit(json_string_value(e) ?
		    json_string_value(e) : "");
	return mask;
}

const char *
hooks_status(const json_t *hook)
{
	const char *s = json_string_value(json_object_get(hook, "status"));

	return s != NULL ? s : HOOKS_ACTIVE;
}

static size_t
hooks_wskey(char *buf, const char *ws, const char *id)
{
	size_t wl = strlen(ws), il = strlen(id);

	memcpy(buf, ws, wl + 1);
	memcpy(buf + wl + 1, id, il);
	return wl + 1 + il;
}

typedef int hooks_id_fn(MDB_txn *txn, struct state *st, const char *id,
    void *arg);

/* Calls fn for each hook id in ws's index, in id order; fn may read but
 * not write (the walk's cursor stays open). Stops at fn's first non-zero
 * return and returns it; else 0, FZ_EINVAL (ws too long) or FZ_E*. */
static int
hooks_ws_each(MDB_txn *txn, struct state *st, const char *ws,
    hooks_id_fn *fn, void *arg)
{
	char key[2 * FZ_ID_SIZE], id[FZ_ID_SIZE];
	size_t wl = strlen(ws) + 1;
	MDB_cursor *cur;
	MDB_val k, v;
	int rc, err = 0;

	if (wl > FZ_ID_SIZE)
		return FZ_EINVAL;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_HOOKS_WS), &cur)) != 0)
		return state_mdb_err(rc);
	k.mv_data = key;
	k.mv_size = hooks_wskey(key, ws, "");
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= wl || k.mv_size - wl >= FZ_ID_SIZE ||
		    memcmp(k.mv_data, key, wl) != 0)
			break;
		memcpy(id, (char *)k.mv_data + wl, k.mv_size - wl);
		id[k.mv_size - wl] = '\0';
		if ((err = fn(txn, st, id, arg)) != 0)
			break;
	}
	if (err == 0 && rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	mdb_cursor_close(cur);
	return err;
}

/*
 * Fan-out runs for every journaled event, inside its transaction; reading
 * and parsing each subscription there cost more than the event itself.
 * What it needs (each workspace's enabled subscriptions and their event
 * masks, the report hook's mask) is cached beside the environment, and
 * kept while the token HOOKS_GEN in the meta database is the one it was
 * built under. Every change to a hook, by any process, writes a new
 * random token in its own transaction: a cache built inside a transaction
 * that is then aborted holds a token no commit ever had, so it is not
 * taken for valid later.
 */
#define HOOKS_GEN	"hooks:gen"
#define HOOKS_GEN_SIZE	16

struct hooks_subs {
	size_t		 n;
	struct {
		char	 id[FZ_ID_SIZE];
		unsigned mask;
	}		 sub[];
};

struct hooks_cache {
	char		 gen[HOOKS_GEN_SIZE];
	struct hmap	*ws;		/* ws id -> struct hooks_subs * */
	int		 report_known;
	unsigned	 report_mask;	/* 0: no report hook */
};

static int
hooks_subs_free_cb(const char *key, void *value, void *arg)
{
	(void)key;
	(void)arg;
	free(*(struct hooks_subs **)value);
	return 1;
}

static void
hooks_cache_free(void *v)
{
	struct hooks_cache *c = v;

	if (c == NULL)
		return;
	hmap_each(c->ws, hooks_subs_free_cb, NULL);
	hmap_free(c->ws);
	free(c);
}

/* Records, inside the transaction that changes a hook, that hooks
 * changed. */
static int
hooks_changed_txn(MDB_txn *txn, struct state *st)
{
	char tok[HOOKS_GEN_SIZE + 1];
	MDB_val k, v;
	int err;

	if ((err = secure_base62(tok, HOOKS_GEN_SIZE)) != 0)
		return err;
	k.mv_data = (void *)HOOKS_GEN;
	k.mv_size = sizeof(HOOKS_GEN) - 1;
	v.mv_data = tok;
	v.mv_size = HOOKS_GEN_SIZE;
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0));
}

/* Returns the cache, valid for what txn sees, in *out (borrowed). Returns
 * 0 or FZ_E*. */
static int
hooks_cache_txn(MDB_txn *txn, struct state *st, struct hooks_cache **out)
{
	struct hooks_cache *c = state_cache(st, STATE_CACHE_HOOKS);
	char gen[HOOKS_GEN_SIZE];
	MDB_val k, v;
	int rc;

	memset(gen, 0, sizeof(gen));
	k.mv_data = (void *)HOOKS_GEN;
	k.mv_size = sizeof(HOOKS_GEN) - 1;
	if ((rc = mdb_get(txn, state_dbi(st, DB_META), &k, &v)) == 0 &&
	    v.mv_size == sizeof(gen))
		memcpy(gen, v.mv_data, sizeof(gen));
	else if (rc != 0 && rc != MDB_NOTFOUND)
		return state_mdb_err(rc);
	if (c == NULL) {
		if ((c = calloc(1, sizeof(*c))) == NULL ||
		    (c->ws = hmap_new(sizeof(struct hooks_subs *))) == NULL) {
			free(c);
			return FZ_ENOMEM;
		}
		state_cache_set(st, STATE_CACHE_HOOKS, c, hooks_cache_free);
	} else if (memcmp(c->gen, gen, sizeof(gen)) != 0) {
		hmap_each(c->ws, hooks_subs_free_cb, NULL);
		c->report_known = 0;
	}
	memcpy(c->gen, gen, sizeof(gen));
	*out = c;
	return 0;
}

static int
hooks_put_txn(MDB_txn *txn, struct state *st, const json_t *doc)
{
	const char *id = json_string_value(json_object_get(doc, "id"));
	MDB_val k, v;
	char *text;
	int err;

	if ((text = json_dumps(doc, JSON_COMPACT)) == NULL)
		return FZ_ENOMEM;
	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	v.mv_data = text;
	v.mv_size = strlen(text);
	err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_HOOKS), &k, &v, 0));
	free(text);
	return err != 0 ? err : hooks_changed_txn(txn, st);
}

static int
hooks_get_txn(MDB_txn *txn, struct state *st, const char *ws,
    const char *kind, const char *id, json_t **out)
{
	const char *dws, *dkind;
	MDB_val k, v;
	int err;

	*out = NULL;
	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if (k.mv_size == 0 || k.mv_size >= FZ_ID_SIZE)
		return FZ_ENOTFOUND;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_HOOKS), &k,
	    &v))) != 0)
		return err;
	if ((*out = json_loadb(v.mv_data, v.mv_size, 0, NULL)) == NULL)
		return FZ_ESTORE;
	dws = json_string_value(json_object_get(*out, "workspaceId"));
	dkind = json_string_value(json_object_get(*out, "kind"));
	if ((ws != NULL && (dws == NULL || strcmp(dws, ws) != 0)) ||
	    (kind != NULL && (dkind == NULL || strcmp(dkind, kind) != 0))) {
		json_decref(*out);
		*out = NULL;
		return FZ_ENOTFOUND;
	}
	return 0;
}

static int
hooks_create_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_wop *op = arg;
	const char *ws = json_string_value(json_object_get(op->doc,
	    "workspaceId"));
	char key[2 * FZ_ID_SIZE];
	MDB_val k, v;
	int err;

	if ((err = hooks_put_txn(txn, st, op->doc)) != 0)
		return err;
	k.mv_data = key;
	k.mv_size = hooks_wskey(key, ws, json_string_value(json_object_get(
	    op->doc, "id")));
	v.mv_data = "";
	v.mv_size = 0;
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_HOOKS_WS), &k,
	    &v, 0))) != 0)
		return err;
	op->op.res.data = json_incref(op->doc);
	return 0;
}

void
hooks_create(struct state *st, const char *ws, const char *kind,
    const char *key_id, const char *url, unsigned mask,
    const char *description, int64_t now_ms, state_done_cb *done, void *arg)
{
	static const char *const names[] = { JOURNAL_PACK_SENT,
	    JOURNAL_PACK_VIEWED, JOURNAL_SIGNED_OFF };
	char id[FZ_ID_SIZE], secret[HOOKS_SECRET_SIZE], at[CLOCK_RFC3339_SIZE];
	struct hooks_wop *op;
	json_t *events;
	size_t i;
	int err;

	if (mask == 0) {
		state_answer(done, arg, FZ_EINVAL, NULL);
		return;
	}
	if ((err = secure_id("hook", id)) != 0 ||
	    (err = hooks_secret_new(secret)) != 0) {
		state_answer(done, arg, err, NULL);
		return;
	}
	if ((op = hooks_wop_new(ws, kind, id, hooks_create_fn, done, arg)) ==
	    NULL)
		goto out;
	if ((events = json_array()) != NULL)
		for (i = 0; i < FZ_NELEM(names); i++)
			if (mask & journal_type_bit(names[i]))
				json_array_append_new(events,
				    json_string(names[i]));
	op->doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s?, s:s, s:n, s:n,"
	    " s:b, s:n, s:s, s:n, s:s}", "id", id, "workspaceId", ws, "kind",
	    kind, "url", url, "events", events, "description", description,
	    "secret", secret, "previousSecret", "previousSecretUntil",
	    "enabled", 1, "failingSince", "status", HOOKS_ACTIVE,
	    "statusReason", "createdAt", clock_rfc3339(now_ms, at));
	if (op->doc != NULL && key_id != NULL &&
	    json_object_set_new(op->doc, "keyId", json_string(key_id)) != 0) {
		json_decref(op->doc);
		op->doc = NULL;
	}
	if (op->doc == NULL) {
		hooks_wop_free(op);
		state_answer(done, arg, FZ_ENOMEM, NULL);
		goto out;
	}
	state_submit(st, &op->op);
out:
	OPENSSL_cleanse(secret, sizeof(secret));
}

static int
hooks_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_op *op = arg;

	return hooks_get_txn(txn, st, op->ws, op->kind, op->id, &op->out);
}

int
hooks_get(struct state *st, const char *ws, const char *kind, const char *id,
    json_t **out)
{
	struct hooks_op op;
	int err;

	memset(&op, 0, sizeof(op));
	op.ws = ws;
	op.kind = kind;
	op.id = id;
	err = state_read(st, hooks_get_fn, &op);
	*out = op.out;
	return err;
}

static int
hooks_list_one(MDB_txn *txn, struct state *st, const char *id, void *arg)
{
	struct hooks_op *op = arg;
	json_t *h;
	int err;

	if ((err = hooks_get_txn(txn, st, op->ws, op->kind, id, &h)) != 0)
		return err == FZ_ENOTFOUND ? 0 : err;
	return json_array_append_new(op->out, h) != 0 ? FZ_ENOMEM : 0;
}

static int
hooks_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_op *op = arg;

	if ((op->out = json_array()) == NULL)
		return FZ_ENOMEM;
	return hooks_ws_each(txn, st, op->ws, hooks_list_one, op);
}

int
hooks_list(struct state *st, const char *ws, const char *kind, json_t **out)
{
	struct hooks_op op;
	int err;

	memset(&op, 0, sizeof(op));
	op.ws = ws;
	op.kind = kind;
	if (strlen(ws) >= FZ_ID_SIZE)
		return FZ_EINVAL;
	if ((err = state_read(st, hooks_list_fn, &op)) != 0) {
		json_decref(op.out);
		op.out = NULL;
	}
	*out = op.out;
	return err;
}

static int
hooks_delete_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_wop *op = arg;
	char key[2 * FZ_ID_SIZE];
	const char *ws;
	json_t *h = NULL;
	MDB_val k;
	int err;

	if ((err = hooks_get_txn(txn, st, op->ws, op->kind, op->id, &h)) != 0)
		return err;
	ws = json_string_value(json_object_get(h, "workspaceId"));
	k.mv_data = key;
	k.mv_size = hooks_wskey(key, ws != NULL ? ws : "", op->id);
	err = state_mdb_err(mdb_del(txn, state_dbi(st, DB_HOOKS_WS), &k,
	    NULL));
	json_decref(h);
	if (err != 0 && err != FZ_ENOTFOUND)
		return err;
	k.mv_data = (void *)op->id;
	k.mv_size = strlen(op->id);
	if ((err = state_mdb_err(mdb_del(txn, state_dbi(st, DB_HOOKS), &k,
	    NULL))) != 0 || (err = hooks_changed_txn(txn, st)) != 0)
		return err;
	return outbox_drop_hook_txn(txn, st, op->id);
}

void
hooks_delete(struct state *st, const char *ws, const char *kind,
    const char *id, state_done_cb *done, void *arg)
{
	struct hooks_wop *op;

	if ((op = hooks_wop_new(ws, kind, id, hooks_delete_fn, done, arg)) !=
	    NULL)
		state_submit(st, &op->op);
}

static int
hooks_update_txn_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_wop *op = arg;
	json_t *h = NULL;
	int err;

	if ((err = hooks_get_txn(txn, st, op->ws, op->kind, op->id, &h)) != 0)
		return err;
	if ((err = op->fn(h, op->arg)) == 0 &&
	    (err = hooks_put_txn(txn, st, h)) == 0) {
		op->op.res.data = h;
		return 0;
	}
	json_decref(h);
	return err;
}

void
hooks_update(struct state *st, const char *ws, const char *kind,
    const char *id, hooks_update_fn *fn, const void *fn_arg,
    size_t fn_arg_size, state_done_cb *done, void *arg)
{
	struct hooks_wop *op;

	if (fn_arg_size > sizeof(op->arg)) {
		state_answer(done, arg, FZ_EINVAL, NULL);
		return;
	}
	if ((op = hooks_wop_new(ws, kind, id, hooks_update_txn_fn, done,
	    arg)) == NULL)
		return;
	op->fn = fn;
	if (fn_arg_size > 0)
		memcpy(op->arg, fn_arg, fn_arg_size);
	state_submit(st, &op->op);
}

struct hooks_report_op {
	const char	*url;
	const char	*secret;
	int64_t		 now_ms;
};

static int
hooks_report_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_report_op *op = arg;
	char at[CLOCK_RFC3339_SIZE];
	json_t *h;
	MDB_val k;
	int err;

	if (op->url == NULL) {
		k.mv_data = (void *)HOOKS_REPORT_ID;
		k.mv_size = strlen(HOOKS_REPORT_ID);
		err = state_mdb_err(mdb_del(txn, state_dbi(st, DB_HOOKS), &k,
		    NULL));
		if (err != 0 || (err = hooks_changed_txn(txn, st)) != 0)
			return err == FZ_ENOTFOUND ? 0 : err;
		return outbox_drop_hook_txn(txn, st, HOOKS_REPORT_ID);
	}
	h = json_pack("{s:s, s:s, s:s, s:s, s:[s,s], s:n, s:s, s:n, s:n, s:b,"
	    " s:n, s:s}", "id", HOOKS_REPORT_ID, "workspaceId", "*", "kind",
	    HOOKS_KIND_REPORT, "url", op->url, "events", JOURNAL_PACK_VIEWED,
	    JOURNAL_SIGNED_OFF, "description", "secret", op->secret,
	    "previousSecret", "previousSecretUntil", "enabled", 1,
	    "failingSince", "createdAt", clock_rfc3339(op->now_ms, at));
	if (h == NULL)
		return FZ_ENOMEM;
	err = hooks_put_txn(txn, st, h);
	json_decref(h);
	return err;
}

int
hooks_set_report(struct state *st, const char *url, const char *secret,
    int64_t now_ms)
{
	struct hooks_report_op op = { url, secret, now_ms };

	return state_write(st, hooks_report_fn, &op);
}

enum plan
hooks_plan(const char *kind)
{
	if (kind != NULL && strcmp(kind, HOOKS_KIND_ZAPIER) == 0)
		return PLAN_PRO;
	if (kind != NULL && strcmp(kind, HOOKS_KIND_WEBHOOK) == 0)
		return PLAN_AGENCY;
	return 0;
}

static int
hooks_standing_txn(MDB_txn *txn, struct state *st, const json_t *h,
    const char **status, char *reason)
{
	const char *kind = json_string_value(json_object_get(h, "kind"));
	const char *ws = json_string_value(json_object_get(h, "workspaceId"));
	const char *key_id = json_string_value(json_object_get(h, "keyId"));
	const char *was = json_string_value(json_object_get(h,
	    "statusReason"));
	enum plan need = hooks_plan(kind);
	struct workspace w;
	struct apikey key;
	int err;

	*status = HOOKS_ACTIVE;
	reason[0] = '\0';
	if (strcmp(hooks_status(h), HOOKS_REVOKED) == 0) {
		*status = HOOKS_REVOKED;
		snprintf(reason, HOOKS_REASON_SIZE, "%s", was != NULL ? was :
		    "revoked");
		return 0;
	}
	if (need == 0)
		return 0;
	/* A revoked key is for good; a plan may come back. */
	if (key_id != NULL) {
		err = apikey_get_txn(txn, st, key_id, &key);
		if (err != 0 && err != FZ_ENOTFOUND)
			return err;
		if (err == FZ_ENOTFOUND || key.revoked_ms != 0) {
			*status = HOOKS_REVOKED;
			snprintf(reason, HOOKS_REASON_SIZE, "the API key that "
			    "subscribed it (%.*s) %s", FZ_ID_SIZE - 1, key_id,
			    err == FZ_ENOTFOUND ? "no longer exists" :
			    "was revoked");
			return 0;
		}
	}
	err = workspace_get_txn(txn, st, ws != NULL ? ws : "", &w);
	if (err == FZ_ENOTFOUND) {
		*status = HOOKS_REVOKED;
		snprintf(reason, HOOKS_REASON_SIZE, "its workspace no longer "
		    "exists");
		return 0;
	}
	if (err != 0)
		return err;
	if (w.plan < need) {
		*status = HOOKS_PAUSED;
		snprintf(reason, HOOKS_REASON_SIZE, "the workspace's plan (%s) "
		    "does not include %s", workspace_plan_name(w.plan),
		    need == PLAN_PRO ? "Zapier" : "webhooks");
	}
	return 0;
}

struct hooks_standing_op {
	const json_t	*hook;
	const char	**status;
	char		*reason;
};

static int
hooks_standing_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_standing_op *op = arg;

	return hooks_standing_txn(txn, st, op->hook, op->status, op->reason);
}

int
hooks_standing(struct state *st, const json_t *hook, const char **status,
    char *reason)
{
	char why[HOOKS_REASON_SIZE];
	struct hooks_standing_op op = { hook, status, reason != NULL ?
	    reason : why };

	return state_read(st, hooks_standing_fn, &op);
}

/*
 * Stores h's standing in it if it changed (*changed 1) and, when it is
 * not active and it changed or always_fail, fails its queued deliveries
 * with the reason. h is the stored record, updated in place.
 */
static int
hooks_reconcile_txn(MDB_txn *txn, struct state *st, json_t *h,
    int always_fail, int64_t now_ms, int *changed)
{
	const char *id = json_string_value(json_object_get(h, "id"));
	const char *status, *was;
	char reason[HOOKS_REASON_SIZE], why[HOOKS_REASON_SIZE + 16];
	int err;

	*changed = 0;
	if (id == NULL)
		return FZ_ESTORE;
	if ((err = hooks_standing_txn(txn, st, h, &status, reason)) != 0)
		return err;
	was = json_string_value(json_object_get(h, "statusReason"));
	if (strcmp(hooks_status(h), status) != 0 ||
	    strcmp(was != NULL ? was : "", reason) != 0) {
		*changed = 1;
		if (json_object_set_new(h, "status", json_string(status)) != 0 ||
		    json_object_set_new(h, "statusReason", *reason ?
		    json_string(reason) : json_null()) != 0)
			return FZ_ENOMEM;
		if ((err = hooks_put_txn(txn, st, h)) != 0)
			return err;
	}
	if (strcmp(status, HOOKS_ACTIVE) == 0 || (!*changed && !always_fail))
		return 0;
	snprintf(why, sizeof(why), "not sent: %s", reason);
	return outbox_fail_hook_txn(txn, st, id, why, now_ms);
}

static int
hooks_collect_id(MDB_txn *txn, struct state *st, const char *id, void *arg)
{
	(void)txn;
	(void)st;
	return json_array_append_new(arg, json_string(id)) != 0 ?
	    FZ_ENOMEM : 0;
}

int
hooks_reconcile_ws_txn(MDB_txn *txn, struct state *st, const char *ws,
    int64_t now_ms)
{
	json_t *ids, *h = NULL;
	size_t i;
	int err, changed;

	if ((ids = json_array()) == NULL)
		return FZ_ENOMEM;
	/* The ids first: judging a hook writes. */
	if ((err = hooks_ws_each(txn, st, ws, hooks_collect_id, ids)) != 0)
		goto out;
	for (i = 0; i < json_array_size(ids); i++) {
		err = hooks_get_txn(txn, st, ws, NULL, json_string_value(
		    json_array_get(ids, i)), &h);
		if (err == 0)
			err = hooks_reconcile_txn(txn, st, h, 0, now_ms,
			    &changed);
		json_decref(h);
		h = NULL;
		if (err != 0 && err != FZ_ENOTFOUND)
			goto out;
		err = 0;
	}
out:
	json_decref(ids);
	return err;
}

static int
hooks_reconcile_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct hooks_wop *op = arg;
	json_t *h = NULL;
	int err, changed;

	if ((err = hooks_get_txn(txn, st, NULL, NULL, op->id, &h)) != 0)
		return err;
	if ((err = hooks_reconcile_txn(txn, st, h, 1, op->now_ms,
	    &changed)) != 0) {
		json_decref(h);
		return err;
	}
	op->op.res.data = h;
	op->op.res.n = (uint64_t)changed;
	return 0;
}

void
hooks_reconcile(struct state *st, const char *id, int64_t now_ms,
    state_done_cb *done, void *arg)
{
	struct hooks_wop *op;

	if ((op = hooks_wop_new(NULL, NULL, id, hooks_reconcile_fn, done,
	    arg)) == NULL)
		return;
	op->now_ms = now_ms;
	state_submit(st, &op->op);
}

/* hooks_subs_read_txn's list as it grows. */
struct hooks_subs_walk {
	const char		*ws;
	struct hooks_subs	*subs;
	size_t			 cap;
};

static int
hooks_subs_one(MDB_txn *txn, struct state *st, const char *id, void *arg)
{
	struct hooks_subs_walk *w = arg;
	struct hooks_subs *more;
	size_t n = w->subs != NULL ? w->subs->n : 0;
	json_t *h;
	int err;

	if ((err = hooks_get_txn(txn, st, w->ws, NULL, id, &h)) != 0)
		return err == FZ_ENOTFOUND ? 0 : err;
	if (!json_is_true(json_object_get(h, "enabled")) ||
	    strcmp(hooks_status(h), HOOKS_ACTIVE) != 0)
		goto out;
	if (n == w->cap) {
		w->cap = w->cap > 0 ? w->cap * 2 : 4;
		if ((more = realloc(w->subs, sizeof(*more) + w->cap *
		    sizeof(more->sub[0]))) == NULL) {
			err = FZ_ENOMEM;
			goto out;
		}
		more->n = n;
		w->subs = more;
	}
	strcpy(w->subs->sub[n].id, id);
	w->subs->sub[n].mask = hooks_mask(h);
	w->subs->n = n + 1;
out:
	json_decref(h);
	return err;
}

/* Reads ws's enabled subscriptions from the store into a new list
 * (caller frees), or NULL when ws has none: the usual case costs no
 * allocation. Returns 0 or FZ_E*. */
static int
hooks_subs_read_txn(MDB_txn *txn, struct state *st, const char *ws,
    struct hooks_subs **out)
{
	struct hooks_subs_walk w = { ws, NULL, 0 };
	int err;

	*out = NULL;
	if ((err = hooks_ws_each(txn, st, ws, hooks_subs_one, &w)) != 0) {
		free(w.subs);
		return err;
	}
	*out = w.subs;
	return 0;
}

int
hooks_fanout_txn(MDB_txn *txn, struct state *st, const char *ws,
    unsigned bit, uint64_t seq, const char *event_id, int64_t now_ms)
{
	struct hooks_subs **slot, *subs;
	struct hooks_cache *c = NULL;
	json_t *h;
	size_t i;
	int created, err;

	if ((err = hooks_cache_txn(txn, st, &c)) != 0)
		return err;
	if ((slot = hmap_get(c->ws, ws)) != NULL)
		subs = *slot;
	else if ((err = hooks_subs_read_txn(txn, st, ws, &subs)) != 0)
		return err;
	for (i = 0; subs != NULL && i < subs->n; i++)
		if ((subs->sub[i].mask & bit) &&
		    (err = outbox_enqueue_txn(txn, st, subs->sub[i].id, seq,
		    event_id, now_ms, now_ms)) != 0)
			break;
	/* Only workspaces with subscriptions are kept: finding none again
	 * is one cursor seek, and the cache stays as small as they are. */
	if (slot == NULL) {
		if (subs != NULL && subs->n > 0 &&
		    (slot = hmap_put(c->ws, ws, &created)) != NULL)
			*slot = subs;
		else
			free(subs);
	}
	if (err != 0)
		return err;
	/* And the report to the edge, whatever the workspace. */
	if (!c->report_known) {
		err = hooks_get_txn(txn, st, NULL, HOOKS_KIND_REPORT,
		    HOOKS_REPORT_ID, &h);
		if (err != 0 && err != FZ_ENOTFOUND)
			return err;
		c->report_mask = err == 0 ? hooks_mask(h) : 0;
		c->report_known = 1;
		json_decref(h);
	}
	if (c->report_mask & bit)
		return outbox_enqueue_txn(txn, st, HOOKS_REPORT_ID, seq,
		    event_id, now_ms, now_ms);
	return 0;
}
