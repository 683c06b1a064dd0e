/*
 * store.h: the one interface through which the edge reaches core records
 * (clients, projects, packs, sign-offs, templates), whichever backend
 * holds them: the embedded LMDB store in the state directory, or an
 * upstream Finalizo store over HTTP.
 *
 * Calls are asynchronous because the HTTP backend never blocks the loop:
 * store_submit() returns at once and the callback runs exactly once, on
 * the loop thread, with the outcome. The embedded backend answers reads
 * before store_submit returns, and writes once they are durable
 * (state.h). A request names the operation, the calling
 * workspace and request id (propagated upstream), and its inputs in the
 * shapes of the REST API, so the HTTP backend can forward them as they
 * are.
 */
#ifndef FZ_STORE_H
#define FZ_STORE_H

#include <jansson.h>

#include "state/state.h"

/* Each operation mirrors one REST route; id is its ":id" and body its
 * validated JSON body (camelCase, emails normalized). */
enum store_op {
	STORE_OP_PING,			/* is the backend able to serve? */
	STORE_OP_CLIENT_LIST,		/* GET /clients */
	STORE_OP_CLIENT_GET,		/* GET /clients/:id */
	STORE_OP_CLIENT_CREATE,		/* POST /clients */
	STORE_OP_PROJECT_LIST,		/* GET /projects */
	STORE_OP_PROJECT_GET,		/* GET /projects/:id */
	STORE_OP_PROJECT_CREATE,	/* POST /projects */
	STORE_OP_PROJECT_UPDATE,	/* PATCH /projects/:id */
	STORE_OP_PACK_GET,		/* GET /projects/:id/pack */
	STORE_OP_PACK_PUT,		/* PUT /projects/:id/pack */
	STORE_OP_PACK_SEND,		/* POST /projects/:id/pack/send */
	STORE_OP_SIGNOFF_GET,		/* GET /projects/:id/signoff */
	STORE_OP_SIGNOFF_LIST,		/* GET /signoffs */
	STORE_OP_TEMPLATE_LIST,		/* GET /templates */
	STORE_OP_PORTAL_VIEW,		/* the portal's view (id = token) */
	STORE_OP_PORTAL_FETCH,		/* GET /p/:token: the view, and the
					   link's first fetch is kept */
	STORE_OP_PORTAL_VIEWED,		/* POST /p/:token/view */
	STORE_OP_PORTAL_SIGNOFF,	/* POST /p/:token/signoff */
	STORE_OP_PORTAL_REVEAL,		/* POST /p/:token/reveal */
	STORE_OP_PACK_REVEALS,		/* GET /projects/:id/pack/reveals */
};

/* Longest cursor a backend hands out, with its NUL. */
#define STORE_CURSOR_MAX	128

struct store_req {
	enum store_op	 op;
	const char	*workspace_id;	/* borrowed; NULL for PING, portal */
	const char	*request_id;	/* borrowed */
	const char	*id;		/* the record addressed, or NULL */
	json_t		*body;		/* borrowed; writes only */
	const char	*cursor;	/* lists: NULL for the first page */
	unsigned	 limit;		/* lists: 1..100 */
	/* Lists: the validated filters by their REST query names
	 * (clientEmail, clientId, status, q for projects; email, q for
	 * clients; emails normalized), all strings; NULL: none. */
	json_t		*filter;	/* borrowed */
	const char	*idempotency_key;	/* writes: forwarded, or NULL */
};

struct store_res {
	int		 err;		/* 0 or FZ_E* */
	json_t		*data;		/* owned by the callback; may be NULL */
	const char	*message;	/* static; why err, for the caller */
	const char	*field;		/* static; the input field at fault */
	int		 created;	/* a write made a new record */
	unsigned	 retry_after_s;	/* FZ_ELIMIT: when to try again */
	char		 next_cursor[STORE_CURSOR_MAX];	/* "" at the end */
	/* FZ_EUPSTREAM: the upstream's own answer, passed through. */
	int		 status;
	char		 code[40];
	char		 text[256];
	json_t		*details;	/* owned by the callback; may be NULL */
};

/* res and everything in it but data die when the callback returns. */
typedef void store_cb(struct store_res *res, void *arg);

struct store;

/*
 * Returns an embedded store on st (borrowed; must outlive it), or NULL.
 * secret (SECRET_SIZE bytes, copied) keys password sealing and cursors;
 * public_url (copied) is the base of share links. Caller frees with
 * store_free. Loop thread only.
 */
struct store	*store_embedded_new(struct state *st,
		    const unsigned char *secret, const char *public_url);

/* Sets the base URL of links the store hands out (share links); a
 * backend that hands out none ignores it. Returns 0 or FZ_ENOMEM. */
int	store_set_public_url(struct store *s, const char *url);

/* Returns 1 while the backend refuses calls to let a failing upstream
 * recover (the circuit breaker is open), else 0. */
int	store_breaker_open(const struct store *s);

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
