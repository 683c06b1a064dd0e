/*
 * edge.h: the HTTP edge: the listener, the routes it is given, and the
 * pipeline every request goes through before its handler:
 *
 *   read failure -> envelope error; route (404/405); API key (401) with
 *   failed attempts limited per address (429); plan (403 PLAN_LIMIT);
 *   scope (403 FORBIDDEN); per-key rate limit (429 + X-RateLimit-*);
 *   media type (415) and JSON body (400); then the route's handler.
 *
 * Handlers reach shared state through the edge_* accessors.
 */
#ifndef FZ_EDGE_H
#define FZ_EDGE_H

#include <stdint.h>

struct event_base;
struct cfg;
struct state;
struct store;
struct route;
struct edge;

/* Returns an edge serving routes[0..nroutes-1] (the daemon's table,
 * cmd/routes.h), or NULL. cfg, st, store and routes are borrowed and
 * must outlive the edge (see edge_reconfigure for cfg); the journal's
 * cursor key is derived from secret (SECRET_SIZE bytes). Caller frees
 * with edge_free. Loop thread. */
struct edge	*edge_new(struct event_base *base, const struct cfg *cfg,
		    struct state *st, struct store *store,
		    const unsigned char *secret, const struct route *routes,
		    size_t nroutes);

/* Binds cfg->listen; writes the bound port. Returns 0 or FZ_ESYS. */
int	edge_listen(struct edge *e, uint16_t *port);

/* Swaps in a new configuration (borrowed) for limits and timeouts. */
void	edge_reconfigure(struct edge *e, const struct cfg *cfg);

/* Stops accepting and calls cb once in-flight requests are answered. */
void	edge_drain(struct edge *e, void (*cb)(void *), void *arg);

/* Calls cb(arg, seq) now and after each group-commit flush: events up
 * to seq are on disk, so their deliveries may go out. */
void	edge_on_sync(struct edge *e, void (*cb)(void *, uint64_t), void *arg);

/* Writes batched key last-used times to the state now. */
void	edge_flush(struct edge *e);

/* Frees e (flushing first); NULL is fine. */
void	edge_free(struct edge *e);

/* Called by relay/reply.c as rq is answered with status and data (the
 * envelope's data, borrowed; NULL for errors and raw bodies): releases
 * rq's Idempotency-Key and records a successful answer under it. */
struct rq;
struct json_t;
void	edge_finished(struct rq *rq, int status, const struct json_t *data);

/*
 * Called by relay/reply.c to send rq's answer (body copied). An answer
 * given while the state has unsynced writes waits, with every other such
 * answer of this loop pass, for one sync of the state (group commit):
 * nothing is acknowledged, or shown to anyone, before it is on disk.
 */
void	edge_respond(struct rq *rq, int status, const char *ctype,
	    const char *body, size_t len);

/* As edge_respond, but takes body (from malloc) instead of copying it. */
void	edge_respond_take(struct rq *rq, int status, const char *ctype,
	    char *body, size_t len);

/*
 * Write batching. A handler whose write can share one transaction with
 * other requests' queues a job instead of writing; the jobs queued with
 * the same fn during one loop pass (or, while the state is being synced,
 * until that sync ends) are handed to fn together, in the order they
 * came, before the group commit that follows. fn answers every
 * job's request and frees the jobs: a job is the first member of the
 * handler's own struct, and the edge only links it.
 */
struct edge_job;
typedef void edge_batch_fn(struct edge *e, struct edge_job *jobs);
struct edge_job {
	struct edge_job	*next;
	edge_batch_fn	*fn;
};
void	edge_batch(struct edge *e, struct edge_job *job, edge_batch_fn *fn);

/*
 * Bodies of ROUTE_OWN_BODY routes. edge_json_text returns rq's body when
 * it is declared as JSON and not empty (borrowed from rq, not
 * NUL-terminated; *len set), else NULL. edge_parse_body parses it into
 * rq->body as for any ROUTE_JSON_BODY route: returns 0, or -1 after
 * answering (malformed JSON, a body of another type).
 */
const char	*edge_json_text(struct rq *rq, size_t *len);
int		 edge_parse_body(struct rq *rq);

/* Accessors for handlers; all borrowed. */
const struct cfg	*edge_cfg(const struct edge *e);
struct state		*edge_state(const struct edge *e);
struct store		*edge_store(const struct edge *e);
/* Open client connections. */
size_t			 edge_connections(const struct edge *e);
/* The key of journal cursors (32 bytes). */
const unsigned char	*edge_cursor_key(const struct edge *e);

#endif
