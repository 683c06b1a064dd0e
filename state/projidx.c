#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "common/text.h"
#include "state/docs.h"
#include "state/projidx.h"
#include "state/txn.h"

/* ws, NUL, a status or client id, NUL, be64 ordinal. */
#define PROJIDX_KEY_MAX	(2 * FZ_ID_SIZE + 8)

/* An entry's parts, borrowed from it. */
struct projidx_ent {
	const char	*id, *status, *client, *name;
	size_t		 nlen;
};

/* What a page keeps to: the filters checked on entries. */
struct projidx_walk {
	const char	*status;	/* NULL: any */
	const char	*client;	/* NULL: any */
	char		*q;		/* folded; NULL: any */
	size_t		 qlen;
	int		(*take)(MDB_txn *, struct state *, const MDB_val *,
			    void *);
	void		*arg;
};

/* Writes the key ws NUL [part NUL] ord into buf (PROJIDX_KEY_MAX
 * bytes). Returns 0, or FZ_EINVAL when a part is too long to be one. */
static int
projidx_key(unsigned char *buf, const char *ws, const char *part,
    uint64_t ord, MDB_val *k)
{
	size_t wlen = strlen(ws), plen = part != NULL ? strlen(part) : 0;
	size_t n = wlen + 1;

	if (wlen >= FZ_ID_SIZE || plen >= FZ_ID_SIZE)
		return FZ_EINVAL;
	memcpy(buf, ws, wlen + 1);
	if (part != NULL) {
		memcpy(buf + n, part, plen + 1);
		n += plen + 1;
	}
	state_be64_put(buf + n, ord);
	k->mv_data = buf;
	k->mv_size = n + 8;
	return 0;
}

static const char *
projidx_str(const json_t *p, const char *field)
{
	const char *s = json_string_value(json_object_get(p, field));

	return s != NULL ? s : "";
}

/* Builds p's entry into *out (caller frees). Returns 0 or FZ_ENOMEM. */
static int
projidx_entry(const json_t *p, char **out, size_t *len)
{
	const char *id = projidx_str(p, "id"), *status = projidx_str(p,
	    "status"), *client = projidx_str(p, "clientId");
	const char *name = projidx_str(p, "name");
	size_t il = strlen(id), sl = strlen(status), cl = strlen(client);
	size_t nl = strlen(name);
	char *e;

	*len = il + 1 + sl + 1 + cl + 1 + nl;
	if ((e = malloc(*len + 1)) == NULL)
		return FZ_ENOMEM;
	memcpy(e, id, il + 1);
	memcpy(e + il + 1, status, sl + 1);
	memcpy(e + il + 1 + sl + 1, client, cl + 1);
	text_fold(name, nl, e + il + 1 + sl + 1 + cl + 1);
	*out = e;
	return 0;
}

/* Splits entry v. Returns 0, or FZ_ESTORE for a malformed one. */
static int
projidx_parse(const MDB_val *v, struct projidx_ent *e)
{
	const char *p = v->mv_data, *end = p + v->mv_size, *z;
	const char **parts[3] = { &e->id, &e->status, &e->client };
	size_t i;

	for (i = 0; i < 3; i++) {
		if ((z = memchr(p, '\0', (size_t)(end - p))) == NULL)
			return FZ_ESTORE;
		*parts[i] = p;
		p = z + 1;
	}
	e->name = p;
	e->nlen = (size_t)(end - p);
	return 0;
}

/* Puts entry ent under ws's three keys for ord. */
static int
projidx_enter(MDB_txn *txn, struct state *st, const char *ws, uint64_t ord,
    const char *ent, size_t len)
{
	static const enum state_db dbs[] = { DB_PROJECTS_SCAN,
	    DB_PROJECTS_CLIENT, DB_PROJECTS_STATUS };
	unsigned char kb[PROJIDX_KEY_MAX];
	struct projidx_ent e;
	MDB_val k, v;
	const char *part;
	size_t i;
	int err;

	v.mv_data = (void *)ent;
	v.mv_size = len;
	if ((err = projidx_parse(&v, &e)) != 0)
		return err;
	for (i = 0; i < FZ_NELEM(dbs); i++) {
		part = dbs[i] == DB_PROJECTS_SCAN ? NULL :
		    dbs[i] == DB_PROJECTS_CLIENT ? e.client : e.status;
		if ((err = projidx_key(kb, ws, part, ord, &k)) != 0 ||
		    (err = state_mdb_err(mdb_put(txn, state_dbi(st, dbs[i]),
		    &k, &v, 0))) != 0)
			return err;
	}
	return 0;
}

/* Deletes ws's key for part and ord in db, if it is there. */
static int
projidx_del(MDB_txn *txn, struct state *st, enum state_db db,
    const char *ws, const char *part, uint64_t ord)
{
	unsigned char kb[PROJIDX_KEY_MAX];
	MDB_val k;
	int rc;

	if (projidx_key(kb, ws, part, ord, &k) != 0)
		return 0;
	rc = mdb_del(txn, state_dbi(st, db), &k, NULL);
	return rc == MDB_NOTFOUND ? 0 : state_mdb_err(rc);
}

int
projidx_put_txn(MDB_txn *txn, struct state *st, const json_t *p)
{
	unsigned char kb[PROJIDX_KEY_MAX];
	char ostatus[FZ_ID_SIZE], oclient[FZ_ID_SIZE];
	const char *ws = projidx_str(p, "workspaceId");
	struct projidx_ent old, cur;
	char *ent = NULL;
	MDB_val k, v, nv;
	uint64_t ord;
	size_t len;
	int rc, err;

	if ((err = docs_ordinal_txn(txn, st, DOC_PROJECT, ws,
	    projidx_str(p, "id"), &ord)) != 0 ||
	    (err = projidx_entry(p, &ent, &len)) != 0 ||
	    (err = projidx_key(kb, ws, NULL, ord, &k)) != 0)
		goto out;
	rc = mdb_get(txn, state_dbi(st, DB_PROJECTS_SCAN), &k, &v);
	if (rc == 0) {
		if (v.mv_size == len && memcmp(v.mv_data, ent, len) == 0)
			goto out;
		nv.mv_data = ent;
		nv.mv_size = len;
		if ((err = projidx_parse(&v, &old)) != 0 ||
		    (err = projidx_parse(&nv, &cur)) != 0)
			goto out;
		/* Copied: the deletes below may move the pages v is in. */
		if (strlen(old.status) >= sizeof(ostatus) ||
		    strlen(old.client) >= sizeof(oclient)) {
			err = FZ_ESTORE;
			goto out;
		}
		strcpy(ostatus, old.status);
		strcpy(oclient, old.client);
		if ((strcmp(ostatus, cur.status) != 0 &&
		    (err = projidx_del(txn, st, DB_PROJECTS_STATUS, ws, ostatus,
		    ord)) != 0) ||
		    (strcmp(oclient, cur.client) != 0 &&
		    (err = projidx_del(txn, st, DB_PROJECTS_CLIENT, ws, oclient,
		    ord)) != 0))
			goto out;
	} else if (rc != MDB_NOTFOUND) {
		err = state_mdb_err(rc);
		goto out;
	}
	err = projidx_enter(txn, st, ws, ord, ent, len);
out:
	free(ent);
	return err;
}

static int
projidx_build_fn(MDB_txn *txn, struct state *st, const char *ws,
    uint64_t ord, const json_t *doc, void *arg)
{
	size_t *n = arg, len;
	char *ent;
	int err;

	if ((err = projidx_entry(doc, &ent, &len)) != 0)
		return err;
	err = projidx_enter(txn, st, ws, ord, ent, len);
	free(ent);
	if (err == 0)
		(*n)++;
	return err;
}

int
projidx_build_txn(MDB_txn *txn, struct state *st, size_t *n)
{
	static const enum state_db dbs[] = { DB_PROJECTS_SCAN,
	    DB_PROJECTS_CLIENT, DB_PROJECTS_STATUS };
	size_t i;
	int err;

	*n = 0;
	for (i = 0; i < FZ_NELEM(dbs); i++)
		if ((err = state_mdb_err(mdb_drop(txn, state_dbi(st, dbs[i]),
		    0))) != 0)
			return err;
	return docs_each_txn(txn, st, DOC_PROJECT, projidx_build_fn, n);
}

static int
projidx_match(const MDB_val *v, void *arg)
{
	struct projidx_walk *w = arg;
	struct projidx_ent e;

	if (projidx_parse(v, &e) != 0)
		return 0;
	if (w->status != NULL && strcmp(e.status, w->status) != 0)
		return 0;
	if (w->client != NULL && strcmp(e.client, w->client) != 0)
		return 0;
	return w->q == NULL || memmem(e.name, e.nlen, w->q, w->qlen) != NULL;
}

static int
projidx_take(MDB_txn *txn, struct state *st, const MDB_val *v, void *arg)
{
	struct projidx_walk *w = arg;

	return w->take(txn, st, v, w->arg);
}

int
projidx_page_txn(MDB_txn *txn, struct state *st, const char *ws,
    const struct projects_filter *f, uint64_t before, size_t limit,
    int (*take)(MDB_txn *, struct state *, const MDB_val *, void *),
    void *arg, uint64_t *next)
{
	unsigned char kb[PROJIDX_KEY_MAX];
	char byemail[FZ_ID_SIZE];
	struct projidx_walk w;
	struct scan sc;
	MDB_val k;
	int err;

	*next = 0;
	memset(&w, 0, sizeof(w));
	memset(&sc, 0, sizeof(sc));
	w.status = f->status;
	w.client = f->client_id;
	w.take = take;
	w.arg = arg;
	if (f->client_email != NULL) {
		err = clients_find_txn(txn, st, ws, f->client_email, byemail);
		if (err == FZ_ENOTFOUND || (err == 0 && w.client != NULL &&
		    strcmp(w.client, byemail) != 0))
			return 0;
		if (err != 0)
			return err;
		w.client = byemail;
	}
	/* The narrowest index the filters name: the client's projects,
	 * else the status's, else the workspace's. */
	sc.db = w.client != NULL ? DB_PROJECTS_CLIENT : w.status != NULL ?
	    DB_PROJECTS_STATUS : DB_PROJECTS_SCAN;
	if (projidx_key(kb, ws, w.client != NULL ? w.client : w.status, 0,
	    &k) != 0)
		return 0;
	if (f->q != NULL) {
		w.qlen = strlen(f->q);
		if ((w.q = malloc(w.qlen + 1)) == NULL)
			return FZ_ENOMEM;
		text_fold(f->q, w.qlen, w.q);
	}
	sc.prefix = kb;
	sc.plen = k.mv_size - 8;
	sc.before = before;
	sc.limit = limit;
	sc.budget = f->scan_max > 0 ? f->scan_max : PROJECTS_SCAN_MAX;
	sc.match = projidx_match;
	sc.take = projidx_take;
	sc.arg = &w;
	err = scan_page_txn(txn, st, &sc);
	*next = sc.next;
	free(w.q);
	return err;
}
