#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/env.h"
#include "state/hooks.h"
#include "state/outbox.h"
#include "state/txn.h"
#include "state/workspace.h"
#include "state/journal.h"
#include "state/journal_key.h"

/* DB_META: the highest sequence ever handed out. */
#define JOURNAL_HWM	"journal:last_seq"
#define JOURNAL_INGEST_BACK	"ingest@"

static const struct {
	const char	*name;
	unsigned	 bit;
	unsigned char	 code;
} journal_types[] = {
	{ JOURNAL_PACK_SENT, JOURNAL_T_SENT, 's' },
	{ JOURNAL_PACK_VIEWED, JOURNAL_T_VIEWED, 'v' },
	{ JOURNAL_SIGNED_OFF, JOURNAL_T_SIGNED, 'o' },
};

unsigned
journal_type_bit(const char *type)
{
	size_t i;

	for (i = 0; i < FZ_NELEM(journal_types); i++)
		if (strcmp(journal_types[i].name, type) == 0)
			return journal_types[i].bit;
	return 0;
}

static int
journal_code(const char *type, unsigned char *code)
{
	size_t i;

	for (i = 0; i < FZ_NELEM(journal_types); i++)
		if (strcmp(journal_types[i].name, type) == 0) {
			*code = journal_types[i].code;
			return 0;
		}
	return FZ_EINVAL;
}

unsigned
journal_code_bit(unsigned char code)
{
	size_t i;

	for (i = 0; i < FZ_NELEM(journal_types); i++)
		if (journal_types[i].code == code)
			return journal_types[i].bit;
	return 0;
}

int
journal_mask_code(unsigned mask)
{
	size_t i;

	for (i = 0; i < FZ_NELEM(journal_types); i++)
		if (journal_types[i].bit == mask)
			return journal_types[i].code;
	return -1;
}

size_t
journal_ikey(unsigned char *buf, const char *ws, int code, uint64_t seq)
{
	size_t n = strlen(ws) + 1;

	memcpy(buf, ws, n);
	if (code >= 0)
		buf[n++] = (unsigned char)code;
	state_be64_put(buf + n, seq);
	return n + 8;
}

/* Returns 1 if s can go between JSON quotes as it is. */
static int
journal_plain(const char *s)
{
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '_' || *s == '-' ||
		    *s == '.' || *s == ':'))
			return 0;
	return 1;
}

/* The event's own fields, which a snapshot cannot override, as keys are
 * written in compact text. */
static const char *const journal_own[] = { "\"id\":", "\"type\":",
    "\"occurred_at\":", "\"workspace_id\":" };

/*
 * Returns 1 if the snapshot (data, or else text) has none of the event's
 * own fields at its top level. In text a key of those names at any depth
 * also counts: that rare snapshot takes the general path, which gives the
 * same bytes, and the usual one is not scanned a second time.
 */
static int
journal_snapshot_apart(const json_t *data, const char *text, size_t len)
{
	size_t k, kl;

	for (k = 0; k < FZ_NELEM(journal_own); k++) {
		kl = strlen(journal_own[k]);
		if (text != NULL ? memmem(text, len, journal_own[k], kl) !=
		    NULL : json_object_getn(data, journal_own[k] + 1, kl - 3) !=
		    NULL)
			return 0;
	}
	return 1;
}

/*
 * The stored form of an event: its own fields first, so they can be read
 * at a glance, then the snapshot's, which cannot override them. The
 * snapshot is data, or, when text is not NULL, text[0..len-1] (compact,
 * as jansson writes it). Returns the text (caller frees) or NULL (no
 * memory, or text that is no JSON object).
 */
static char *
journal_event_text(const char *id, const char *type, const char *at,
    const char *ws, const json_t *data, const char *text, size_t len)
{
	char head[FZ_ID_SIZE * 2 + CLOCK_RFC3339_SIZE + 96], *d = NULL, *s;
	json_t *ev, *parsed = NULL;
	json_error_t jerr;
	size_t hl;
	int n;

	/* The usual case, written directly: plain own fields and a snapshot
	 * without them. Serialising it whole gives the same bytes. */
	if (journal_plain(id) && journal_plain(type) && journal_plain(at) &&
	    journal_plain(ws) && journal_snapshot_apart(data, text, len) &&
	    (n = snprintf(head, sizeof(head), "{\"id\":\"%s\",\"type\":\"%s\","
	    "\"occurred_at\":\"%s\",\"workspace_id\":\"%s\"", id, type, at,
	    ws)) > 0 && (size_t)n < sizeof(head)) {
		if (text == NULL) {
			if ((d = json_dumps(data, JSON_COMPACT |
			    JSON_PRESERVE_ORDER)) == NULL)
				return NULL;
			text = d;
			len = strlen(d);
		}
		hl = (size_t)n;
		if ((s = malloc(hl + len + 2)) != NULL) {
			memcpy(s, head, hl);
			if (len > 2) {
				s[hl++] = ',';
				memcpy(s + hl, text + 1, len - 1);
				hl += len - 1;
			} else
				s[hl++] = '}';
			s[hl] = '\0';
		}
		free(d);
		return s;
	}
	if (text != NULL && (data = parsed = json_loadb(text, len, 0,
	    &jerr)) == NULL)
		return NULL;
	ev = json_pack("{s:s, s:s, s:s, s:s}", "id", id, "type", type,
	    "occurred_at", at, "workspace_id", ws);
	s = ev != NULL && json_is_object(data) &&
	    json_object_update_missing(ev, (json_t *)data) == 0 ?
	    json_dumps(ev, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	json_decref(ev);
	json_decref(parsed);
	return s;
}

/*
 * The journal's high-water mark: the last sequence retention removed.
 * Appends never need it while the journal holds an event (its last is
 * higher), so only journal_prune writes it.
 */
static int
journal_hwm_get(MDB_txn *txn, struct state *st, uint64_t *hwm)
{
	MDB_val k, v;
	int rc;

	k.mv_data = (void *)JOURNAL_HWM;
	k.mv_size = sizeof(JOURNAL_HWM) - 1;
	*hwm = 0;
	if ((rc = mdb_get(txn, state_dbi(st, DB_META), &k, &v)) == 0 &&
	    v.mv_size == 8)
		*hwm = state_be64_get(v.mv_data);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

/* Raises the high-water mark to seq. */
static int
journal_hwm_raise(MDB_txn *txn, struct state *st, uint64_t seq)
{
	unsigned char buf[8];
	uint64_t hwm;
	MDB_val k, v;
	int err;

	if ((err = journal_hwm_get(txn, st, &hwm)) != 0 || hwm >= seq)
		return err;
	state_be64_put(buf, seq);
	k.mv_data = (void *)JOURNAL_HWM;
	k.mv_size = sizeof(JOURNAL_HWM) - 1;
	v.mv_data = buf;
	v.mv_size = sizeof(buf);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0));
}

/* journal_append_txn, with the snapshot as data or as text (see
 * journal_event_text). */
static int
journal_append(MDB_txn *txn, struct state *st, const char *type,
    const char *ws, int64_t now_ms, const json_t *data, const char *dtext,
    size_t dlen, uint64_t *seq)
{
	char id[FZ_ID_SIZE], at[CLOCK_RFC3339_SIZE], *text = NULL;
	unsigned char ikey[FZ_ID_SIZE + 10], code;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint64_t next;
	int rc, err;

	if (strlen(ws) >= FZ_ID_SIZE || journal_code(type, &code) != 0 ||
	    (dtext == NULL && !json_is_object(data)))
		return FZ_EINVAL;
	if ((err = secure_id("evt", id)) != 0)
		return err;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL), &cur)) != 0)
		return state_mdb_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	if (rc == 0 && k.mv_size == sizeof(next)) {
		memcpy(&next, k.mv_data, sizeof(next));
		next++;
	} else if (rc == MDB_NOTFOUND) {
		/* Retention may have emptied the journal: a sequence number
		 * is never handed out twice, or cursors would skip new
		 * events. */
		if ((err = journal_hwm_get(txn, st, &next)) != 0)
			goto out;
		next++;
	} else {
		err = state_mdb_err(rc != 0 ? rc : MDB_CORRUPTED);
		goto out;
	}
	if ((text = journal_event_text(id, type, clock_rfc3339(now_ms, at), ws,
	    data, dtext, dlen)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	k.mv_data = &next;
	k.mv_size = sizeof(next);
	v.mv_data = text;
	v.mv_size = strlen(text);
	if ((err = state_mdb_err(mdb_cursor_put(cur, &k, &v, MDB_APPEND))) !=
	    0)
		goto out;
	k.mv_data = ikey;
	k.mv_size = journal_ikey(ikey, ws, -1, next);
	v.mv_data = &code;
	v.mv_size = 1;
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_JOURNAL_WS),
	    &k, &v, 0))) != 0)
		goto out;
	k.mv_size = journal_ikey(ikey, ws, code, next);
	v.mv_data = "";
	v.mv_size = 0;
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_JOURNAL_TYPE),
	    &k, &v, 0))) != 0)
		goto out;
	/* Deliveries are born with the event: no subscriber can miss it. */
	if ((err = hooks_fanout_txn(txn, st, ws, journal_code_bit(code), next,
	    id, now_ms)) != 0)
		goto out;
	*seq = next;
out:
	mdb_cursor_close(cur);
	free(text);
	return err;
}

int
journal_append_txn(MDB_txn *txn, struct state *st, const char *type,
    const char *ws, int64_t now_ms, const json_t *data, uint64_t *seq)
{
	return journal_append(txn, st, type, ws, now_ms, data, NULL, 0, seq);
}

static int
journal_record_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;

	/* The record op's id carries the type. */
	return journal_append_txn(txn, st, op->id, op->ws, op->now_ms,
	    op->body, &op->op.res.n);
}

void
journal_record(struct state *st, const char *type, const char *ws,
    const json_t *data, int64_t now_ms, state_done_cb *done, void *arg)
{
	state_submit_rec(st, journal_record_fn, ws, type, data, now_ms, NULL,
	    done, arg);
}

struct journal_ingest_op {
	struct state_op		 op;		/* first */
	struct journal_report	*r;
};

/*
 * An ingested event's upstream id is kept twice in meta: "ingest:" id ->
 * seq finds a repeat, and "ingest@" be64 seq -> be64 ms, id lets the id
 * be forgotten in sequence order once both its event and the time an
 * upstream may still retry it are past. Writes the second key; returns
 * its length.
 */
static size_t
journal_ingest_back(char *buf, uint64_t seq)
{
	memcpy(buf, JOURNAL_INGEST_BACK, sizeof(JOURNAL_INGEST_BACK) - 1);
	state_be64_put((unsigned char *)buf + sizeof(JOURNAL_INGEST_BACK) - 1,
	    seq);
	return sizeof(JOURNAL_INGEST_BACK) - 1 + 8;
}

/*
 * Forgets, oldest first, up to max upstream ids whose event is gone (its
 * sequence below first, the journal's first) and that were ingested
 * before cutoff_ms. Returns the number forgotten or an FZ_E* code.
 */
static int
journal_ingest_expire(MDB_txn *txn, struct state *st, uint64_t first,
    int64_t cutoff_ms, size_t max)
{
	const size_t plen = sizeof(JOURNAL_INGEST_BACK) - 1;
	char back[32], key[300];
	MDB_cursor *cur = NULL;
	MDB_val k, v, ik;
	int rc, err = 0, n = 0;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_META), &cur)) != 0)
		return state_mdb_err(rc);
	k.mv_data = back;
	k.mv_size = journal_ingest_back(back, 0);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	    rc == 0 && (size_t)n < max;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != plen + 8 ||
		    memcmp(k.mv_data, JOURNAL_INGEST_BACK, plen) != 0 ||
		    state_be64_get((unsigned char *)k.mv_data + plen) >= first ||
		    v.mv_size < 8 ||
		    (int64_t)state_be64_get(v.mv_data) >= cutoff_ms)
			break;
		if (v.mv_size - 8 < sizeof(key) - 8) {
			ik.mv_data = key;
			ik.mv_size = (size_t)snprintf(key, sizeof(key),
			    "ingest:%.*s", (int)(v.mv_size - 8),
			    (const char *)v.mv_data + 8);
			if ((rc = mdb_del(txn, state_dbi(st, DB_META), &ik,
			    NULL)) != 0 && rc != MDB_NOTFOUND)
				break;
		}
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		n++;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	mdb_cursor_close(cur);
	return err != 0 ? err : n;
}

/* Journals one report. Returns 0, FZ_EEXIST, FZ_ENOTFOUND or FZ_EINVAL
 * having written nothing, or another FZ_E* that spoils the transaction. */
static int
journal_ingest_one(MDB_txn *txn, struct state *st, struct journal_report *r)
{
	struct workspace ws;
	char key[300], back[300 + 8];
	size_t idlen = strlen(r->source_id);
	MDB_val k, v;
	int rc, err;

	if ((err = workspace_get_txn(txn, st, r->ws, &ws)) != 0)
		return err;
	k.mv_data = key;
	k.mv_size = (size_t)snprintf(key, sizeof(key), "ingest:%s",
	    r->source_id);
	if (k.mv_size >= sizeof(key))
		return FZ_EINVAL;
	rc = mdb_get(txn, state_dbi(st, DB_META), &k, &v);
	if (rc == 0)
		return FZ_EEXIST;
	if (rc != MDB_NOTFOUND)
		return state_mdb_err(rc);
	if ((err = journal_append(txn, st, r->type, r->ws, r->now_ms,
	    r->data, r->data_text, r->data_len, &r->seq)) != 0)
		return err;
	v.mv_data = &r->seq;
	v.mv_size = sizeof(r->seq);
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v,
	    0))) != 0)
		return err;
	state_be64_put((unsigned char *)back, (uint64_t)r->now_ms);
	memcpy(back + 8, r->source_id, idlen);
	v.mv_data = back;
	v.mv_size = 8 + idlen;
	k.mv_data = key;
	k.mv_size = journal_ingest_back(key, r->seq);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0));
}

static int
journal_ingest_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_ingest_op *op = arg;
	int err;

	op->r->seq = 0;
	err = journal_ingest_one(txn, st, op->r);
	op->r->err = err;
	op->op.res.n = op->r->seq;
	return err;
}

void
journal_ingest(struct state *st, struct journal_report *r,
    state_done_cb *done, void *arg)
{
	struct journal_ingest_op *op;

	if ((op = state_op_new(sizeof(*op), journal_ingest_fn, done,
	    arg)) == NULL)
		return;
	op->r = r;
	state_submit(st, &op->op);
}

struct journal_replay_op {
	struct state_op	 op;		/* first */
	char		 hook[FZ_ID_SIZE];
	char		 ws[FZ_ID_SIZE];
	unsigned	 mask;
	uint64_t	 after;
	int64_t		 since_ms;
	size_t		 max, count;
};

static int
journal_replay_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_replay_op *op = arg;
	unsigned char ikey[FZ_ID_SIZE + 10];
	char since[CLOCK_RFC3339_SIZE];
	size_t plen = strlen(op->ws) + 1;
	MDB_cursor *cur = NULL;
	MDB_val k, v, ek, ev;
	const char *at, *id;
	json_t *e;
	uint64_t seq;
	int rc, err = 0;
	int64_t now = clock_now_ms();

	op->count = 0;
	clock_rfc3339(op->since_ms, since);
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL_WS), &cur)) !=
	    0)
		return state_mdb_err(rc);
	k.mv_data = ikey;
	k.mv_size = journal_ikey(ikey, op->ws, -1, op->after + 1);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	    rc == 0 && op->count < op->max;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != plen + 8 || memcmp(k.mv_data, ikey, plen) != 0)
			break;
		if (v.mv_size != 1 || !(journal_code_bit(
		    *(unsigned char *)v.mv_data) & op->mask))
			continue;
		seq = state_be64_get((unsigned char *)k.mv_data + plen);
		ek.mv_data = &seq;
		ek.mv_size = sizeof(seq);
		if (mdb_get(txn, state_dbi(st, DB_JOURNAL), &ek, &ev) != 0 ||
		    (e = json_loadb(ev.mv_data, ev.mv_size, 0, NULL)) == NULL)
			continue;
		at = json_string_value(json_object_get(e, "occurred_at"));
		id = json_string_value(json_object_get(e, "id"));
		if (at != NULL && id != NULL &&
		    (op->since_ms == 0 || strcmp(at, since) >= 0)) {
			err = outbox_enqueue_txn(txn, st, op->hook, seq, id,
			    now, now);
			op->count++;
		}
		json_decref(e);
		if (err != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (err == 0 && rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	op->op.res.n = op->count;
	return err;
}

void
journal_replay(struct state *st, const char *hook_id, const char *ws,
    unsigned mask, uint64_t after, int64_t since_ms, size_t max,
    state_done_cb *done, void *arg)
{
	struct journal_replay_op *op;

	if (strlen(ws) >= FZ_ID_SIZE || strlen(hook_id) >= FZ_ID_SIZE) {
		state_answer(done, arg, FZ_EINVAL, NULL);
		return;
	}
	if ((op = state_op_new(sizeof(*op), journal_replay_fn, done,
	    arg)) == NULL)
		return;
	strcpy(op->hook, hook_id);
	strcpy(op->ws, ws);
	op->mask = mask;
	op->after = after;
	op->since_ms = since_ms;
	op->max = max;
	state_submit(st, &op->op);
}

struct journal_get_op {
	uint64_t	 seq;
	char		*json;
	size_t		 len;
};

static int
journal_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_get_op *op = arg;
	MDB_val k, v;
	int err;

	k.mv_data = &op->seq;
	k.mv_size = sizeof(op->seq);
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_JOURNAL), &k,
	    &v))) != 0)
		return err;
	if ((op->json = malloc(v.mv_size + 1)) == NULL)
		return FZ_ENOMEM;
	memcpy(op->json, v.mv_data, v.mv_size);
	op->json[v.mv_size] = '\0';
	op->len = v.mv_size;
	return 0;
}

int
journal_get(struct state *st, uint64_t seq, char **json, size_t *len)
{
	struct journal_get_op op = { seq, NULL, 0 };
	int err;

	err = state_read(st, journal_get_fn, &op);
	*json = op.json;
	*len = op.len;
	return err;
}

struct journal_prune_op {
	struct state_op	 op;		/* first */
	int64_t		 cutoff_ms;
	int64_t		 ids_cutoff_ms;
	uint64_t	 keep_from;
	size_t		 max;
	int		 pruned;
};

/* Returns 1 if the stored event is older than cutoff, 0 if not, and
 * fills its workspace and type code for the index deletes. */
static int
journal_prunable(const MDB_val *v, int64_t cutoff_ms, char *ws,
    unsigned char *code)
{
	char at[CLOCK_RFC3339_SIZE];
	json_t *ev;
	const char *w, *t, *o;
	int old = 0;

	if ((ev = json_loadb(v->mv_data, v->mv_size, 0, NULL)) == NULL)
		return -1;
	w = json_string_value(json_object_get(ev, "workspace_id"));
	t = json_string_value(json_object_get(ev, "type"));
	o = json_string_value(json_object_get(ev, "occurred_at"));
	/* RFC 3339 UTC with fixed width compares as text. */
	if (w != NULL && t != NULL && o != NULL && strlen(w) < FZ_ID_SIZE &&
	    journal_code(t, code) == 0) {
		clock_rfc3339(cutoff_ms, at);
		old = strcmp(o, at) < 0;
		strcpy(ws, w);
	}
	json_decref(ev);
	return old;
}

static int
journal_prune_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_prune_op *op = arg;
	unsigned char ikey[FZ_ID_SIZE + 10], code;
	char ws[FZ_ID_SIZE];
	MDB_cursor *cur = NULL;
	MDB_val k, v, ik;
	uint64_t seq, last = 0;
	uint64_t owed;
	int rc, err = 0;

	op->pruned = 0;
	/* Read in the same transaction: a replay queued meanwhile keeps
	 * its events. */
	if ((err = outbox_min_seq_txn(txn, st, &owed)) != 0)
		return err;
	if (owed < op->keep_from)
		op->keep_from = owed;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL), &cur)) != 0)
		return state_mdb_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	    rc == 0 && (size_t)op->pruned < op->max;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		memcpy(&seq, k.mv_data, sizeof(seq));
		if (seq >= op->keep_from ||
		    journal_prunable(&v, op->cutoff_ms, ws, &code) != 1)
			break;
		ik.mv_data = ikey;
		ik.mv_size = journal_ikey(ikey, ws, -1, seq);
		if ((rc = mdb_del(txn, state_dbi(st, DB_JOURNAL_WS), &ik,
		    NULL)) != 0 && rc != MDB_NOTFOUND)
			break;
		ik.mv_size = journal_ikey(ikey, ws, code, seq);
		if ((rc = mdb_del(txn, state_dbi(st, DB_JOURNAL_TYPE), &ik,
		    NULL)) != 0 && rc != MDB_NOTFOUND)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
		last = seq;
		op->pruned++;
	}
	if (rc != 0 && rc != MDB_NOTFOUND) {
		err = state_mdb_err(rc);
		goto out;
	}
	if (last > 0 && (err = journal_hwm_raise(txn, st, last)) != 0)
		goto out;
	/* Upstream ids of events now gone, once no retry can come. */
	seq = UINT64_MAX;
	if ((rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0)
		memcpy(&seq, k.mv_data, sizeof(seq));
	else if (rc != MDB_NOTFOUND) {
		err = state_mdb_err(rc);
		goto out;
	}
	if ((rc = journal_ingest_expire(txn, st, seq, op->ids_cutoff_ms,
	    op->max)) < 0)
		err = rc;
	op->op.res.n = (uint64_t)op->pruned;
out:
	mdb_cursor_close(cur);
	return err;
}

void
journal_prune(struct state *st, int64_t cutoff_ms, int64_t ids_cutoff_ms,
    uint64_t keep_from, size_t max, state_done_cb *done, void *arg)
{
	struct journal_prune_op *op;

	if ((op = state_op_new(sizeof(*op), journal_prune_fn, done,
	    arg)) == NULL)
		return;
	op->cutoff_ms = cutoff_ms;
	op->ids_cutoff_ms = ids_cutoff_ms;
	op->keep_from = keep_from;
	op->max = max;
	state_submit(st, &op->op);
}

struct journal_stats_op {
	struct journal_stats	*s;
	unsigned		 n;
	journal_each_cb		*cb;
	void			*arg;
};

static int
journal_stats_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_stats_op *op = arg;
	MDB_cursor *cur = NULL;
	MDB_stat ms;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_stat(txn, state_dbi(st, DB_JOURNAL), &ms)) != 0 ||
	    (rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL), &cur)) != 0)
		return state_mdb_err(rc);
	op->s->events = ms.ms_entries;
	if (mdb_cursor_get(cur, &k, &v, MDB_FIRST) == 0)
		memcpy(&op->s->first_seq, k.mv_data, sizeof(uint64_t));
	if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0)
		memcpy(&op->s->last_seq, k.mv_data, sizeof(uint64_t));
	mdb_cursor_close(cur);
	return 0;
}

int
journal_stats(struct state *st, struct journal_stats *s)
{
	struct journal_stats_op op = { s, 0, NULL, NULL };

	memset(s, 0, sizeof(*s));
	state_usage(st, &s->map_bytes, &s->used_bytes);
	return state_read(st, journal_stats_fn, &op);
}

static int
journal_tail_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_stats_op *op = arg;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	unsigned i;
	int rc;
	uint64_t seq;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL), &cur)) != 0)
		return state_mdb_err(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	for (i = 1; rc == 0 && i < op->n; i++) {
		if ((rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) ==
		    MDB_NOTFOUND) {
			rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
			break;
		}
	}
	for (i = 0; rc == 0 && i < op->n; i++) {
		memcpy(&seq, k.mv_data, sizeof(seq));
		op->cb(seq, v.mv_data, v.mv_size, op->arg);
		rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT);
	}
	mdb_cursor_close(cur);
	return rc == 0 || rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

int
journal_tail(struct state *st, unsigned n, journal_each_cb *cb, void *arg)
{
	struct journal_stats_op op = { NULL, n, cb, arg };

	if (n == 0)
		return 0;
	return state_read(st, journal_tail_fn, &op);
}
