/*
 * store.h: the one interface through which the edge reaches core records
 * (clients, projects, packs, sign-offs, templates), whichever backend
 * holds them: the embedded LMDB store in the state directory, or an
 * upstream Finalizo store over HTTP.
 *
 * Calls are asynchronous because the HTTP backend never blocks the loop:
 * store_submit() returns at once and the callback runs exactly once, on
 * the loop thread, with the outcome. The embedded backend answers before
 * store_submit returns. A request names the operation, the calling
 * workspace and request id (propagated upstream), and its inputs in the
 * shapes of the REST API, so the HTTP backend can forward them as they
 * are.
 */
#ifndef FZ_STORE_H
#define FZ_STORE_H

#include <jansson.h>

#include "state/state.h"

enum store_op {
	STORE_OP_PING,		/* is the backend able to serve? */
};

struct store_req {
	enum store_op	 op;
	const char	*workspace_id;	/* borrowed; NULL for PING */
	const char	*request_id;	/* borrowed */
	const char	*id;		/* the record addressed, or NULL */
	json_t		*body;		/* borrowed; writes only */
};

struct store_res {
	int		 err;		/* 0 or FZ_E* */
	json_t		*data;		/* owned by the callback; may be NULL */
	const char	*message;	/* static; why err, for the caller */
};

/* res and everything in it but data die when the callback returns. */
typedef void store_cb(struct store_res *res, void *arg);

struct store;

/* Returns an embedded store on st (borrowed; must outlive it), or NULL.
 * Caller frees with store_free. Loop thread only. */
struct store	*store_embedded_new(struct state *st);

/* Frees s; NULL is fine. Pending callbacks are not called. */
void	store_free(struct store *s);

/* Returns "embedded" or "http". */
const char	*store_kind(const struct store *s);

/* Starts req; cb(res, arg) runs exactly once, perhaps before this
 * returns. Returns 0, or FZ_ENOMEM when nothing was started (cb will not
 * run). */
int	store_submit(struct store *s, const struct store_req *req,
	    store_cb *cb, void *arg);

#endif
