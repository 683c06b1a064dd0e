#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/fz.h"
#include "common/secure.h"
#include "state/env.h"
#include "state/journal.h"
#include "state/packs.h"
#include "state/projects.h"
#include "state/seal.h"
#include "state/txn.h"

#define PACKS_MASK		"********"
#define PACKS_SHARE_RANDOM	32

/* A read's inputs and output. */
struct packs_op {
	const struct packs_ctx	*ctx;
	const char		*ws;
	const char		*id;
	json_t			*out;
};

int
packs_load_txn(MDB_txn *txn, struct state *st, const char *project_id,
    json_t **out)
{
	MDB_val k, v;
	int err;

	*out = NULL;
	k.mv_data = (void *)project_id;
	k.mv_size = strlen(project_id);
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_PACKS), &k,
	    &v))) != 0)
		return err == FZ_ENOTFOUND ? FZ_ESTORE : err;
	if ((*out = json_loadb(v.mv_data, v.mv_size, 0, NULL)) == NULL)
		return FZ_ESTORE;
	return 0;
}

static int
packs_store_txn(MDB_txn *txn, struct state *st, const char *project_id,
    const json_t *pack)
{
	MDB_val k, v;
	char *text;
	int err;

	if ((text = json_dumps(pack, JSON_COMPACT)) == NULL)
		return FZ_ENOMEM;
	k.mv_data = (void *)project_id;
	k.mv_size = strlen(project_id);
	v.mv_data = text;
	v.mv_size = strlen(text);
	err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_PACKS), &k, &v, 0));
	free(text);
	return err;
}

int
packs_init_txn(MDB_txn *txn, struct state *st, const char *project_id,
    const json_t *sections, int64_t now_ms)
{
	char at[CLOCK_RFC3339_SIZE];
	json_t *pack;
	int err;

	pack = json_pack("{s:O, s:i, s:i, s:n, s:s}", "sections", sections,
	    "revision", 1, "sentRevision", 0, "shareToken", "updatedAt",
	    clock_rfc3339(now_ms, at));
	if (pack == NULL)
		return FZ_ENOMEM;
	err = packs_store_txn(txn, st, project_id, pack);
	json_decref(pack);
	return err;
}

char *
packs_share_url(const struct packs_ctx *ctx, const char *token)
{
	size_t n = strlen(ctx->public_url) + strlen(token) + 4;
	char *s;

	if ((s = malloc(n)) != NULL)
		snprintf(s, n, "%s/p/%s", ctx->public_url, token);
	return s;
}

/* Replaces sealed passwords with the mask, in place. */
static void
packs_mask(json_t *sections)
{
	json_t *sec, *item;
	size_t i, j;

	json_array_foreach(sections, i, sec) {
		json_array_foreach(json_object_get(sec, "items"), j, item) {
			const char *type = json_string_value(
			    json_object_get(item, "type"));
			int set;

			if (type == NULL || strcmp(type, "credential") != 0)
				continue;
			set = json_object_get(item, "passwordSealed") != NULL;
			json_object_del(item, "passwordSealed");
			json_object_set_new(item, "password",
			    set ? json_string(PACKS_MASK) : json_null());
			json_object_set_new(item, "password_set",
			    json_boolean(set));
		}
	}
}

json_t *
packs_render_txn(MDB_txn *txn, struct state *st, const struct packs_ctx *ctx,
    const json_t *p)
{
	const char *pid = json_string_value(json_object_get(p, "id"));
	const char *token;
	json_t *pack = NULL, *out = NULL, *sections;
	char *url = NULL;

	if (pid == NULL || packs_load_txn(txn, st, pid, &pack) != 0)
		return NULL;
	if ((sections = json_deep_copy(json_object_get(pack, "sections"))) ==
	    NULL)
		goto out;
	packs_mask(sections);
	token = json_string_value(json_object_get(pack, "shareToken"));
	if (token != NULL && (url = packs_share_url(ctx, token)) == NULL) {
		json_decref(sections);
		goto out;
	}
	out = json_pack("{s:O, s:o, s:O, s:O, s:O, s:O?, s:O?, s:s?}",
	    "projectId", json_object_get(p, "id"), "sections", sections,
	    "revision", json_object_get(pack, "revision"),
	    "updatedAt", json_object_get(pack, "updatedAt"),
	    "sentAt", json_object_get(p, "sentAt"),
	    "firstFetchedAt", json_object_get(p, "firstFetchedAt"),
	    "viewedAt", json_object_get(p, "viewedAt"), "share_url", url);
out:
	free(url);
	json_decref(pack);
	return out;
}

static int
packs_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct packs_op *op = arg;
	json_t *p = NULL;
	int err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	op->out = packs_render_txn(txn, st, op->ctx, p);
	json_decref(p);
	return op->out != NULL ? 0 : FZ_ESTORE;
}

int
packs_get(struct state *st, const struct packs_ctx *ctx, const char *ws,
    const char *project_id, json_t **out)
{
	struct packs_op op = { ctx, ws, project_id, NULL };
	int err;

	err = state_read(st, packs_get_fn, &op);
	*out = op.out;
	return err;
}

/* Returns the sealed password stored for the credential titled label in
 * section title, or NULL (borrowed from old). */
static json_t *
packs_old_sealed(const json_t *old, const char *title, const char *label)
{
	json_t *sec, *item;
	size_t i, j;

	json_array_foreach(json_object_get(old, "sections"), i, sec) {
		const char *t = json_string_value(json_object_get(sec,
		    "title"));

		if (t == NULL || strcmp(t, title) != 0)
			continue;
		json_array_foreach(json_object_get(sec, "items"), j, item) {
			const char *l = json_string_value(json_object_get(item,
			    "label"));

			if (l != NULL && strcmp(l, label) == 0 &&
			    json_object_get(item, "passwordSealed") != NULL)
				return json_object_get(item, "passwordSealed");
		}
	}
	return NULL;
}

/* Turns the incoming sections (a copy) into their stored form. */
static int
packs_seal_sections(const struct packs_ctx *ctx, const char *project_id,
    const json_t *old, json_t *sections)
{
	json_t *sec, *item, *keep;
	const char *type, *pw, *title, *label;
	size_t i, j;
	char *sealed;

	json_array_foreach(sections, i, sec) {
		title = json_string_value(json_object_get(sec, "title"));
		json_array_foreach(json_object_get(sec, "items"), j, item) {
			type = json_string_value(json_object_get(item, "type"));
			json_object_del(item, "password_set");
			json_object_del(item, "passwordSealed");
			if (type == NULL || strcmp(type, "credential") != 0) {
				json_object_del(item, "password");
				continue;
			}
			pw = json_string_value(json_object_get(item,
			    "password"));
			label = json_string_value(json_object_get(item,
			    "label"));
			if (pw != NULL && *pw != '\0' &&
			    strcmp(pw, PACKS_MASK) != 0) {
				sealed = seal_password(ctx->seal_key,
				    project_id, pw, strlen(pw));
				if (sealed == NULL)
					return FZ_ECRYPTO;
				json_object_set_new(item, "passwordSealed",
				    json_string(sealed));
				free(sealed);
			} else if (title != NULL && label != NULL &&
			    (keep = packs_old_sealed(old, title, label)) !=
			    NULL)
				json_object_set(item, "passwordSealed", keep);
			json_object_del(item, "password");
		}
	}
	return 0;
}

static int
packs_put_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	const struct packs_ctx *ctx = op->ctx;
	json_t *p = NULL, *pack = NULL, *sections = NULL;
	char at[CLOCK_RFC3339_SIZE];
	const char *status;
	int err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	status = json_string_value(json_object_get(p, "status"));
	if (status != NULL && strcmp(status, "signed_off") == 0) {
		err = FZ_ECONFLICT;
		goto out;
	}
	if ((err = packs_load_txn(txn, st, op->id, &pack)) != 0)
		goto out;
	sections = json_deep_copy(json_object_get(op->body, "sections"));
	if (sections == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if ((err = packs_seal_sections(ctx, op->id, pack, sections)) != 0)
		goto out;
	json_object_set(pack, "sections", sections);
	json_object_set_new(pack, "revision", json_integer(json_integer_value(
	    json_object_get(pack, "revision")) + 1));
	json_object_set_new(pack, "updatedAt",
	    json_string(clock_rfc3339(op->now_ms, at)));
	if ((err = packs_store_txn(txn, st, op->id, pack)) != 0 ||
	    (err = projects_put_txn(txn, st, p, op->now_ms)) != 0)
		goto out;
	if ((op->op.res.data = packs_render_txn(txn, st, ctx, p)) == NULL)
		err = FZ_ENOMEM;
out:
	json_decref(sections);
	json_decref(pack);
	json_decref(p);
	return err;
}

void
packs_put(struct state *st, const struct packs_ctx *ctx, const char *ws,
    const char *project_id, const json_t *body, int64_t now_ms,
    state_done_cb *done, void *arg)
{
	state_submit_rec(st, packs_put_fn, ws, project_id, body, now_ms, ctx,
	    done, arg);
}

static int
packs_share_txn(MDB_txn *txn, struct state *st, const char *project_id,
    json_t *pack)
{
	char token[PACKS_SHARE_RANDOM + 1];
	MDB_val k, v;
	int err;

	if (json_string_value(json_object_get(pack, "shareToken")) != NULL)
		return 0;
	if ((err = secure_base62(token, PACKS_SHARE_RANDOM)) != 0)
		return err;
	k.mv_data = token;
	k.mv_size = PACKS_SHARE_RANDOM;
	v.mv_data = (void *)project_id;
	v.mv_size = strlen(project_id);
	if ((err = state_mdb_err(mdb_put(txn, state_dbi(st, DB_SHARE), &k, &v,
	    MDB_NOOVERWRITE))) != 0)
		return err;
	json_object_set_new(pack, "shareToken", json_string(token));
	return 0;
}

static int
packs_send_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct state_rec *op = arg;
	const struct packs_ctx *ctx = op->ctx;
	json_t *p = NULL, *pack = NULL, *snap = NULL, *msg;
	char at[CLOCK_RFC3339_SIZE], *url = NULL;
	json_int_t rev, sent;
	const char *status;
	uint64_t seq;
	int err;

	if ((err = projects_get_txn(txn, st, op->ws, op->id, &p)) != 0)
		return err;
	status = json_string_value(json_object_get(p, "status"));
	if (status != NULL && strcmp(status, "signed_off") == 0) {
		err = FZ_ECONFLICT;
		goto out;
	}
	if ((err = packs_load_txn(txn, st, op->id, &pack)) != 0)
		goto out;
	rev = json_integer_value(json_object_get(pack, "revision"));
	sent = json_integer_value(json_object_get(pack, "sentRevision"));
	if (sent != rev) {
		if ((err = packs_share_txn(txn, st, op->id, pack)) != 0)
			goto out;
		json_object_set_new(pack, "sentRevision", json_integer(rev));
		clock_rfc3339(op->now_ms, at);
		/* Status never goes back: a viewed project re-sent with a
		 * changed pack stays viewed (pack.viewed is once per
		 * project). */
		if (status != NULL && strcmp(status, "draft") == 0)
			json_object_set_new(p, "status", json_string("sent"));
		json_object_set_new(p, "sentAt", json_string(at));
		msg = json_object_get(op->body, "personalMessage");
		json_object_set(p, "personalMessage", msg ? msg : json_null());
		url = packs_share_url(ctx, json_string_value(
		    json_object_get(pack, "shareToken")));
		if (url == NULL ||
		    (snap = projects_snapshot_txn(txn, st, p)) == NULL) {
			err = FZ_ENOMEM;
			goto out;
		}
		json_object_set(snap, "personal_message",
		    json_object_get(p, "personalMessage"));
		json_object_set_new(snap, "share_url", json_string(url));
		json_object_set_new(snap, "sent_at", json_string(at));
		json_object_set_new(snap, "pack_revision", json_integer(rev));
		if ((err = packs_store_txn(txn, st, op->id, pack)) != 0 ||
		    (err = projects_put_txn(txn, st, p, op->now_ms)) != 0 ||
		    (err = journal_append_txn(txn, st, JOURNAL_PACK_SENT,
		    op->ws, op->now_ms, snap, &seq)) != 0)
			goto out;
	} else if ((url = packs_share_url(ctx, json_string_value(
	    json_object_get(pack, "shareToken")))) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if ((op->op.res.data = projects_render_txn(txn, st, p)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	json_object_set_new(op->op.res.data, "share_url", json_string(url));
	/* Tells a caller whether this send was news to the client. */
	json_object_set_new(op->op.res.data, "eventRecorded", json_boolean(sent != rev));
	json_object_set_new(op->op.res.data, "packRevision", json_integer(rev));
out:
	free(url);
	json_decref(snap);
	json_decref(pack);
	json_decref(p);
	return err;
}

void
packs_send(struct state *st, const struct packs_ctx *ctx, const char *ws,
    const char *project_id, const json_t *body, int64_t now_ms,
    state_done_cb *done, void *arg)
{
	state_submit_rec(st, packs_send_fn, ws, project_id, body, now_ms, ctx,
	    done, arg);
}
