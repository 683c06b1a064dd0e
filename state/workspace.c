#include <string.h>

#include <lmdb.h>

#include "common/clock.h"
#include "common/secure.h"
#include "common/text.h"
#include "state/env.h"
#include "state/txn.h"
#include "state/workspace.h"

/* Bumped when struct workspace changes; older rows are refused, never
 * misread. */
#define WORKSPACE_REC_VERSION	1

struct workspace_rec {
	uint32_t		version;
	struct workspace	ws;
};

static const char *const plan_names[] = {
	[PLAN_FREE] = "free",
	[PLAN_PRO] = "pro",
	[PLAN_AGENCY] = "agency",
};

const char *
workspace_plan_name(enum plan plan)
{
	if (plan < PLAN_FREE || plan > PLAN_AGENCY)
		return "unknown";
	return plan_names[plan];
}

int
workspace_plan_parse(const char *s, enum plan *out)
{
	int p;

	for (p = PLAN_FREE; p <= PLAN_AGENCY; p++) {
		if (strcmp(s, plan_names[p]) == 0) {
			*out = (enum plan)p;
			return 0;
		}
	}
	return FZ_EINVAL;
}

static int
workspace_decode(const MDB_val *v, struct workspace *out)
{
	struct workspace_rec rec;

	if (v->mv_size != sizeof(rec))
		return FZ_ESTORE;
	memcpy(&rec, v->mv_data, sizeof(rec));
	if (rec.version != WORKSPACE_REC_VERSION)
		return FZ_ESTORE;
	*out = rec.ws;
	return 0;
}

static int
workspace_put_txn(MDB_txn *txn, struct state *st, const struct workspace *ws,
    unsigned flags)
{
	struct workspace_rec rec;
	MDB_val k, v;

	memset(&rec, 0, sizeof(rec));
	rec.version = WORKSPACE_REC_VERSION;
	rec.ws = *ws;
	k.mv_data = rec.ws.id;
	k.mv_size = strlen(rec.ws.id);
	v.mv_data = &rec;
	v.mv_size = sizeof(rec);
	return state_mdb_err(mdb_put(txn, state_dbi(st, DB_WORKSPACES), &k, &v,
	    flags));
}

static int
workspace_put_fn(MDB_txn *txn, struct state *st, void *arg)
{
	return workspace_put_txn(txn, st, arg, MDB_NOOVERWRITE);
}

int
workspace_create(struct state *st, const char *name, enum plan plan,
    struct workspace *out)
{
	return workspace_create_id(st, NULL, name, plan, out);
}

int
workspace_create_id(struct state *st, const char *id, const char *name,
    enum plan plan, struct workspace *out)
{
	struct workspace ws;
	size_t n;
	int err;

	if (!text_name_valid(name, FZ_NAME_MAX) ||
	    plan < PLAN_FREE || plan > PLAN_AGENCY)
		return FZ_EINVAL;
	memset(&ws, 0, sizeof(ws));
	if (id != NULL) {
		n = strlen(id);
		if (n < 4 || n > 27 || strncmp(id, "ws_", 3) != 0 ||
		    strspn(id + 3, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz") != n - 3)
			return FZ_EINVAL;
		strcpy(ws.id, id);
	} else if ((err = secure_id("ws", ws.id)) != 0)
		return err;
	strcpy(ws.name, name);
	ws.plan = plan;
	ws.created_ms = clock_now_ms();
	if ((err = state_write(st, workspace_put_fn, &ws)) != 0)
		return err;
	*out = ws;
	return 0;
}

int
workspace_get_txn(MDB_txn *txn, struct state *st, const char *id,
    struct workspace *out)
{
	MDB_val k, v;
	int err;

	k.mv_data = (void *)id;
	k.mv_size = strlen(id);
	if (k.mv_size == 0 || k.mv_size >= FZ_ID_SIZE)
		return FZ_ENOTFOUND;
	if ((err = state_mdb_err(mdb_get(txn, state_dbi(st, DB_WORKSPACES),
	    &k, &v))) != 0)
		return err;
	return workspace_decode(&v, out);
}

struct workspace_plan_arg {
	const char	*id;
	enum plan	 plan;
	enum plan	 was;
	int64_t		 now_ms;
};

static int
workspace_plan_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct workspace_plan_arg *a = arg;
	struct workspace ws;
	int err;

	if ((err = workspace_get_txn(txn, st, a->id, &ws)) != 0)
		return err;
	a->was = ws.plan;
	ws.plan = a->plan;
	if ((err = workspace_put_txn(txn, st, &ws, 0)) != 0)
		return err;
	/* Its webhooks and Zapier hooks pause or resume with the plan. */
	return hooks_reconcile_ws_txn(txn, st, ws.id, a->now_ms);
}

int
workspace_set_plan(struct state *st, const char *id, enum plan plan,
    enum plan *was)
{
	struct workspace_plan_arg a = { id, plan, 0, clock_now_ms() };
	int err;

	if (plan < PLAN_FREE || plan > PLAN_AGENCY)
		return FZ_EINVAL;
	if ((err = state_write(st, workspace_plan_fn, &a)) == 0 && was != NULL)
		*was = a.was;
	return err;
}

struct workspace_get_arg {
	const char		*id;
	struct workspace	*out;
};

static int
workspace_get_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct workspace_get_arg *a = arg;

	return workspace_get_txn(txn, st, a->id, a->out);
}

int
workspace_get(struct state *st, const char *id, struct workspace *out)
{
	struct workspace_get_arg a = { id, out };

	return state_read(st, workspace_get_fn, &a);
}

struct workspace_list_arg {
	workspace_each_cb	*cb;
	void			*arg;
};

static int
workspace_list_fn(MDB_txn *txn, struct state *st, void *arg)
{
	struct workspace_list_arg *a = arg;
	MDB_cursor *cur = NULL;
	MDB_val k, v;
	struct workspace ws;
	int rc, err;

	if ((rc = mdb_cursor_open(txn, state_dbi(st, DB_WORKSPACES),
	    &cur)) != 0)
		return state_mdb_err(rc);
	err = 0;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if ((err = workspace_decode(&v, &ws)) != 0 ||
		    (err = a->cb(&ws, a->arg)) != 0)
			break;
	}
	if (err == 0 && rc != MDB_NOTFOUND)
		err = state_mdb_err(rc);
	mdb_cursor_close(cur);
	return err;
}

int
workspace_list(struct state *st, workspace_each_cb *cb, void *arg)
{
	struct workspace_list_arg a = { cb, arg };

	return state_read(st, workspace_list_fn, &a);
}
