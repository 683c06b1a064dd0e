#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "common/text.h"
#include "state/clientidx.h"
#include "state/clients.h"
#include "state/docs.h"
#include "state/txn.h"

static void
clients_email_key(char *buf, const char *ws, const char *email, MDB_val *k)
{
	size_t wlen = strlen(ws), elen = strlen(email);

	memcpy(buf, ws, wlen + 1);
	memcpy(buf + wlen + 1, email, elen);
	k->mv_data = buf;
	k->mv_size = wlen + 1 + elen;
}

int
clients_find_txn(MDB_txn *txn, struct state *st, const char *ws,
    const char *email, char *id)
{
	char key[FZ_ID_SIZE + TEXT_EMAIL_SIZE];
	MDB_val k, v;
	int rc;

	if (strlen(ws) >= FZ_ID_SIZE || strlen(email) >= TEXT_EMAIL_SIZE)
		return FZ_ENOTFOUND;
	clients_email_key(key, ws, email, &k);
	if ((rc = mdb_get(txn, state_dbi(st, DB_CLIENT_EMAIL), &k, &v)) != 0)
		return state_mdb_err(rc);
	if (v.mv_size == 0 || v.mv_size >= FZ_ID_SIZE)
		return FZ_ESTORE;
	memcpy(id, v.mv_data, v.mv_size);
	id[v.mv_size] = '\0';
	return 0;
}

int
clients_ensure_txn(MDB_txn *txn, struct state *st, const char *ws,
    const char *name, const char *email, const char *company, int64_t now_ms,
    json_t **out, int *created)
{
	char key[FZ_ID_SIZE + TEXT_EMAIL_SIZE], id[FZ_ID_SIZE];
	char at[CLOCK_RFC3339_SIZE];
	json_t *doc = NULL;
	MDB_val k, v;
	int err;

	*out = NULL;
	*created = 0;
	if (strlen(ws) >= FZ_ID_SIZE || strlen(email) >= TEXT_EMAIL_SIZE)
		return FZ_EINVAL;
	err = clients_find_txn(txn, st, ws, email, id);
	if (err == 0)
		return clients_get_txn(txn, st, ws, id, out);
	if (err != FZ_ENOTFOUND)
		return err;
	if ((err = secure_id("client", id)) != 0)
		return err;
	clock_rfc3339(now_ms, at);
	doc = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:s}", "id", id, "name",
	    name, "email", email, "company", company, "createdAt", at,
	    "updatedAt", at);
	if (doc == NULL)
		return FZ_ENOMEM;
	if ((err = docs_put_txn(txn, st, DOC_CLIENT, ws, id, doc)) != 0 ||
	    (err = clientidx_put_txn(txn, st, ws, doc)) != 0)
		goto out;
	clients_email_key(key, ws, email, &k);
	v.mv_data = id;
	v.mv_size = strlen(id);
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_CLIENT_EMAIL),
	    &k, &v, MDB_NOOVERWRITE))) != 0)
		goto out;
	*out = doc;
	doc = NULL;
	*created = 1;
out:
	json_decref(doc);
	return err;
}

int
clients_get_txn(MDB_txn *txn, struct state *st, const char *ws,
    const char *id, json_t **out)
{
	return docs_get_txn(txn, st, DOC_CLIENT, ws, id, out);
}

/* A read's inputs and outputs. */
struct clients_op {
	const char	*ws;
	const char	*id;
	const struct clients_filter *filter;
	uint64_t	 before;
	unsigned	 limit;
	json_t		*out;
	uint64_t	 next;
};

static int
clients_create_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	const char *company;
	int created, err;

	company = json_string_value(json_object_get(op->body, "company"));
	err = clients_ensure_txn(txn, st, op->ws,
	    json_string_value(json_object_get(op->body, "name")),
	    json_string_value(json_object_get(op->body, "email")), company,
	    op->now_ms, &op->op.res.data, &created);
	if (err == 0 && !created)
		err = FZ_EEXIST;
	return err;
}

void
clients_create(struct state *st, const char *ws, const json_t *body,
    int64_t now_ms, state_done_cb *done, void *arg)
{
	state_submit_rec(st, clients_create_fn, ws, NULL, body, now_ms, NULL,
	    done, arg);
}

static int
clients_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct clients_op *op = arg;

	return clients_get_txn(txn, st, op->ws, op->id, &op->out);
}

int
clients_get(struct state *st, const char *ws, const char *id, json_t **out)
{
	struct clients_op op = { ws, id, NULL, 0, 0, NULL, 0 };
	int err;

	err = state_read(st, clients_get_fn, &op);
	*out = op.out;
	return err;
}

/* Puts the client of index entry v on the page (op->out). */
static int
clients_take(MDB_txn *txn, struct state *st, const MDB_val *v, void *arg)
{
	struct clients_op *op = arg;
	const char *id = scan_entry_id(v);
	json_t *c = NULL;
	int err;

	if (id == NULL)
		return FZ_ESTORE;
	if ((err = clients_get_txn(txn, st, op->ws, id, &c)) != 0)
		return err;
	return json_array_append_new(op->out, c) == 0 ? 0 : FZ_ENOMEM;
}

static int
clients_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct clients_op *op = arg;
	int err;

	if (op->filter == NULL)
		return docs_list_txn(txn, st, DOC_CLIENT, op->ws, op->before,
		    op->limit, &op->out, &op->next);
	if ((op->out = json_array()) == NULL)
		return FZ_ENOMEM;
	if ((err = clientidx_page_txn(txn, st, op->ws, op->filter, op->before,
	    op->limit, clients_take, op, &op->next)) != 0) {
		json_decref(op->out);
		op->out = NULL;
	}
	return err;
}

int
clients_list(struct state *st, const char *ws,
    const struct clients_filter *f, uint64_t before, unsigned limit,
    json_t **out, uint64_t *next)
{
	struct clients_op op = { ws, NULL, f, before, limit, NULL, 0 };
	int err;

	err = state_read(st, clients_list_fn, &op);
	*out = op.out;
	*next = op.next;
	return err;
}
