#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "common/text.h"
#include "state/clientidx.h"
#include "state/docs.h"
#include "state/txn.h"

/* ws, NUL, be64 ordinal. */
#define CLIENTIDX_KEY_MAX	(FZ_ID_SIZE + 8)

/* What a page looks for (q folded, or NULL) and where it goes. */
struct clientidx_walk {
	char		*q;
	size_t		 qlen;
	int		(*take)(MDB_txn *, struct state *, const MDB_val *,
			    void *);
	void		*arg;
};

/* Writes the key ws NUL ord into buf (CLIENTIDX_KEY_MAX bytes). Returns
 * 0, or FZ_EINVAL when ws is too long to be one. */
static int
clientidx_key(unsigned char *buf, const char *ws, uint64_t ord, MDB_val *k)
{
	size_t wlen = strlen(ws);

	if (wlen >= FZ_ID_SIZE)
		return FZ_EINVAL;
	memcpy(buf, ws, wlen + 1);
	state_be64_put(buf + wlen + 1, ord);
	k->mv_data = buf;
	k->mv_size = wlen + 1 + 8;
	return 0;
}

static int
clientidx_enter(MDB_txn *txn, struct state *st, const char *ws,
    uint64_t ord, const json_t *c)
{
	unsigned char kb[CLIENTIDX_KEY_MAX];
	const char *id, *name, *email;
	size_t il, nl, el;
	char *ent;
	MDB_val k, v;
	int err;

	id = json_string_value(json_object_get(c, "id"));
	name = json_string_value(json_object_get(c, "name"));
	email = json_string_value(json_object_get(c, "email"));
	if (id == NULL)
		return FZ_ESTORE;
	name = name != NULL ? name : "";
	email = email != NULL ? email : "";
	if ((err = clientidx_key(kb, ws, ord, &k)) != 0)
		return err;
	il = strlen(id);
	nl = strlen(name);
	el = strlen(email);
	if ((ent = malloc(il + 1 + nl + 1 + el + 1)) == NULL)
		return FZ_ENOMEM;
	memcpy(ent, id, il + 1);
	text_fold(name, nl, ent + il + 1);
	text_fold(email, el, ent + il + 1 + nl + 1);
	v.mv_data = ent;
	v.mv_size = il + 1 + nl + 1 + el;
	err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_CLIENTS_SCAN), &k,
	    &v, 0));
	free(ent);
	return err;
}

int
clientidx_put_txn(MDB_txn *txn, struct state *st, const char *ws,
    const json_t *c)
{
	uint64_t ord;
	int err;

	if ((err = docs_ordinal_txn(txn, st, DOC_CLIENT, ws,
	    json_string_value(json_object_get(c, "id")) ?
	    json_string_value(json_object_get(c, "id")) : "", &ord)) != 0)
		return err;
	return clientidx_enter(txn, st, ws, ord, c);
}

static int
clientidx_build_fn(MDB_txn *txn, struct state *st, const char *ws,
    uint64_t ord, const json_t *doc, void *arg)
{
	size_t *n = arg;
	int err;

	if ((err = clientidx_enter(txn, st, ws, ord, doc)) == 0)
		(*n)++;
	return err;
}

int
clientidx_build_txn(MDB_txn *txn, struct state *st, size_t *n)
{
	int err;

	*n = 0;
	if ((err = state_mdb_err(mdb_drop(txn, state_dbi(st,
	    DB_CLIENTS_SCAN), 0))) != 0)
		return err;
	return docs_each_txn(txn, st, DOC_CLIENT, clientidx_build_fn, n);
}

/* The entry's searchable part: folded name, NUL, folded email. q holds
 * no NUL, so a match never spans the two. */
static int
clientidx_match(const MDB_val *v, void *arg)
{
	struct clientidx_walk *w = arg;
	const char *p = v->mv_data, *z;

	if ((z = memchr(p, '\0', v->mv_size)) == NULL)
		return 0;
	z++;
	return w->q == NULL || memmem(z, v->mv_size - (size_t)(z - p), w->q,
	    w->qlen) != NULL;
}

static int
clientidx_take(MDB_txn *txn, struct state *st, const MDB_val *v, void *arg)
{
	struct clientidx_walk *w = arg;

	return w->take(txn, st, v, w->arg);
}

/* The one client an email names, if it is on the page. */
static int
clientidx_by_email(MDB_txn *txn, struct state *st, const char *ws,
    const char *email, uint64_t before, struct scan *sc)
{
	unsigned char kb[CLIENTIDX_KEY_MAX];
	char id[FZ_ID_SIZE];
	uint64_t ord;
	MDB_val k, v;
	int err;

	err = clients_find_txn(txn, st, ws, email, id);
	if (err == 0)
		err = docs_ordinal_txn(txn, st, DOC_CLIENT, ws, id, &ord);
	if (err == FZ_ENOTFOUND)
		return 0;
	if (err != 0)
		return err;
	if ((before != 0 && ord >= before) || sc->limit == 0 ||
	    clientidx_key(kb, ws, ord, &k) != 0)
		return 0;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_CLIENTS_SCAN),
	    &k, &v))) != 0)
		return err;
	if (!sc->match(&v, sc->arg))
		return 0;
	return sc->take(txn, st, &v, sc->arg);
}

int
clientidx_page_txn(MDB_txn *txn, struct state *st, const char *ws,
    const struct clients_filter *f, uint64_t before, size_t limit,
    int (*take)(MDB_txn *, struct state *, const MDB_val *, void *),
    void *arg, uint64_t *next)
{
	unsigned char kb[CLIENTIDX_KEY_MAX];
	struct clientidx_walk w;
	struct scan sc;
	MDB_val k;
	int err;

	*next = 0;
	memset(&w, 0, sizeof(w));
	memset(&sc, 0, sizeof(sc));
	if (clientidx_key(kb, ws, 0, &k) != 0)
		return 0;
	if (f->q != NULL) {
		w.qlen = strlen(f->q);
		if ((w.q = malloc(w.qlen + 1)) == NULL)
			return FZ_ENOMEM;
		text_fold(f->q, w.qlen, w.q);
	}
	sc.db = DB_CLIENTS_SCAN;
	sc.prefix = kb;
	sc.plen = k.mv_size - 8;
	sc.before = before;
	sc.limit = limit;
	sc.budget = f->scan_max > 0 ? f->scan_max : CLIENTS_SCAN_MAX;
	w.take = take;
	w.arg = arg;
	sc.match = clientidx_match;
	sc.take = clientidx_take;
	sc.arg = &w;
	if (f->email != NULL)
		err = clientidx_by_email(txn, st, ws, f->email, before, &sc);
	else {
		err = scan_page_txn(txn, st, &sc);
		*next = sc.next;
	}
	free(w.q);
	return err;
}
