#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "state/env.h"
#include "state/journal.h"
#include "state/journal_key.h"

/* Bytes of a stored event with its usual fields, to size a page. */
#define JOURNAL_EVENT_TYPICAL	768

/* Growable output for a page. */
struct journal_buf {
	char	*p;
	size_t	 len, size;
	int	 nomem;
};

static void
journal_buf_add(struct journal_buf *b, const void *data, size_t n)
{
	char *np;
	size_t want;

	if (b->nomem)
		return;
	if (b->len + n + 1 > b->size) {
		want = b->size ? b->size : 4096;
		while (want < b->len + n + 1)
			want *= 2;
		if ((np = realloc(b->p, want)) == NULL) {
			b->nomem = 1;
			return;
		}
		b->p = np;
		b->size = want;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/*
 * Moves jcur, a journal cursor kept across a page, to seq; from is the
 * record it is on (0: none). A page's events are mostly neighbours, so
 * it steps where it can, and otherwise LMDB looks the key up on the
 * cursor's current leaf first: mdb_get would descend from the root for
 * every event.
 */
static int
journal_seek(MDB_cursor *jcur, uint64_t from, uint64_t seq, MDB_val *v)
{
	MDB_val k;
	uint64_t at;

	if (from != 0 && (seq + 1 == from || seq == from + 1) &&
	    mdb_cursor_get(jcur, &k, v, seq < from ? MDB_PREV : MDB_NEXT) ==
	    0 && k.mv_size == sizeof(at)) {
		memcpy(&at, k.mv_data, sizeof(at));
		if (at == seq)
			return 0;
	}
	k.mv_data = &seq;
	k.mv_size = sizeof(seq);
	return state_mdb_err(mdb_cursor_get(jcur, &k, v, MDB_SET));
}

struct journal_op {
	const char		*ws;
	unsigned		 mask;
	uint64_t		 pos;
	unsigned		 limit;
	struct journal_page	*page;
	struct journal_buf	 buf;
	state_txn_fn		*walk;		/* over an index, emitting */
	MDB_cursor		*jcur;		/* on the journal, for the walk */
	uint64_t		 at;		/* the record jcur is on */
};

/* Appends the stored event seq to the array being built. */
static int
journal_emit(struct journal_op *op, uint64_t seq)
{
	MDB_val v;
	int err;

	if ((err = journal_seek(op->jcur, op->at, seq, &v)) != 0) {
		op->at = 0;
		return err == FZ_ENOTFOUND ? FZ_ESTORE : err;
	}
	op->at = seq;
	if (op->page->count++ > 0)
		journal_buf_add(&op->buf, ",", 1);
	journal_buf_add(&op->buf, v.mv_data, v.mv_size);
	op->page->next = seq;
	return op->buf.nomem ? FZ_ENOMEM : 0;
}

/* Walks the (ws, type) index of one type newest first. With several
 * types the (ws) index is walked and filtered instead. */
static int
journal_newest_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_op *op = arg;
	unsigned char ikey[FZ_ID_SIZE + 10];
	size_t plen = strlen(op->ws) + 1;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	int rc, err = 0, code;
	enum state_db db = DB_JOURNAL_WS;
	uint64_t seq;

	if ((code = journal_mask_code(op->mask)) >= 0) {
		db = DB_JOURNAL_TYPE;
		plen++;
	}
	if ((rc = mdb_cursor_open(txn, state_dbi(st, db), &cur)) != 0)
		return state_mdb_err(rc);
	k.mv_data = ikey;
	k.mv_size = journal_ikey(ikey, op->ws, code, op->pos ? op->pos :
	    UINT64_MAX);
	for (rc = state_seek_before(cur, &k, &v); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if (k.mv_size != plen + 8 || memcmp(k.mv_data, ikey, plen) != 0)
			break;
		seq = state_be64_get((unsigned char *)k.mv_data + plen);
		if (op->pos != 0 && seq >= op->pos)
			continue;
		if (code < 0 && (v.mv_size != 1 ||
		    !(journal_code_bit(*(unsigned char *)v.mv_data) &
		    op->mask)))
			continue;
		if (op->page->count == op->limit) {
			op->page->more = 1;
			break;
		}
		if ((err = journal_emit(op, seq)) != 0)
			goto out;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
out:
	mdb_cursor_close(cur);
	return err;
}

static int
journal_after_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_op *op = arg;
	unsigned char ikey[FZ_ID_SIZE + 10];
	size_t plen = strlen(op->ws) + 1;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	uint64_t seq;
	int rc, err = 0;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL_WS), &cur)) !=
	    0)
		return state_mdb_err(rc);
	k.mv_data = ikey;
	k.mv_size = journal_ikey(ikey, op->ws, -1, op->pos + 1);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != plen + 8 || memcmp(k.mv_data, ikey, plen) != 0)
			break;
		seq = state_be64_get((unsigned char *)k.mv_data + plen);
		if (op->page->count == op->limit) {
			op->page->more = 1;
			break;
		}
		if (v.mv_size != 1 || !(journal_code_bit(
		    *(unsigned char *)v.mv_data) & op->mask)) {
			/* Skipped events still advance the position. */
			op->page->next = seq;
			continue;
		}
		if ((err = journal_emit(op, seq)) != 0)
			goto out;
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
out:
	mdb_cursor_close(cur);
	return err;
}

/* Runs the page's walk with a journal cursor open for journal_emit. */
static int
journal_page_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct journal_op *op = arg;
	int rc, err;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_JOURNAL),
	    &op->jcur)) != 0)
		return state_mdb_err(rc);
	op->at = 0;
	op->page->snapshot = mdb_txn_id(txn);
	err = op->walk(txn, st, op);
	mdb_cursor_close(op->jcur);
	op->jcur = NULL;
	return err;
}

static int
journal_page(struct state *st, const char *ws, unsigned mask, uint64_t pos,
    unsigned limit, struct journal_page *page, state_txn_fn *fn)
{
	struct journal_op op;
	int err;

	memset(page, 0, sizeof(*page));
	memset(&op, 0, sizeof(op));
	if (strlen(ws) >= FZ_ID_SIZE || mask == 0)
		return FZ_EINVAL;
	op.ws = ws;
	op.mask = mask;
	op.pos = pos;
	op.limit = limit;
	op.page = page;
	page->next = pos;
	/* Room for a typical page at once, not a string of reallocs. */
	op.buf.size = (size_t)(limit < 1000 ? limit : 1000) *
	    JOURNAL_EVENT_TYPICAL + 2;
	if ((op.buf.p = malloc(op.buf.size)) == NULL)
		return FZ_ENOMEM;
	journal_buf_add(&op.buf, "[", 1);
	op.walk = fn;
	err = state_read(st, journal_page_fn, &op);
	journal_buf_add(&op.buf, "]", 1);
	if (err == 0 && op.buf.nomem)
		err = FZ_ENOMEM;
	if (err != 0) {
		free(op.buf.p);
		memset(page, 0, sizeof(*page));
		return err;
	}
	page->json = op.buf.p;
	page->len = op.buf.len;
	return 0;
}

int
journal_page_newest(struct state *st, const char *ws, unsigned mask,
    uint64_t before, unsigned limit, struct journal_page *page)
{
	return journal_page(st, ws, mask, before, limit, page,
	    journal_newest_fn);
}

int
journal_page_after(struct state *st, const char *ws, unsigned mask,
    uint64_t after, unsigned limit, struct journal_page *page)
{
	return journal_page(st, ws, mask, after, limit, page,
	    journal_after_fn);
}
