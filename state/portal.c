#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "common/text.h"
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
	uint64_t		 before;
	unsigned		 limit;
	json_t			*out;
	uint64_t		 next;
	int			 fetched;	/* the first fetch is kept */
};

/* What building the page may do about a view not yet recorded. */
enum portal_mode {
	PORTAL_READ,		/* nothing: GET and HEAD record no view */
	PORTAL_PROBE,		/* stop with FZ_EEXIST: a write is needed */
	PORTAL_RECORD,		/* record it (a write transaction) */
};

int
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

static int
portal_viewed(const json_t *p)
{
	return json_is_string(json_object_get(p, "viewedAt"));
}

/* Records the first view of p: viewedAt, "sent" becomes "viewed", and
 * pack.viewed is journaled with the project as it now stands. p changes
 * in place; the caller stores it. Write transactions only. */
static int
portal_view_txn(MDB_txn *txn, struct state *st, json_t *p, int64_t now_ms)
{
	char at[CLOCK_RFC3339_SIZE];
	const char *status;
	json_t *snap;
	uint64_t seq;
	int err;

	clock_rfc3339(now_ms, at);
	status = json_string_value(json_object_get(p, "status"));
	if (status != NULL && strcmp(status, "sent") == 0)
		json_object_set_new(p, "status", json_string("viewed"));
	json_object_set_new(p, "viewedAt", json_string(at));
	if ((snap = projects_snapshot_txn(txn, st, p)) == NULL)
		return FZ_ENOMEM;
	json_object_set_new(snap, "viewed_at", json_string(at));
	err = journal_append_txn(txn, st, JOURNAL_PACK_VIEWED,
	    json_string_value(json_object_get(p, "workspaceId")), now_ms, snap,
	    &seq);
	json_decref(snap);
	return err;
}

int
portal_first_view_txn(MDB_txn *txn, struct state *st, json_t *p,
    int64_t now_ms)
{
	int err;

	if (portal_viewed(p))
		return 0;
	if ((err = portal_view_txn(txn, st, p, now_ms)) != 0)
		return err;
	return projects_put_txn(txn, st, p, now_ms);
}

/* The sign-off as the page shows it: whoever holds the link sees it, so
 * not the signer's email nor the evidence of who signed. */
static json_t *
portal_signoff_public(const json_t *so)
{
	if (so == NULL)
		return json_null();
	return json_pack("{s:O?, s:O?, s:O?, s:O?}",
	    "id", json_object_get(so, "id"),
	    "signerName", json_object_get(so, "signerName"),
	    "comment", json_object_get(so, "comment"),
	    "signedAt", json_object_get(so, "signedAt"));
}

/* The portal's page for token in *out, recording the first view as mode
 * says; *fetched (when not NULL) tells whether the link's first fetch is
 * kept. */
static int
portal_page_txn(MDB_txn *txn, struct state *st, const struct packs_ctx *ctx,
    const char *token, int64_t now_ms, enum portal_mode mode, json_t **out,
    int *fetched)
{
	json_t *p = NULL, *pack = NULL, *so = NULL, *shown = NULL;
	struct workspace ws;
	int err;

	if ((err = portal_project_txn(txn, st, token, &p)) != 0)
		return err;
	if (fetched != NULL)
		*fetched = json_is_string(json_object_get(p, "firstFetchedAt"));
	if ((err = workspace_get_txn(txn, st, json_string_value(
	    json_object_get(p, "workspaceId")), &ws)) != 0)
		goto out;
	if (!portal_viewed(p) && mode == PORTAL_PROBE) {
		err = FZ_EEXIST;
		goto out;
	}
	if (!portal_viewed(p) && mode == PORTAL_RECORD &&
	    ((err = portal_view_txn(txn, st, p, now_ms)) != 0 ||
	    (err = projects_put_txn(txn, st, p, now_ms)) != 0))
		goto out;
	if ((pack = packs_render_txn(txn, st, ctx, p)) == NULL) {
		err = FZ_ESTORE;
		goto out;
	}
	err = portal_signoff_doc_txn(txn, st, p, &so);
	if (err != 0 && err != FZ_ENOTFOUND)
		goto out;
	if ((shown = portal_signoff_public(so)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	*out = json_pack("{s:{s:O, s:O, s:O, s:O, s:O?}, s:{s:s}, s:O, s:O,"
	    " s:O, s:O}",
	    "project", "name", json_object_get(p, "name"),
	    "projectType", json_object_get(p, "projectType"),
	    "launchDate", json_object_get(p, "launchDate"),
	    "status", json_object_get(p, "status"),
	    "viewedAt", json_object_get(p, "viewedAt"),
	    "agency", "name", ws.name,
	    "personalMessage", json_object_get(p, "personalMessage"),
	    "sections", json_object_get(pack, "sections"),
	    "sentAt", json_object_get(p, "sentAt"),
	    "signoff", shown);
	err = *out != NULL ? 0 : FZ_ENOMEM;
out:
	json_decref(shown);
	json_decref(so);
	json_decref(pack);
	json_decref(p);
	return err;
}

static int
portal_view_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct portal_op *op = arg;

	return portal_page_txn(txn, st, op->ctx, op->id, 0, PORTAL_READ,
	    &op->out, &op->fetched);
}

int
portal_view(struct state *st, const struct packs_ctx *ctx, const char *token,
    json_t **out)
{
	struct portal_op op = { 0 };
	int err;

	op.ctx = ctx;
	op.id = token;
	if ((err = state_read(st, portal_view_fn, &op)) != 0) {
		json_decref(op.out);
		op.out = NULL;
	}
	*out = op.out;
	return err;
}

/* Keeps the link's first fetch on its project. Not the agency's change,
 * so updatedAt stays; a fetch already kept writes nothing. */
static int
portal_fetched_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	char at[CLOCK_RFC3339_SIZE];
	json_t *p = NULL;
	int err;

	if ((err = portal_project_txn(txn, st, op->id, &p)) != 0)
		return err;
	if (!json_is_string(json_object_get(p, "firstFetchedAt"))) {
		json_object_set_new(p, "firstFetchedAt",
		    json_string(clock_rfc3339(op->now_ms, at)));
		err = docs_put_txn(txn, st, DOC_PROJECT, json_string_value(
		    json_object_get(p, "workspaceId")), json_string_value(
		    json_object_get(p, "id")), p);
	}
	json_decref(p);
	return err;
}

int
portal_fetch(struct state *st, const struct packs_ctx *ctx, const char *token,
    int64_t now_ms, json_t **out)
{
	int err;
	struct portal_op op = { 0 };

	op.ctx = ctx;
	op.id = token;
	if ((err = state_read(st, portal_view_fn, &op)) != 0) {
		json_decref(op.out);
		op.out = NULL;
	} else if (!op.fetched)
		state_submit_rec(st, portal_fetched_fn, NULL, token, NULL,
		    now_ms, NULL, state_warn_cb,
		    (void *)"keep a share link's first fetch");
	*out = op.out;
	return err;
}

static int
portal_probe_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct portal_op *op = arg;

	return portal_page_txn(txn, st, op->ctx, op->id, 0, PORTAL_PROBE,
	    &op->out, NULL);
}

static int
portal_record_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;

	return portal_page_txn(txn, st, op->ctx, op->id, op->now_ms,
	    PORTAL_RECORD, &op->op.res.data, NULL);
}

void
portal_view_record(struct state *st, const struct packs_ctx *ctx,
    const char *token, int64_t now_ms, state_done_cb *done, void *arg)
{
	struct portal_op op = { 0 };
	int err;

	op.ctx = ctx;
	op.id = token;
	/* A view already recorded is answered from a read: repeats, the
	 * common case once the page is open, never wait for the disk. The
	 * write checks again, so two first views record one. */
	if ((err = state_read(st, portal_probe_fn, &op)) == FZ_EEXIST) {
		json_decref(op.out);
		state_submit_rec(st, portal_record_fn, NULL, token, NULL,
		    now_ms, ctx, done, arg);
		return;
	}
	if (err != 0) {
		json_decref(op.out);
		op.out = NULL;
	}
	state_answer(done, arg, err, op.out);
}

/* Returns 0 if email (normalized) is the address of p's client, else
 * FZ_EDENIED. Compared as digests, in time that tells nothing of the
 * client's address. */
static int
portal_client_txn(MDB_txn *txn, struct state *st, const json_t *p,
    const char *email)
{
	unsigned char want[SECURE_SHA256_SIZE], got[SECURE_SHA256_SIZE];
	char norm[TEXT_EMAIL_SIZE];
	json_t *client = NULL;
	const char *have;
	int err;

	if ((err = clients_get_txn(txn, st, json_string_value(json_object_get(
	    p, "workspaceId")), json_string_value(json_object_get(p,
	    "clientId")), &client)) != 0)
		return err == FZ_ENOTFOUND ? FZ_EDENIED : err;
	have = json_string_value(json_object_get(client, "email"));
	if (email == NULL || have == NULL ||
	    text_email_normalize(have, norm) != 0) {
		err = FZ_EDENIED;
		goto out;
	}
	if ((err = secure_sha256(norm, strlen(norm), want)) != 0 ||
	    (err = secure_sha256(email, strlen(email), got)) != 0)
		goto out;
	err = secure_equal(want, got, sizeof(want)) ? 0 : FZ_EDENIED;
out:
	json_decref(client);
	return err;
}

/* The sign-off record: who signed, and the evidence the edge took
 * (address and user agent, null when it had none). */
static json_t *
portal_signoff_new(const json_t *p, const json_t *body, const char *id,
    const char *at)
{
	return json_pack("{s:s, s:O, s:O, s:O, s:O?, s:s, s:O?, s:O?}",
	    "id", id, "projectId", json_object_get(p, "id"),
	    "signerName", json_object_get(body, "name"),
	    "signerEmail", json_object_get(body, "email"),
	    "comment", json_object_get(body, "comment"),
	    "signedAt", at,
	    "ipAddress", json_object_get(body, "ipAddress"),
	    "userAgent", json_object_get(body, "userAgent"));
}

static int
portal_signoff_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	json_t *p = NULL, *so = NULL, *snap = NULL;
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
	if ((err = portal_client_txn(txn, st, p, json_string_value(
	    json_object_get(op->body, "email")))) != 0) {
		if (err == FZ_EDENIED)
			op->op.res.field = "email";
		goto out;
	}
	/* Signing is acting on the pack: a person had it in front of them,
	 * whether or not the page said so first. */
	if (!portal_viewed(p) &&
	    (err = portal_view_txn(txn, st, p, op->now_ms)) != 0)
		goto out;
	ws = json_string_value(json_object_get(p, "workspaceId"));
	if ((err = secure_id("signoff", id)) != 0)
		goto out;
	clock_rfc3339(op->now_ms, at);
	if ((so = portal_signoff_new(p, op->body, id, at)) == NULL) {
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
	/* The evidence stays with the sign-off, for the agency's API: an
	 * event goes to every subscriber, and an address is personal data. */
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
