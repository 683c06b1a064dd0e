#include <stdlib.h>
#include <string.h>

#include "common/fz.h"
#include "state/docs.h"

static const struct {
	enum state_db	 main, order;
	const char	*counter;
} docs_dbs[] = {
	[DOC_CLIENT] = { DB_CLIENTS, DB_CLIENTS_ORDER, "ord:clients" },
	[DOC_PROJECT] = { DB_PROJECTS, DB_PROJECTS_ORDER, "ord:projects" },
	[DOC_SIGNOFF] = { DB_SIGNOFFS, DB_SIGNOFFS_ORDER, "ord:signoffs" },
};

static int
docs_next_ordinal(MDB_txn *txn, struct state *st, enum doc_kind kind,
    uint64_t *out)
{
	unsigned char buf[8];
	MDB_val k, v;
	uint64_t n = 0;
	int rc;

	k.mv_data = (void *)docs_dbs[kind].counter;
	k.mv_size = strlen(docs_dbs[kind].counter);
	rc = mdb_get(txn, state_dbi(st, DB_META), &k, &v);
	if (rc == 0 && v.mv_size == 8)
		n = state_be64_get(v.mv_data);
	else if (rc != MDB_NOTFOUND && rc != 0)
		return state_mdb_err(rc);
	n++;
	state_be64_put(buf, n);
	v.mv_data = buf;
	v.mv_size = sizeof(buf);
	if ((rc = mdb_put(txn, state_dbi(st, DB_META), &k, &v, 0)) != 0)
		return state_mdb_err(rc);
	*out = n;
	return 0;
}

/* Splits a main-database value. Returns 0 or FZ_ESTORE. */
static int
docs_split(const MDB_val *v, uint64_t *ord, const char **ws,
    const char **json, size_t *jlen)
{
	const char *p = v->mv_data, *nul;

	if (v->mv_size < 10 ||
	    (nul = memchr(p + 8, '\0', v->mv_size - 8)) == NULL)
		return FZ_ESTORE;
	*ord = state_be64_get(v->mv_data);
	*ws = p + 8;
	*json = nul + 1;
	*jlen = v->mv_size - (size_t)(nul + 1 - p);
	return 0;
}

static void
docs_order_key(unsigned char *buf, const char *ws, uint64_t ord,
    MDB_val *k)
{
	size_t wlen = strlen(ws);

	memcpy(buf, ws, wlen + 1);
	state_be64_put(buf + wlen + 1, ord);
	k->mv_data = buf;
	k->mv_size = wlen + 1 + 8;
}

int
docs_put_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
    const char *ws, const char *id, const json_t *doc)
{
	unsigned char okey[FZ_ID_SIZE + 9];
	const char *ows, *oj;
	char *json = NULL, *val = NULL;
	size_t wlen = strlen(ws), jlen, vlen, ojl;
	uint64_t ord = 0;
	MDB_val k, v;
	int rc, err;

	if (wlen == 0 || wlen >= FZ_ID_SIZE || strlen(id) >= FZ_ID_SIZE)
		return FZ_EINVAL;
	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	rc = mdb_get(txn, state_dbi(st, docs_dbs[kind].main), &k, &v);
	if (rc == 0) {
		if ((err = docs_split(&v, &ord, &ows, &oj, &ojl)) != 0)
			return err;
		if (strcmp(ows, ws) != 0)
			return FZ_ENOTFOUND;
	} else if (rc == MDB_NOTFOUND) {
		if ((err = docs_next_ordinal(txn, st, kind, &ord)) != 0)
			return err;
		docs_order_key(okey, ws, ord, &k);
		v.mv_data = (void *)id;
		v.mv_size = strlen(id);
		if ((rc = mdb_put(txn, state_dbi(st, docs_dbs[kind].order), &k,
		    &v, MDB_NOOVERWRITE)) != 0)
			return state_mdb_err(rc);
	} else
		return state_mdb_err(rc);

	if ((json = json_dumps(doc, JSON_COMPACT)) == NULL)
		return FZ_ENOMEM;
	jlen = strlen(json);
	vlen = 8 + wlen + 1 + jlen;
	if ((val = malloc(vlen)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	state_be64_put((unsigned char *)val, ord);
	memcpy(val + 8, ws, wlen + 1);
	memcpy(val + 8 + wlen + 1, json, jlen);
	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	v.mv_data = val;
	v.mv_size = vlen;
	err = state_mdb_err(mdb_put(txn, state_dbi(st, docs_dbs[kind].main),
	    &k, &v, 0));
out:
	free(val);
	free(json);
	return err;
}

static int
docs_decode(const MDB_val *v, const char *ws, json_t **out)
{
	const char *dws, *json;
	size_t jlen;
	uint64_t ord;

	if (docs_split(v, &ord, &dws, &json, &jlen) != 0)
		return FZ_ESTORE;
	if (ws != NULL && strcmp(dws, ws) != 0)
		return FZ_ENOTFOUND;
	if ((*out = json_loadb(json, jlen, 0, NULL)) == NULL)
		return FZ_ESTORE;
	return 0;
}

int
docs_get_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
    const char *ws, const char *id, json_t **out)
{
	MDB_val k, v;
	int err;

	*out = NULL;
	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if (k.mv_size == 0 || k.mv_size >= FZ_ID_SIZE)
		return FZ_ENOTFOUND;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st,
	    docs_dbs[kind].main), &k, &v))) != 0)
		return err;
	return docs_decode(&v, ws, out);
}

int
docs_list_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
    const char *ws, uint64_t before, size_t limit, json_t **out,
    uint64_t *next)
{
	unsigned char okey[FZ_ID_SIZE + 9];
	size_t wlen = strlen(ws);
	MDB_cursor *cur = NULL;
	MDB_val k, v, mk, mv;
	json_t *arr = NULL, *doc;
	uint64_t ord = 0;
	int rc, err = 0;

	*out = NULL;
	*next = 0;
	if (wlen == 0 || wlen >= FZ_ID_SIZE)
		return FZ_EINVAL;
	if ((arr = json_array()) == NULL)
		return FZ_ENOMEM;
	if ((rc = mdb_cursor_open(txn, state_dbi(st, docs_dbs[kind].order),
	    &cur)) != 0) {
		err = state_mdb_err(rc);
		goto out;
	}
	/* From the last key before the page start, walk back. */
	docs_order_key(okey, ws, before == 0 ? UINT64_MAX : before, &k);
	for (rc = state_seek_before(cur, &k, &v); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
		if (k.mv_size != wlen + 9 || memcmp(k.mv_data, ws, wlen + 1))
			break;
		ord = state_be64_get((unsigned char *)k.mv_data + wlen + 1);
		if (before != 0 && ord >= before)
			continue;
		if (json_array_size(arr) == limit) {
			*next = ord + 1;
			break;
		}
		mk = v;
		if ((rc = mdb_get(txn, state_dbi(st, docs_dbs[kind].main), &mk,
		    &mv)) != 0 || (err = docs_decode(&mv, ws, &doc)) != 0) {
			err = err != 0 ? err : FZ_ESTORE;
			goto out;
		}
		json_array_append_new(arr, doc);
	}
	if (rc != 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (err == 0)
		*out = arr;
	else
		json_decref(arr);
	return err;
}

int
docs_ordinal_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
    const char *ws, const char *id, uint64_t *ord)
{
	const char *dws, *json;
	size_t jlen;
	MDB_val k, v;
	int err;

	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if (k.mv_size == 0 || k.mv_size >= FZ_ID_SIZE)
		return FZ_ENOTFOUND;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st,
	    docs_dbs[kind].main), &k, &v))) != 0)
		return err;
	if ((err = docs_split(&v, ord, &dws, &json, &jlen)) != 0)
		return err;
	return strcmp(dws, ws) == 0 ? 0 : FZ_ENOTFOUND;
}

int
docs_each_txn(MDB_txn *txn, struct state *st, enum doc_kind kind,
    docs_each_fn *fn, void *arg)
{
	MDB_cursor *cur = NULL;
	const char *ws, *json;
	json_t *doc;
	MDB_val k, v;
	uint64_t ord;
	size_t jlen;
	int rc, err = 0;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, docs_dbs[kind].main),
	    &cur)) != 0)
		return state_mdb_err(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((err = docs_split(&v, &ord, &ws, &json, &jlen)) != 0)
			break;
		if ((doc = json_loadb(json, jlen, 0, NULL)) == NULL) {
			err = FZ_ESTORE;
			break;
		}
		err = fn(txn, st, ws, ord, doc, arg);
		json_decref(doc);
		if (err != 0)
			break;
	}
	if (err == 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	mdb_cursor_close(cur);
	return err;
}
