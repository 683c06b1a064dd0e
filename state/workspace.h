/*
 * workspace.h: workspaces, the tenant boundary, and their plans.
 */
#ifndef FZ_STATE_WORKSPACE_H
#define FZ_STATE_WORKSPACE_H

#include <stdint.h>

#include "common/fz.h"
#include "state/state.h"

enum plan {
	PLAN_FREE = 1,
	PLAN_PRO = 2,
	PLAN_AGENCY = 3,
};

struct workspace {
	char		id[FZ_ID_SIZE];		/* "ws_..." */
	char		name[FZ_NAME_MAX + 1];
	enum plan	plan;
	int64_t		created_ms;
};

/* Returns "free", "pro" or "agency" (static). */
const char	*workspace_plan_name(enum plan plan);

/* Returns 0 and sets *out for "free", "pro" or "agency", else FZ_EINVAL. */
int	workspace_plan_parse(const char *s, enum plan *out);

/*
 * Creates a workspace with a new id. name must satisfy text_name_valid.
 * Returns 0 and fills *out, FZ_EINVAL, FZ_ECRYPTO or FZ_ESTORE. The write
 * is durable when this returns. Loop thread only.
 */
int	workspace_create(struct state *st, const char *name, enum plan plan,
	    struct workspace *out);

/* As workspace_create with the id given ("ws_" and 1..24 base62): the
 * workspace mirrors one kept elsewhere (an edge and its upstream store
 * name workspaces alike). Returns FZ_EEXIST if the id is taken. */
int	workspace_create_id(struct state *st, const char *id, const char *name,
	    enum plan plan, struct workspace *out);

/*
 * Moves workspace id to plan, and in the same write pauses its webhooks
 * and Zapier hooks the plan no longer has, or resumes those it has again
 * (state/hooks.h). Sets *was (may be NULL) to the plan it had. Returns 0,
 * FZ_EINVAL, FZ_ENOTFOUND, FZ_ECONFLICT (a writer thread runs: this is
 * for the admin commands) or FZ_ESTORE. Durable when it returns.
 */
int	workspace_set_plan(struct state *st, const char *id, enum plan plan,
	    enum plan *was);

/* Returns 0 and fills *out, FZ_ENOTFOUND or FZ_ESTORE. */
int	workspace_get(struct state *st, const char *id, struct workspace *out);

/* Called once per workspace in id order; a non-zero return stops the walk
 * and is returned by workspace_list. ws is borrowed for the call. */
typedef int workspace_each_cb(const struct workspace *ws, void *arg);

/* Returns 0, the callback's stop value or FZ_ESTORE. The callback runs
 * inside a read transaction: it must not write to the state. */
int	workspace_list(struct state *st, workspace_each_cb *cb, void *arg);

#endif
