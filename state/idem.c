#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "state/env.h"
#include "state/idem.h"

/* Value: be64 created ms | fingerprint | be32 status | JSON data. */
#define IDEM_HEAD	(8 + SECURE_SHA256_SIZE + 4)

struct idem_op {
	struct state_op		 op;	/* first, for the writes */
	const char		*ws;
	const char		*key;
	int64_t			 now_ms;
	const unsigned char	*fp;
	int			 status;
	const json_t		*data;
	struct idem_entry	*e;
	size_t			 max;
	int			 pruned;
};

static size_t
idem_key(char *buf, const char *ws, const char *key)
{
	size_t wlen = strlen(ws), klen = strlen(key);

	memcpy(buf, ws, wlen + 1);
	memcpy(buf + wlen + 1, key, klen);
	return wlen + 1 + klen;
}

static void
idem_be(unsigned char *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (unsigned char)v;
		v >>= 8;
	}
}

static uint64_t
idem_unbe(const unsigned char *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static int
idem_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct idem_op *op = arg;
	char kbuf[FZ_ID_SIZE + IDEM_KEY_MAX + 1];
	const unsigned char *p;
	MDB_val k, v;
	int err;

	k.mv_data = kbuf;
	k.mv_size = idem_key(kbuf, op->ws, op->key);
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_IDEMPOTENCY),
	    &k, &v))) != 0)
		return err;
	if (v.mv_size < IDEM_HEAD)
		return FZ_ESTORE;
	p = v.mv_data;
	if ((int64_t)idem_unbe(p, 8) + IDEM_TTL_MS <= op->now_ms)
		return FZ_ENOTFOUND;
	memcpy(op->e->fingerprint, p + 8, SECURE_SHA256_SIZE);
	op->e->status = (int)idem_unbe(p + 8 + SECURE_SHA256_SIZE, 4);
	op->e->data = json_loadb((const char *)p + IDEM_HEAD,
	    v.mv_size - IDEM_HEAD, JSON_DECODE_ANY, NULL);
	return op->e->data != NULL ? 0 : FZ_ESTORE;
}

int
idem_get(struct state *st, const char *ws, const char *key, int64_t now_ms,
    struct idem_entry *e)
{
	struct idem_op op = { 0 };

	if (strlen(ws) >= FZ_ID_SIZE || strlen(key) > IDEM_KEY_MAX)
		return FZ_EINVAL;
	memset(e, 0, sizeof(*e));
	op.ws = ws;
	op.key = key;
	op.now_ms = now_ms;
	op.e = e;
	return state_read(st, idem_get_fn, &op);
}

static int
idem_put_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct idem_op *op = arg;
	char kbuf[FZ_ID_SIZE + IDEM_KEY_MAX + 1], ebuf[8 + sizeof(kbuf)];
	unsigned char *val = NULL;
	char *json = NULL;
	size_t jlen, klen;
	MDB_val k, v;
	int err;

	if ((json = json_dumps(op->data, JSON_COMPACT | JSON_ENCODE_ANY)) ==
	    NULL)
		return FZ_ENOMEM;
	jlen = strlen(json);
	if ((val = malloc(IDEM_HEAD + jlen)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	idem_be(val, (uint64_t)op->now_ms, 8);
	memcpy(val + 8, op->fp, SECURE_SHA256_SIZE);
	idem_be(val + 8 + SECURE_SHA256_SIZE, (uint64_t)op->status, 4);
	memcpy(val + IDEM_HEAD, json, jlen);
	klen = idem_key(kbuf, op->ws, op->key);
	k.mv_data = kbuf;
	k.mv_size = klen;
	v.mv_data = val;
	v.mv_size = IDEM_HEAD + jlen;
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_IDEMPOTENCY),
	    &k, &v, 0))) != 0)
		goto out;
	idem_be((unsigned char *)ebuf, (uint64_t)op->now_ms, 8);
	memcpy(ebuf + 8, kbuf, klen);
	k.mv_data = ebuf;
	k.mv_size = 8 + klen;
	v.mv_data = "";
	v.mv_size = 0;
	err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_IDEM_EXPIRY), &k, &v,
	    0));
out:
	free(val);
	free(json);
	return err;
}

/* A write's inputs, copied; op first, for state_submit and the rider. */
struct idem_write {
	struct idem_op	 op;
	char		 ws[FZ_ID_SIZE];
	char		 key[IDEM_KEY_MAX + 1];
	unsigned char	 fp[SECURE_SHA256_SIZE];
	json_t		*data;
};

static void
idem_write_free(void *op)
{
	struct idem_write *w = op;

	json_decref(w->data);
	free(w);
}

static struct idem_write *
idem_write_new(const char *ws, const char *key,
    const unsigned char *fingerprint, int status, const json_t *data,
    int64_t now_ms)
{
	struct idem_write *w;

	if (strlen(ws) >= FZ_ID_SIZE || strlen(key) > IDEM_KEY_MAX ||
	    (w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	strcpy(w->ws, ws);
	strcpy(w->key, key);
	memcpy(w->fp, fingerprint, sizeof(w->fp));
	w->data = json_incref((json_t *)data);
	w->op.ws = w->ws;
	w->op.key = w->key;
	w->op.fp = w->fp;
	w->op.status = status;
	w->op.data = w->data;
	w->op.now_ms = now_ms;
	return w;
}

void
idem_put(struct state *st, const char *ws, const char *key,
    const unsigned char *fingerprint, int status, const json_t *data,
    int64_t now_ms, state_done_cb *done, void *arg)
{
	struct idem_write *w;

	if ((w = idem_write_new(ws, key, fingerprint, status, data,
	    now_ms)) == NULL) {
		state_answer(done, arg, FZ_EINVAL, NULL);
		return;
	}
	w->op.op.fn = idem_put_fn;
	w->op.op.free_fn = idem_write_free;
	w->op.op.done = done;
	w->op.op.done_arg = arg;
	state_submit(st, &w->op.op);
}

int
idem_claim(struct state *st, const char *ws, const char *key,
    const unsigned char *fingerprint, int64_t now_ms, int *committed)
{
	struct idem_write *w;

	state_ride_end(st);
	/* json_null() is a constant: nothing to free with the rider. */
	if ((w = idem_write_new(ws, key, fingerprint, 0, json_null(),
	    now_ms)) == NULL)
		return FZ_EINVAL;
	state_ride(st, idem_put_fn, w, committed);
	return 0;
}

void
idem_claim_end(struct state *st)
{
	state_ride_end(st);
}

static int
idem_prune_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct idem_op *op = arg;
	MDB_cursor *cur = NULL;
	MDB_val k, v, rk, rv;
	int rc, err = 0;

	op->pruned = 0;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_IDEM_EXPIRY),
	    &cur)) != 0)
		return state_mdb_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	    rc == 0 && (size_t)op->pruned < op->max;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= 8 || (int64_t)idem_unbe(k.mv_data, 8) +
		    IDEM_TTL_MS > op->now_ms)
			break;
		rk.mv_data = (char *)k.mv_data + 8;
		rk.mv_size = k.mv_size - 8;
		/* A key reused after expiry has a newer record: keep it. */
		rc = mdb_get(txn, state_dbi(st, DB_IDEMPOTENCY), &rk, &rv);
		if (rc == 0 && rv.mv_size >= 8 &&
		    memcmp(rv.mv_data, k.mv_data, 8) == 0)
			rc = mdb_del(txn, state_dbi(st, DB_IDEMPOTENCY), &rk,
			    NULL);
		if (rc != 0 && rc != MDB_NOTFOUND)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		op->pruned++;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	mdb_cursor_close(cur);
	op->op.res.n = (uint64_t)op->pruned;
	return err;
}

void
idem_prune(struct state *st, int64_t now_ms, size_t max, state_done_cb *done,
    void *arg)
{
	struct idem_op *op;

	if ((op = state_op_new(sizeof(*op), idem_prune_fn, done, arg)) ==
	    NULL)
		return;
	op->now_ms = now_ms;
	op->max = max;
	state_submit(st, &op->op);
}
