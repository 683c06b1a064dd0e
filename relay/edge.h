/*
 * edge.h: the HTTP edge: the listener, the routes it is given, and the
 * pipeline every request goes through before its handler. On the head,
 * before any byte of the body is read (relay/http/http.h):
 *
 *   route (404/405); API key (401) with failed attempts limited per
 *   address (429); plan (403 PLAN_LIMIT); scope (403 FORBIDDEN); per-key
 *   rate limit (429 + X-RateLimit-*); the body limit of the route
 *   (ROUTE_SMALL_BODY: 8 KiB);
 *
 * then, with the body:
 *
 *   read failure -> envelope error (413 over the limit, 503 over
 *   max_body_memory_bytes, ...); media type (415) and JSON body (400);
 *   Idempotency-Key (relay/idemkey.h); then the route's handler.
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
struct auth;

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

/* Runs the housekeeping beat now (batched key last-used times, expiry,
 * retention), as before a stop. */
void	edge_flush(struct edge *e);

/* Frees e; NULL is fine. */
void	edge_free(struct edge *e);

/* Called by relay/reply.c as rq is answered with status and data (the
 * envelope's data, borrowed; NULL for errors and raw bodies): releases
 * rq's Idempotency-Key and records a successful answer under it
 * (relay/idemkey.h). */
struct rq;
struct json_t;
void	edge_finished(struct rq *rq, int status, const struct json_t *data);

/* Accessors for handlers; all borrowed. */
const struct cfg	*edge_cfg(const struct edge *e);
struct state		*edge_state(const struct edge *e);
struct store		*edge_store(const struct edge *e);
/* Open client connections. */
size_t			 edge_connections(const struct edge *e);
/* The key of journal cursors (32 bytes). */
const unsigned char	*edge_cursor_key(const struct edge *e);

/* The edge's authenticator (relay/auth.h), for limits handlers apply. */
struct auth		*edge_auth(const struct edge *e);

#endif
