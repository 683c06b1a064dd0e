#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/log.h"
#include "state/env.h"
#include "state/outbox.h"
#include "state/txn.h"

/* Queue key: be64 due | hook id | NUL | be64 seq. */
static size_t
outbox_qkey(unsigned char *buf, int64_t due, const char *hook, uint64_t seq)
{
	size_t hl = strlen(hook);

	state_be64_put(buf, (uint64_t)due);
	memcpy(buf + 8, hook, hl + 1);
	state_be64_put(buf + 8 + hl + 1, seq);
	return 8 + hl + 1 + 8;
}

/* Sequence key: be64 seq | hook id. */
static size_t
outbox_skey(unsigned char *buf, uint64_t seq, const char *hook)
{
	size_t hl = strlen(hook);

	state_be64_put(buf, seq);
	memcpy(buf + 8, hook, hl);
	return 8 + hl;
}

/* Delivery key: hook id | NUL | be64 seq. */
static size_t
outbox_dkey(unsigned char *buf, const char *hook, uint64_t seq)
{
	size_t hl = strlen(hook);

	memcpy(buf, hook, hl + 1);
	state_be64_put(buf + hl + 1, seq);
	return hl + 1 + 8;
}

static int
outbox_put_json(MDB_txn *txn, struct state *st, enum state_db db,
    unsigned char *key, size_t klen, const json_t *doc)
{
	MDB_val k, v;
	char *text;
	int err;

	if ((text = json_dumps(doc, JSON_COMPACT)) == NULL)
		return FZ_ENOMEM;
	k.mv_data = key;
	k.mv_size = klen;
	v.mv_data = text;
	v.mv_size = strlen(text);
	err = state_mdb_err(mdb_put(txn, state_dbi(st, db), &k, &v, 0));
	free(text);
	return err;
}

/* Drops the queue entries (both indexes) of hook at seq, if queued. */
static int
outbox_unqueue_txn(MDB_txn *txn, struct state *st, const char *hook,
    uint64_t seq)
{
	unsigned char sk[FZ_ID_SIZE + 8], qk[FZ_ID_SIZE + 17];
	MDB_val k, v;
	int rc;

	k.mv_data = sk;
	k.mv_size = outbox_skey(sk, seq, hook);
	rc = mdb_get(txn, state_dbi(st, DB_OUTBOX_SEQ), &k, &v);
	if (rc == MDB_NOTFOUND)
		return FZ_ENOTFOUND;
	if (rc != 0 || v.mv_size != 8)
		return state_mdb_err(rc != 0 ? rc : MDB_CORRUPTED);
	k.mv_data = qk;
	k.mv_size = outbox_qkey(qk, (int64_t)state_be64_get(v.mv_data), hook, seq);
	if ((rc = mdb_del(txn, state_dbi(st, DB_OUTBOX), &k, NULL)) != 0 &&
	    rc != MDB_NOTFOUND)
		return state_mdb_err(rc);
	k.mv_data = sk;
	k.mv_size = outbox_skey(sk, seq, hook);
	return state_mdb_err(mdb_del(txn, state_dbi(st, DB_OUTBOX_SEQ), &k,
	    NULL));
}

/*
 * The queue entry's value is the attempts made so far (be32), so the
 * worker learns it without parsing the delivery record. Entries queued
 * by earlier versions have an empty value (outbox_due parses those).
 */
static int
outbox_queue_txn(MDB_txn *txn, struct state *st, const char *hook,
    uint64_t seq, int64_t due, unsigned attempts)
{
	unsigned char sk[FZ_ID_SIZE + 8], qk[FZ_ID_SIZE + 17], d[8], a[4];
	MDB_val k, v;
	int err;

	k.mv_data = qk;
	k.mv_size = outbox_qkey(qk, due, hook, seq);
	a[0] = (unsigned char)(attempts >> 24);
	a[1] = (unsigned char)(attempts >> 16);
	a[2] = (unsigned char)(attempts >> 8);
	a[3] = (unsigned char)attempts;
	v.mv_data = a;
	v.mv_size = sizeof(a);
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_OUTBOX), &k, &v,
	    0))) != 0)
		return err;
	state_be64_put(d, (uint64_t)due);
	k.mv_data = sk;
	k.mv_size = outbox_skey(sk, seq, hook);
	v.mv_data = d;
	v.mv_size = sizeof(d);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_OUTBOX_SEQ), &k, &v,
	    0));
}

int
outbox_enqueue_txn(MDB_txn *txn, struct state *st, const char *hook_id,
    uint64_t seq, const char *event_id, int64_t due_ms, int64_t now_ms)
{
	unsigned char dk[FZ_ID_SIZE + 9];
	char at[CLOCK_RFC3339_SIZE];
	json_t *d;
	int err;

	if (strlen(hook_id) >= FZ_ID_SIZE)
		return FZ_EINVAL;
	err = outbox_unqueue_txn(txn, st, hook_id, seq);
	if (err != 0 && err != FZ_ENOTFOUND)
		return err;
	d = json_pack("{s:s, s:I, s:s, s:s, s:i, s:s, s:[]}", "hookId",
	    hook_id, "seq", (json_int_t)seq, "eventId", event_id, "status",
	    "pending", "attempts", 0, "nextAttemptAt", clock_rfc3339(
	    due_ms > now_ms ? due_ms : now_ms, at), "history");
	if (d == NULL)
		return FZ_ENOMEM;
	err = outbox_put_json(txn, st, DB_DELIVERIES, dk, outbox_dkey(dk,
	    hook_id, seq), d);
	json_decref(d);
	if (err != 0)
		return err;
	return outbox_queue_txn(txn, st, hook_id, seq, due_ms, 0);
}

int
outbox_drop_hook_txn(MDB_txn *txn, struct state *st, const char *hook_id)
{
	unsigned char dk[FZ_ID_SIZE + 9];
	size_t hl = strlen(hook_id) + 1;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint64_t seqs[256];
	size_t n, i;
	int rc, err = 0;

	/* The delivery records list what is queued for the hook. */
	do {
		n = 0;
		if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_DELIVERIES),
		    &cur)) != 0)
			return state_mdb_err(rc);
		k.mv_data = dk;
		k.mv_size = outbox_dkey(dk, hook_id, 0);
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		    rc == 0 && n < FZ_NELEM(seqs);
		    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (k.mv_size != hl + 8 ||
			    memcmp(k.mv_data, hook_id, hl) != 0)
				break;
			seqs[n++] = state_be64_get((unsigned char *)k.mv_data + hl);
			if ((rc = mdb_cursor_del(cur, 0)) != 0)
				break;
		}
		mdb_cursor_close(cur);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return state_mdb_err(rc);
		for (i = 0; i < n; i++) {
			err = outbox_unqueue_txn(txn, st, hook_id, seqs[i]);
			if (err != 0 && err != FZ_ENOTFOUND)
				return err;
		}
	} while (n == FZ_NELEM(seqs));
	return 0;
}

struct outbox_op {
	int64_t				 now_ms;
	struct outbox_item		*items;
	size_t				 max, n;
	outbox_busy_cb			*busy;
	void				*arg;
	const char			*hook;
	unsigned			 limit;
	json_t				*out;
};

static int
outbox_due_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct outbox_op *op = arg;
	MDB_cursor *cur = NULL;
	MDB_val k, v, dk, dv;
	const unsigned char *p;
	struct outbox_item *it;
	json_t *d;
	size_t hl;
	int rc;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_OUTBOX), &cur)) != 0)
		return state_mdb_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	    rc == 0 && op->n < op->max;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		p = k.mv_data;
		if (k.mv_size < 8 + 2 + 8 || k.mv_size > 8 + FZ_ID_SIZE + 8)
			continue;
		if ((int64_t)state_be64_get(p) > op->now_ms)
			break;
		it = &op->items[op->n];
		hl = k.mv_size - 8 - 8 - 1;
		memcpy(it->hook_id, p + 8, hl);
		it->hook_id[hl] = '\0';
		it->seq = state_be64_get(p + 8 + hl + 1);
		it->due_ms = (int64_t)state_be64_get(p);
		if (op->busy != NULL && op->busy(it->hook_id, it->seq, op->arg))
			continue;
		it->attempts = 0;
		if (v.mv_size == 4) {
			p = v.mv_data;
			it->attempts = (unsigned)p[0] << 24 | (unsigned)p[1] << 16 |
			    (unsigned)p[2] << 8 | p[3];
			op->n++;
			continue;
		}
		dk.mv_data = (void *)(p + 8);
		dk.mv_size = hl + 1 + 8;
		if (mdb_get(txn, state_dbi(st, DB_DELIVERIES), &dk, &dv) == 0 &&
		    (d = json_loadb(dv.mv_data, dv.mv_size, 0, NULL)) != NULL) {
			it->attempts = (unsigned)json_integer_value(
			    json_object_get(d, "attempts"));
			json_decref(d);
		}
		op->n++;
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

int
outbox_due(struct state *st, int64_t now_ms, struct outbox_item *items,
    size_t max, outbox_busy_cb *busy, void *arg, size_t *n)
{
	struct outbox_op op;
	int err;

	memset(&op, 0, sizeof(op));
	op.now_ms = now_ms;
	op.items = items;
	op.max = max;
	op.busy = busy;
	op.arg = arg;
	err = state_read(st, outbox_due_fn, &op);
	*n = op.n;
	return err;
}

static int
outbox_depth_fn(MDB_txn *txn, struct state *st, void *arg)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(txn, state_dbi(st, DB_OUTBOX_SEQ), &ms)) != 0)
		return state_mdb_err(rc);
	*(size_t *)arg = ms.ms_entries;
	return 0;
}

int
outbox_depth(struct state *st, size_t *n)
{
	*n = 0;
	return state_read(st, outbox_depth_fn, n);
}

int
outbox_min_seq_txn(MDB_txn *txn, struct state *st, uint64_t *seq)
{
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc;

	*seq = UINT64_MAX;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_OUTBOX_SEQ), &cur)) !=
	    0)
		return state_mdb_err(rc);
	if ((rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0 &&
	    k.mv_size >= 8)
		*seq = state_be64_get(k.mv_data);
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

static int
outbox_record_one(MDB_txn *txn, struct state *st,
    const struct outbox_result *op)
{
	const struct outbox_item *it = op->it;
	unsigned char dk[FZ_ID_SIZE + 9];
	char at[CLOCK_RFC3339_SIZE], next[CLOCK_RFC3339_SIZE];
	json_t *d = NULL, *hist, *entry;
	MDB_val k, v;
	size_t klen;
	int err;

	/* Gone from the queue: the hook was deleted meanwhile. */
	if ((err = outbox_unqueue_txn(txn, st, it->hook_id, it->seq)) != 0)
		return err == FZ_ENOTFOUND ? 0 : err;
	klen = outbox_dkey(dk, it->hook_id, it->seq);
	k.mv_data = dk;
	k.mv_size = klen;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_DELIVERIES), &k,
	    &v))) != 0)
		return err == FZ_ENOTFOUND ? 0 : err;
	/* A damaged record is started afresh: failing here would leave the
	 * other outcomes of its batch unrecorded, and them sent again. */
	if ((d = json_loadb(v.mv_data, v.mv_size, 0, NULL)) == NULL ||
	    !json_is_object(d)) {
		log_warn("delivery record %s/%llu is damaged: started afresh",
		    it->hook_id, (unsigned long long)it->seq);
		json_decref(d);
		d = json_pack("{s:s, s:I, s:s, s:i}", "hookId", it->hook_id,
		    "seq", (json_int_t)it->seq, "status", "pending", "attempts",
		    (int)it->attempts);
	}
	if (d != NULL && !json_is_array(json_object_get(d, "history")))
		json_object_set_new(d, "history", json_array());
	entry = json_pack("{s:s, s:i, s:I, s:s?}", "at",
	    clock_rfc3339(op->a.at_ms, at), "statusCode", op->a.status,
	    "latencyMs", (json_int_t)op->a.latency_ms, "error", op->a.error);
	hist = json_object_get(d, "history");
	if (d == NULL || entry == NULL || !json_is_array(hist)) {
		json_decref(entry);
		err = FZ_ENOMEM;
		goto out;
	}
	json_array_append_new(hist, entry);
	while (json_array_size(hist) > OUTBOX_HISTORY)
		json_array_remove(hist, 0);
	json_object_set_new(d, "attempts", json_integer(json_integer_value(
	    json_object_get(d, "attempts")) + 1));
	if (op->ok) {
		json_object_set_new(d, "status", json_string("delivered"));
		json_object_set_new(d, "nextAttemptAt", json_null());
	} else if (op->next_due_ms > 0) {
		json_object_set_new(d, "nextAttemptAt", json_string(
		    clock_rfc3339(op->next_due_ms, next)));
		if ((err = outbox_queue_txn(txn, st, it->hook_id, it->seq,
		    op->next_due_ms, (unsigned)json_integer_value(json_object_get(d,
		    "attempts")))) != 0)
			goto out;
	} else {
		json_object_set_new(d, "status", json_string("failed"));
		json_object_set_new(d, "nextAttemptAt", json_null());
	}
	err = outbox_put_json(txn, st, DB_DELIVERIES, dk, klen, d);
out:
	json_decref(d);
	return err;
}

int
outbox_fail_hook_txn(MDB_txn *txn, struct state *st, const char *hook_id,
    const char *why, int64_t now_ms)
{
	unsigned char dk[FZ_ID_SIZE + 9], sk[FZ_ID_SIZE + 8];
	size_t hl = strlen(hook_id) + 1;
	struct outbox_item it;
	struct outbox_result r;
	MDB_cursor *cur = NULL;
	MDB_val k, v, qk, qv;
	uint64_t seqs[256], seq, from = 0;
	size_t n, i;
	int rc, err;

	if (hl > FZ_ID_SIZE)
		return FZ_EINVAL;
	memset(&it, 0, sizeof(it));
	memcpy(it.hook_id, hook_id, hl);
	memset(&r, 0, sizeof(r));
	r.it = &it;
	r.a.at_ms = now_ms;
	r.a.error = why;
	/* The delivery records name the hook's events; the queue says which
	 * are still pending. Collected first: failing one writes. */
	do {
		n = 0;
		if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_DELIVERIES),
		    &cur)) != 0)
			return state_mdb_err(rc);
		k.mv_data = dk;
		k.mv_size = outbox_dkey(dk, hook_id, from);
		for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
		    rc == 0 && n < FZ_NELEM(seqs);
		    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
			if (k.mv_size != hl + 8 ||
			    memcmp(k.mv_data, hook_id, hl) != 0) {
				rc = MDB_NOTFOUND;
				break;
			}
			seq = state_be64_get((unsigned char *)k.mv_data + hl);
			from = seq + 1;
			qk.mv_data = sk;
			qk.mv_size = outbox_skey(sk, seq, hook_id);
			if ((err = mdb_get(txn, state_dbi(st, DB_OUTBOX_SEQ),
			    &qk, &qv)) == 0)
				seqs[n++] = seq;
			else if (err != MDB_NOTFOUND) {
				rc = err;
				break;
			}
		}
		mdb_cursor_close(cur);
		if (rc != 0 && rc != MDB_NOTFOUND)
			return state_mdb_err(rc);
		for (i = 0; i < n; i++) {
			it.seq = seqs[i];
			if ((err = outbox_record_one(txn, st, &r)) != 0)
				return err;
		}
	} while (rc == 0);
	return 0;
}

struct outbox_batch_op {
	struct state_op			 op;	/* first */
	const struct outbox_result	*r;
	size_t				 n;
	/* outbox_record's own copies. */
	struct outbox_result		 one;
	struct outbox_item		 item;
	char				 error[OUTBOX_ERROR_MAX];
};

static int
outbox_record_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct outbox_batch_op *op = arg;
	size_t i;
	int err;

	for (i = 0; i < op->n; i++)
		if ((err = outbox_record_one(txn, st, &op->r[i])) != 0)
			return err;
	return 0;
}

static struct outbox_batch_op *
outbox_batch_new(state_done_cb *done, void *arg)
{
	return state_op_new(sizeof(struct outbox_batch_op), outbox_record_fn,
	    done, arg);
}

void
outbox_record_batch(struct state *st, const struct outbox_result *r,
    size_t n, state_done_cb *done, void *arg)
{
	struct outbox_batch_op *op;

	if ((op = outbox_batch_new(done, arg)) == NULL)
		return;
	op->r = r;
	op->n = n;
	op->op.prompt = 1;
	state_submit(st, &op->op);
}

void
outbox_record(struct state *st, const struct outbox_item *it,
    const struct outbox_attempt *a, int ok, int64_t next_due_ms)
{
	struct outbox_batch_op *op;

	if ((op = outbox_batch_new(NULL, NULL)) == NULL)
		return;
	op->item = *it;
	op->one.it = &op->item;
	op->one.a = *a;
	if (a->error != NULL)
		op->one.a.error = strncpy(op->error, a->error,
		    sizeof(op->error) - 1);
	op->one.ok = ok;
	op->one.next_due_ms = next_due_ms;
	op->r = &op->one;
	op->n = 1;
	state_submit(st, &op->op);
}

static int
outbox_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct outbox_op *op = arg;
	unsigned char dk[FZ_ID_SIZE + 9];
	size_t hl = strlen(op->hook) + 1;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	json_t *d;
	int rc;

	if ((op->out = json_array()) == NULL)
		return FZ_ENOMEM;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_DELIVERIES), &cur)) !=
	    0)
		return state_mdb_err(rc);
	k.mv_data = dk;
	k.mv_size = outbox_dkey(dk, op->hook, UINT64_MAX);
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	rc = rc == 0 ? mdb_cursor_get(cur, &k, &v, MDB_PREV) :
	    mdb_cursor_get(cur, &k, &v, MDB_LAST);
	for (; rc == 0 && json_array_size(op->out) < op->limit;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if (k.mv_size != hl + 8 || memcmp(k.mv_data, op->hook, hl) != 0)
			break;
		if ((d = json_loadb(v.mv_data, v.mv_size, 0, NULL)) != NULL)
			json_array_append_new(op->out, d);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

int
outbox_deliveries(struct state *st, const char *hook_id, unsigned limit,
    json_t **out)
{
	struct outbox_op op;
	int err;

	memset(&op, 0, sizeof(op));
	op.hook = hook_id;
	op.limit = limit;
	if (strlen(hook_id) >= FZ_ID_SIZE)
		return FZ_EINVAL;
	err = state_read(st, outbox_list_fn, &op);
	if (err != 0) {
		json_decref(op.out);
		op.out = NULL;
	}
	*out = op.out;
	return err;
}
