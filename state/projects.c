#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/clients.h"
#include "state/docs.h"
#include "state/packs.h"
#include "state/projidx.h"
#include "state/projects.h"
#include "state/templates.h"
#include "state/txn.h"

/* A read's inputs and outputs. */
struct projects_op {
	const char	*ws;
	const char	*id;
	const struct projects_filter *filter;
	uint64_t	 before;
	unsigned	 limit;
	json_t		*out;
	uint64_t	 next;
};

int
projects_get_txn(MDB_txn *txn, struct state *st, const char *ws,
    const char *id, json_t **out)
{
	return docs_get_txn(txn, st, DOC_PROJECT, ws, id, out);
}

int
projects_put_txn(MDB_txn *txn, struct state *st, json_t *p, int64_t now_ms)
{
	char at[CLOCK_RFC3339_SIZE];
	int err;

	json_object_set_new(p, "updatedAt",
	    json_string(clock_rfc3339(now_ms, at)));
	if ((err = docs_put_txn(txn, st, DOC_PROJECT,
	    json_string_value(json_object_get(p, "workspaceId")),
	    json_string_value(json_object_get(p, "id")), p)) != 0)
		return err;
	return projidx_put_txn(txn, st, p);
}

json_t *
projects_render_txn(MDB_txn *txn, struct state *st, const json_t *p)
{
	json_t *out, *client = NULL;
	const char *ws, *cid;

	if ((out = json_deep_copy(p)) == NULL)
		return NULL;
	/* Projects stored before the first fetch was kept have none. */
	if (json_object_get(out, "firstFetchedAt") == NULL)
		json_object_set_new(out, "firstFetchedAt", json_null());
	ws = json_string_value(json_object_get(p, "workspaceId"));
	cid = json_string_value(json_object_get(p, "clientId"));
	if (ws != NULL && cid != NULL &&
	    clients_get_txn(txn, st, ws, cid, &client) == 0)
		json_object_set_new(out, "client", client);
	else
		json_object_set_new(out, "client", json_null());
	return out;
}

json_t *
projects_snapshot_txn(MDB_txn *txn, struct state *st, const json_t *p)
{
	json_t *client = NULL, *snap;
	const char *ws, *cid;

	ws = json_string_value(json_object_get(p, "workspaceId"));
	cid = json_string_value(json_object_get(p, "clientId"));
	if (ws == NULL || cid == NULL ||
	    clients_get_txn(txn, st, ws, cid, &client) != 0)
		client = json_object();
	snap = json_pack("{s:O, s:O, s:O, s:O, s:O, s:O, s:O, s:O}",
	    "project_id", json_object_get(p, "id"),
	    "project_name", json_object_get(p, "name"),
	    "project_type", json_object_get(p, "projectType"),
	    "launch_date", json_object_get(p, "launchDate"),
	    "status", json_object_get(p, "status"),
	    "client_id", json_object_get(client, "id") ?
	    json_object_get(client, "id") : json_null(),
	    "client_name", json_object_get(client, "name") ?
	    json_object_get(client, "name") : json_null(),
	    "client_email", json_object_get(client, "email") ?
	    json_object_get(client, "email") : json_null());
	json_decref(client);
	return snap;
}

/* Finds or makes the project's client from clientId or clientName and
 * clientEmail. Returns 0 with *cid set (borrowed from body or *hold). */
static int
projects_client_txn(MDB_txn *txn, struct state *st, struct state_rec *op,
    json_t **hold, const char **cid)
{
	const char *id = json_string_value(json_object_get(op->body,
	    "clientId"));
	int created, err;

	if (id != NULL) {
		err = clients_get_txn(txn, st, op->ws, id, hold);
		if (err == FZ_ENOTFOUND)
			op->op.res.field = "clientId";
		*cid = id;
		return err;
	}
	err = clients_ensure_txn(txn, st, op->ws,
	    json_string_value(json_object_get(op->body, "clientName")),
	    json_string_value(json_object_get(op->body, "clientEmail")), NULL,
	    op->now_ms, hold, &created);
	if (err == 0)
		*cid = json_string_value(json_object_get(*hold, "id"));
	return err;
}

static int
projects_create_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	char id[FZ_ID_SIZE], at[CLOCK_RFC3339_SIZE];
	const char *cid = NULL, *tpl, *type;
	json_t *client = NULL, *p = NULL, *sections = NULL;
	int err;

	type = json_string_value(json_object_get(op->body, "projectType"));
	tpl = json_string_value(json_object_get(op->body, "templateId"));
	if (tpl != NULL) {
		if ((sections = templates_sections(tpl)) == NULL) {
			op->op.res.field = "templateId";
			return FZ_ENOTFOUND;
		}
	} else if ((tpl = templates_for_type(type)) != NULL)
		sections = templates_sections(tpl);
	if (sections == NULL && (sections = json_array()) == NULL)
		return FZ_ENOMEM;
	if ((err = projects_client_txn(txn, st, op, &client, &cid)) != 0)
		goto out;
	if ((err = secure_id("project", id)) != 0)
		goto out;
	clock_rfc3339(op->now_ms, at);
	p = json_pack("{s:s, s:s, s:O, s:s, s:O, s:O, s:s, s:s?, s:s, s:s,"
	    " s:n, s:n, s:n, s:n}",
	    "id", id, "workspaceId", op->ws,
	    "name", json_object_get(op->body, "name"), "clientId", cid,
	    "projectType", json_object_get(op->body, "projectType"),
	    "launchDate", json_object_get(op->body, "launchDate"),
	    "status", "draft", "templateId", tpl, "createdAt", at,
	    "updatedAt", at, "sentAt", "viewedAt", "signedOffAt",
	    "personalMessage");
	if (p == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if ((err = projects_put_txn(txn, st, p, op->now_ms)) != 0 ||
	    (err = packs_init_txn(txn, st, id, sections, op->now_ms)) != 0)
		goto out;
	if ((op->op.res.data = projects_render_txn(txn, st, p)) == NULL)
		err = FZ_ENOMEM;
out:
	json_decref(client);
	json_decref(sections);
	json_decref(p);
	return err;
}

void
projects_create(struct state *st, const char *ws, const json_t *body,
    int64_t now_ms, state_done_cb *done, void *arg)
{
	state_submit_rec(st, projects_create_fn, ws, NULL, body, now_ms, NULL,
	    done, arg);
}

static int
projects_update_fn(MDB_txn *txn, struct state *st, void *arg)
{
	static const char *const fields[] = { "name", "projectType",
	    "launchDate" };
	struct state_rec *op = arg;
	json_t *p = NULL, *v;
	size_t i;
	int err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	for (i = 0; i < FZ_NELEM(fields); i++)
		if ((v = json_object_get(op->body, fields[i])) != NULL)
			json_object_set(p, fields[i], v);
	if ((err = projects_put_txn(txn, st, p, op->now_ms)) == 0 &&
	    (op->op.res.data = projects_render_txn(txn, st, p)) == NULL)
		err = FZ_ENOMEM;
	json_decref(p);
	return err;
}

void
projects_update(struct state *st, const char *ws, const char *id,
    const json_t *body, int64_t now_ms, state_done_cb *done, void *arg)
{
	state_submit_rec(st, projects_update_fn, ws, id, body, now_ms, NULL,
	    done, arg);
}

static int
projects_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct projects_op *op = arg;
	json_t *p = NULL;
	int err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	op->out = projects_render_txn(txn, st, p);
	json_decref(p);
	return op->out != NULL ? 0 : FZ_ENOMEM;
}

int
projects_get(struct state *st, const char *ws, const char *id, json_t **out)
{
	struct projects_op op = { 0 };
	int err;

	op.ws = ws;
	op.id = id;
	err = state_read(st, projects_get_fn, &op);
	*out = op.out;
	return err;
}

/* Renders the project of index entry v onto the page (op->out). */
static int
projects_take(MDB_txn *txn, struct state *st, const MDB_val *v, void *arg)
{
	struct projects_op *op = arg;
	const char *id = scan_entry_id(v);
	json_t *p = NULL, *r;
	int err;

	if (id == NULL)
		return FZ_ESTORE;
	if ((err = projects_get_txn(txn, st, op->ws, id, &p)) != 0)
		return err;
	r = projects_render_txn(txn, st, p);
	json_decref(p);
	if (r == NULL || json_array_append_new(op->out, r) != 0)
		return FZ_ENOMEM;
	return 0;
}

static int
projects_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct projects_op *op = arg;
	json_t *arr = NULL, *p, *r;
	size_t i;
	int err;

	if (op->filter != NULL) {
		if ((op->out = json_array()) == NULL)
			return FZ_ENOMEM;
		if ((err = projidx_page_txn(txn, st, op->ws, op->filter,
		    op->before, op->limit, projects_take, op, &op->next)) != 0) {
			json_decref(op->out);
			op->out = NULL;
		}
		return err;
	}
	if ((err = docs_list_txn(txn, st, DOC_PROJECT, op->ws, op->before,
	    op->limit, &arr, &op->next)) != 0)
		return err;
	json_array_foreach(arr, i, p) {
		if ((r = projects_render_txn(txn, st, p)) == NULL) {
			json_decref(arr);
			return FZ_ENOMEM;
		}
		json_array_set_new(arr, i, r);
	}
	op->out = arr;
	return 0;
}

int
projects_list(struct state *st, const char *ws,
    const struct projects_filter *f, uint64_t before, unsigned limit,
    json_t **out, uint64_t *next)
{
	struct projects_op op = { 0 };
	int err;

	op.ws = ws;
	op.filter = f;
	op.before = before;
	op.limit = limit;
	err = state_read(st, projects_list_fn, &op);
	*out = op.out;
	*next = op.next;
	return err;
}
