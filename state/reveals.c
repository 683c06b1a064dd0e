#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "common/clock.h"
#include "common/fz.h"
#include "state/env.h"
#include "state/reveals.h"
#include "state/seal.h"
#include "state/txn.h"

#define REVEALS_WINDOW_MS	60000
/* Ordinals are the time in ms times this, plus a count for reveals of
 * the same millisecond: unique, and in the order they happened. */
#define REVEALS_PER_MS		1024

/* A read's inputs and outputs. */
struct reveals_op {
	const char	*ws;
	const char	*id;		/* token or project id */
	int64_t		 now_ms;
	uint64_t	 before;
	unsigned	 limit;
	json_t		*out;
	uint64_t	 next;
	unsigned	 retry_s;
};

static void
reveals_key(unsigned char *buf, const char *pid, uint64_t ord, MDB_val *k)
{
	size_t n = strlen(pid);

	memcpy(buf, pid, n + 1);
	state_be64_put(buf + n + 1, ord);
	k->mv_data = buf;
	k->mv_size = n + 9;
}

/* Returns 0 if the project pid may reveal one more at now_ms, else
 * FZ_ELIMIT with *retry_s the seconds until it may. */
static int
reveals_allowed_txn(MDB_txn *txn, struct state *st, const char *pid,
    int64_t now_ms, unsigned *retry_s)
{
	unsigned char kb[FZ_ID_SIZE + 9];
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	size_t plen = strlen(pid);
	uint64_t from, oldest = 0;
	int64_t wait;
	unsigned n = 0;
	int rc;

	*retry_s = 0;
	if (plen == 0 || plen >= FZ_ID_SIZE)
		return FZ_ENOTFOUND;
	from = now_ms > REVEALS_WINDOW_MS ? (uint64_t)(now_ms -
	    REVEALS_WINDOW_MS) * REVEALS_PER_MS : 0;
	reveals_key(kb, pid, from, &k);
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_REVEALS), &cur)) != 0)
		return state_mdb_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	    rc == 0 && n < REVEALS_PER_MINUTE;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != plen + 9 || memcmp(k.mv_data, pid, plen + 1))
			break;
		if (n++ == 0)
			oldest = state_be64_get((unsigned char *)k.mv_data +
			    plen + 1) / REVEALS_PER_MS;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return state_mdb_err(rc);
	if (n < REVEALS_PER_MINUTE)
		return 0;
	wait = (int64_t)oldest + REVEALS_WINDOW_MS - now_ms;
	/* A clock set back leaves reveals "in the future": a minute at most. */
	if (wait > REVEALS_WINDOW_MS)
		wait = REVEALS_WINDOW_MS;
	*retry_s = wait > 0 ? (unsigned)((wait + 999) / 1000) : 1;
	return FZ_ELIMIT;
}

/* Appends rec to pid's reveals, at the first free ordinal of now_ms. */
static int
reveals_put_txn(MDB_txn *txn, struct state *st, const char *pid,
    int64_t now_ms, const json_t *rec)
{
	unsigned char kb[FZ_ID_SIZE + 9];
	uint64_t ord = (uint64_t)(now_ms > 0 ? now_ms : 0) * REVEALS_PER_MS;
	MDB_val k, v;
	char *text;
	int i, rc = MDB_KEYEXIST;

	if (strlen(pid) >= FZ_ID_SIZE)
		return FZ_EINVAL;
	if ((text = json_dumps(rec, JSON_COMPACT)) == NULL)
		return FZ_ENOMEM;
	for (i = 0; i < REVEALS_PER_MS && rc == MDB_KEYEXIST; i++, ord++) {
		reveals_key(kb, pid, ord, &k);
		v.mv_data = text;
		v.mv_size = strlen(text);
		rc = mdb_put(txn, state_dbi(st, DB_REVEALS), &k, &v,
		    MDB_NOOVERWRITE);
	}
	free(text);
	return state_mdb_err(rc);
}

/* Returns the stored credential at the body's section and item indexes
 * if it is still the one labelled as the body says (borrowed from pack),
 * else NULL. */
static const json_t *
reveals_item(const json_t *pack, const json_t *body, const json_t **sec)
{
	const json_t *item;
	const char *type, *label, *want;

	*sec = json_array_get(json_object_get(pack, "sections"),
	    (size_t)json_integer_value(json_object_get(body, "section")));
	item = json_array_get(json_object_get(*sec, "items"),
	    (size_t)json_integer_value(json_object_get(body, "item")));
	type = json_string_value(json_object_get(item, "type"));
	label = json_string_value(json_object_get(item, "label"));
	want = json_string_value(json_object_get(body, "label"));
	if (type == NULL || strcmp(type, "credential") != 0 || label == NULL ||
	    want == NULL || strcmp(label, want) != 0)
		return NULL;
	return item;
}

static json_t *
reveals_record_new(const json_t *sec, const json_t *item,
    const json_t *body, int64_t now_ms)
{
	char at[CLOCK_RFC3339_SIZE];

	return json_pack("{s:s, s:O, s:O, s:O, s:O, s:O?, s:O?}",
	    "revealedAt", clock_rfc3339(now_ms, at),
	    "section", json_object_get(body, "section"),
	    "item", json_object_get(body, "item"),
	    "sectionTitle", json_object_get(sec, "title"),
	    "label", json_object_get(item, "label"),
	    "ipAddress", json_object_get(body, "ipAddress"),
	    "userAgent", json_object_get(body, "userAgent"));
}

static int
reveals_record_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	const struct packs_ctx *ctx = op->ctx;
	const json_t *item, *sec;
	json_t *p = NULL, *pack = NULL, *rec = NULL;
	const char *pid, *sealed;
	char *plain = NULL;
	size_t len = 0;
	unsigned retry;
	int err;

	if ((err = portal_project_txn(txn, st, op->id, &p)) != 0)
		return err;
	pid = json_string_value(json_object_get(p, "id"));
	if ((err = reveals_allowed_txn(txn, st, pid, op->now_ms, &retry)) !=
	    0) {
		op->op.res.n = retry;
		goto out;
	}
	if ((err = packs_load_txn(txn, st, pid, &pack)) != 0)
		goto out;
	if ((item = reveals_item(pack, op->body, &sec)) == NULL) {
		op->op.res.field = "item";
		err = FZ_ECONFLICT;
		goto out;
	}
	if ((sealed = json_string_value(json_object_get(item,
	    "passwordSealed"))) == NULL) {
		err = FZ_ENOTFOUND;
		goto out;
	}
	if ((err = seal_open(ctx->seal_key, pid, sealed, &plain, &len)) != 0)
		goto out;
	if ((rec = reveals_record_new(sec, item, op->body, op->now_ms)) ==
	    NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if ((err = reveals_put_txn(txn, st, pid, op->now_ms, rec)) != 0)
		goto out;
	if (json_is_true(json_object_get(op->body, "view")) &&
	    (err = portal_first_view_txn(txn, st, p, op->now_ms)) != 0)
		goto out;
	if ((op->op.res.data = json_pack("{s:s%}", "password", plain, len)) ==
	    NULL)
		err = FZ_ENOMEM;
out:
	if (plain != NULL) {
		OPENSSL_cleanse(plain, len);
		free(plain);
	}
	json_decref(rec);
	json_decref(pack);
	json_decref(p);
	return err;
}

static int
reveals_probe_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct reveals_op *op = arg;
	json_t *p = NULL;
	int err;

	if ((err = portal_project_txn(txn, st, op->id, &p)) != 0)
		return err;
	err = reveals_allowed_txn(txn, st, json_string_value(json_object_get(p,
	    "id")), op->now_ms, &op->retry_s);
	json_decref(p);
	return err;
}

void
reveals_record(struct state *st, const struct packs_ctx *ctx,
    const char *token, const json_t *body, int64_t now_ms,
    state_done_cb *done, void *arg)
{
	struct reveals_op op = { 0 };
	struct state_result res;
	int err;

	op.id = token;
	op.now_ms = now_ms;
	/* A link over its rate, or no link at all, is answered from a read:
	 * a flood of reveals never reaches the writer. The write checks
	 * again. */
	if ((err = state_read(st, reveals_probe_fn, &op)) != 0) {
		memset(&res, 0, sizeof(res));
		res.err = err;
		res.n = op.retry_s;
		done(&res, arg);
		json_decref(res.data);
		return;
	}
	state_submit_rec(st, reveals_record_fn, NULL, token, body, now_ms, ctx,
	    done, arg);
}

static int
reveals_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct reveals_op *op = arg;
	unsigned char kb[FZ_ID_SIZE + 9];
	size_t plen = strlen(op->id);
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	json_t *p = NULL, *rec;
	uint64_t ord;
	int rc, err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	json_decref(p);
	if ((op->out = json_array()) == NULL)
		return FZ_ENOMEM;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_REVEALS), &cur)) != 0)
		return state_mdb_err(rc);
	/* From the last key before the page start, walk back. */
	reveals_key(kb, op->id, op->before == 0 ? UINT64_MAX : op->before, &k);
	for (rc = state_seek_before(cur, &k, &v); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if (k.mv_size != plen + 9 ||
		    memcmp(k.mv_data, op->id, plen + 1) != 0)
			break;
		ord = state_be64_get((unsigned char *)k.mv_data + plen + 1);
		if (json_array_size(op->out) == op->limit) {
			op->next = ord + 1;
			break;
		}
		if ((rec = json_loadb(v.mv_data, v.mv_size, 0, NULL)) == NULL) {
			err = FZ_ESTORE;
			break;
		}
		json_array_append_new(op->out, rec);
	}
	mdb_cursor_close(cur);
	if (err == 0 && rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	return err;
}

int
reveals_list(struct state *st, const char *ws, const char *project_id,
    uint64_t before, unsigned limit, json_t **out, uint64_t *next)
{
	struct reveals_op op = { 0 };
	int err;

	op.ws = ws;
	op.id = project_id;
	op.before = before;
	op.limit = limit;
	if ((err = state_read(st, reveals_list_fn, &op)) != 0) {
		json_decref(op.out);
		op.out = NULL;
		op.next = 0;
	}
	*out = op.out;
	*next = op.next;
	return err;
}
