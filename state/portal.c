#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/docs.h"
#include "state/env.h"
#include "state/journal.h"
#include "state/portal.h"
#include "state/projects.h"
#include "state/txn.h"
#include "state/workspace.h"

/* A read's inputs and outputs. */
struct portal_op {
	const struct packs_ctx	*ctx;
	const char		*ws;
	const char		*id;		/* token or project id */
	int64_t			 now_ms;
	uint64_t		 before;
	unsigned		 limit;
	json_t			*out;
	uint64_t		 next;
};

/* Resolves a share token to its project. */
static int
portal_project_txn(MDB_txn *txn, struct state *st, const char *token,
    json_t **p)
{
	char pid[FZ_ID_SIZE];
	MDB_val k, v;
	int err;

	*p = NULL;
	k.mv_data = (void *)token;
	k.mv_size = strlen(token);
	if (k.mv_size == 0 || k.mv_size > 64)
		return FZ_ENOTFOUND;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_SHARE), &k,
	    &v))) != 0)
		return err;
	if (v.mv_size == 0 || v.mv_size >= sizeof(pid))
		return FZ_ESTORE;
	memcpy(pid, v.mv_data, v.mv_size);
	pid[v.mv_size] = '\0';
	return projects_get_txn(txn, st, NULL, pid, p);
}

static int
portal_signoff_doc_txn(MDB_txn *txn, struct state *st, const json_t *p,
    json_t **out)
{
	const char *sid = json_string_value(json_object_get(p, "signoffId"));

	*out = NULL;
	if (sid == NULL)
		return FZ_ENOTFOUND;
	return docs_get_txn(txn, st, DOC_SIGNOFF,
	    json_string_value(json_object_get(p, "workspaceId")), sid, out);
}

/* The portal's page for token in *out; the first view of a sent
 * project writes (write: in a write transaction), else FZ_EEXIST. */
static int
portal_view_txn(MDB_txn *txn, struct state *st, const struct packs_ctx *ctx,
    const char *token, int64_t now_ms, int write, json_t **out)
{
	json_t *p = NULL, *pack = NULL, *snap = NULL, *so = NULL;
	struct workspace ws;
	char at[CLOCK_RFC3339_SIZE];
	const char *status;
	uint64_t seq;
	int err;

	if ((err = portal_project_txn(txn, st, token, &p)) != 0)
		return err;
	if ((err = workspace_get_txn(txn, st, json_string_value(
	    json_object_get(p, "workspaceId")), &ws)) != 0)
		goto out;
	status = json_string_value(json_object_get(p, "status"));
	if (json_is_null(json_object_get(p, "viewedAt"))) {
		/* Only the first view writes; later views stay read-only. */
		if (!write) {
			err = FZ_EEXIST;
			goto out;
		}
		clock_rfc3339(now_ms, at);
		json_object_set_new(p, "viewedAt", json_string(at));
		if (status != NULL && strcmp(status, "sent") == 0)
			json_object_set_new(p, "status", json_string("viewed"));
		if ((snap = projects_snapshot_txn(txn, st, p)) == NULL) {
			err = FZ_ENOMEM;
			goto out;
		}
		json_object_set_new(snap, "viewed_at", json_string(at));
		if ((err = projects_put_txn(txn, st, p, now_ms)) != 0 ||
		    (err = journal_append_txn(txn, st, JOURNAL_PACK_VIEWED,
		    ws.id, now_ms, snap, &seq)) != 0)
			goto out;
	}
	if ((pack = packs_render_txn(txn, st, ctx, p)) == NULL) {
		err = FZ_ESTORE;
		goto out;
	}
	err = portal_signoff_doc_txn(txn, st, p, &so);
	if (err != 0 && err != FZ_ENOTFOUND)
		goto out;
	*out = json_pack("{s:{s:O, s:O, s:O, s:O}, s:{s:s}, s:O, s:O,"
	    " s:O, s:O}",
	    "project", "name", json_object_get(p, "name"),
	    "projectType", json_object_get(p, "projectType"),
	    "launchDate", json_object_get(p, "launchDate"),
	    "status", json_object_get(p, "status"),
	    "agency", "name", ws.name,
	    "personalMessage", json_object_get(p, "personalMessage"),
	    "sections", json_object_get(pack, "sections"),
	    "sentAt", json_object_get(p, "sentAt"),
	    "signoff", so != NULL ? so : json_null());
	err = *out != NULL ? 0 : FZ_ENOMEM;
out:
	json_decref(so);
	json_decref(pack);
	json_decref(snap);
	json_decref(p);
	return err;
}

static int
portal_view_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct portal_op *op = arg;

	return portal_view_txn(txn, st, op->ctx, op->id, op->now_ms, 0,
	    &op->out);
}

static int
portal_view_write_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;

	return portal_view_txn(txn, st, op->ctx, op->id, op->now_ms, 1,
	    &op->op.res.data);
}

void
portal_view(struct state *st, const struct packs_ctx *ctx, const char *token,
    int64_t now_ms, state_done_cb *done, void *arg)
{
	struct portal_op op = { 0 };
	int err;

	op.ctx = ctx;
	op.id = token;
	op.now_ms = now_ms;
	if ((err = state_read(st, portal_view_fn, &op)) == FZ_EEXIST) {
		json_decref(op.out);
		state_submit_rec(st, portal_view_write_fn, NULL, token, NULL,
		    now_ms, ctx, done, arg);
		return;
	}
	if (err != 0) {
		json_decref(op.out);
		op.out = NULL;
	}
	state_answer(done, arg, err, op.out);
}

static int
portal_signoff_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	json_t *p = NULL, *so = NULL, *snap = NULL, *comment;
	char id[FZ_ID_SIZE], at[CLOCK_RFC3339_SIZE];
	const char *status, *ws;
	uint64_t seq;
	int err;

	if ((err = portal_project_txn(txn, st, op->id, &p)) != 0)
		return err;
	status = json_string_value(json_object_get(p, "status"));
	if (status == NULL || strcmp(status, "signed_off") == 0) {
		err = FZ_ECONFLICT;
		goto out;
	}
	ws = json_string_value(json_object_get(p, "workspaceId"));
	if ((err = secure_id("signoff", id)) != 0)
		goto out;
	clock_rfc3339(op->now_ms, at);
	comment = json_object_get(op->body, "comment");
	so = json_pack("{s:s, s:O, s:O, s:O, s:O, s:s}", "id", id,
	    "projectId", json_object_get(p, "id"),
	    "signerName", json_object_get(op->body, "name"),
	    "signerEmail", json_object_get(op->body, "email"),
	    "comment", comment ? comment : json_null(), "signedAt", at);
	if (so == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	json_object_set_new(p, "status", json_string("signed_off"));
	json_object_set_new(p, "signedOffAt", json_string(at));
	json_object_set_new(p, "signoffId", json_string(id));
	if ((snap = projects_snapshot_txn(txn, st, p)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	json_object_set(snap, "signed_by_name", json_object_get(so,
	    "signerName"));
	json_object_set(snap, "signed_by_email", json_object_get(so,
	    "signerEmail"));
	json_object_set(snap, "comment", json_object_get(so, "comment"));
	json_object_set_new(snap, "signed_at", json_string(at));
	json_object_set_new(snap, "signoff_id", json_string(id));
	if ((err = docs_put_txn(txn, st, DOC_SIGNOFF, ws, id, so)) != 0 ||
	    (err = projects_put_txn(txn, st, p, op->now_ms)) != 0 ||
	    (err = journal_append_txn(txn, st, JOURNAL_SIGNED_OFF, ws,
	    op->now_ms, snap, &seq)) != 0)
		goto out;
	op->op.res.data = so;
	so = NULL;
out:
	json_decref(so);
	json_decref(snap);
	json_decref(p);
	return err;
}

void
portal_signoff(struct state *st, const char *token, const json_t *body,
    int64_t now_ms, state_done_cb *done, void *arg)
{
	state_submit_rec(st, portal_signoff_fn, NULL, token, body, now_ms,
	    NULL, done, arg);
}

static int
portal_signoff_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct portal_op *op = arg;
	json_t *p = NULL;
	int err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	err = portal_signoff_doc_txn(txn, st, p, &op->out);
	json_decref(p);
	return err;
}

int
portal_signoff_get(struct state *st, const char *ws, const char *project_id,
    json_t **out)
{
	struct portal_op op = { 0 };
	int err;

	op.ws = ws;
	op.id = project_id;
	err = state_read(st, portal_signoff_get_fn, &op);
	*out = op.out;
	return err;
}

static int
portal_signoff_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct portal_op *op = arg;

	return docs_list_txn(txn, st, DOC_SIGNOFF, op->ws, op->before,
	    op->limit, &op->out, &op->next);
}

int
portal_signoff_list(struct state *st, const char *ws, uint64_t before,
    unsigned limit, json_t **out, uint64_t *next)
{
	struct portal_op op = { 0 };
	int err;

	op.ws = ws;
	op.before = before;
	op.limit = limit;
	err = state_read(st, portal_signoff_list_fn, &op);
	*out = op.out;
	*next = op.next;
	return err;
}
