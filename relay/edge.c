#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "common/secure.h"
#include "relay/auth.h"
#include "relay/body.h"
#include "relay/bounds.h"
#include "relay/edge.h"
#include "relay/housekeep.h"
#include "relay/http/http.h"
#include "relay/http/router.h"
#include "relay/idemkey.h"
#include "relay/metrics.h"
#include "relay/reply.h"
#include "relay/route.h"
#include "state/secret.h"
#include "state/state.h"

struct edge {
	struct event_base	*base;
	const struct cfg	*cfg;
	struct state		*st;
	struct store		*store;
	struct router		*router;
	struct auth		*auth;
	struct http_server	*http;
	struct idemkey		*idem;
	struct housekeep	*housekeep;
	unsigned char		 cursor_key[SECRET_SIZE];
};

void
edge_finished(struct rq *rq, int status, const json_t *data)
{
	idemkey_finished(rq->edge->idem, rq, status, data);
}

/* Returns rq for http, or NULL after answering 500 (no memory). */
static struct rq *
edge_begin(struct edge *e, struct http_req *http)
{
	static const char oom[] = "{\"data\":null,\"meta\":null,"
	    "\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":"
	    "\"out of memory\"}}";
	struct rq *rq;

	if ((rq = reply_begin(e, http)) == NULL)
		http_reply(http, 500, "application/json", oom, sizeof(oom) - 1);
	return rq;
}

static void
edge_rq_free(void *rq)
{
	reply_discard(rq);
}

/*
 * The head is in, the body not yet read: the route, the key and what
 * the key may do are settled here, so a request refused is refused
 * before its body costs anything. One let through carries its rq to
 * edge_request_cb.
 */
static void
edge_head_cb(struct http_req *http, void *arg)
{
	struct edge *e = arg;
	char allow[64];
	struct rq *rq;
	int err;

	if ((rq = edge_begin(e, http)) == NULL)
		return;
	err = route_match(e->router, http_req_method(http), http_req_path(http),
	    &rq->route, &rq->params, allow, sizeof(allow));
	if (err == FZ_ENOTFOUND) {
		reply_error(rq, API_NOT_FOUND, "no such endpoint", NULL);
		return;
	}
	if (err == FZ_ECONFLICT) {
		reply_header(rq, "Allow", allow);
		reply_error(rq, API_METHOD_NOT_ALLOWED, "method not allowed on "
		    "this endpoint", NULL);
		return;
	}
	if (err != 0) {
		reply_error(rq, API_INTERNAL_ERROR, "out of memory", NULL);
		return;
	}
	if (rq->route->plan != 0 && auth_check(e->auth, rq) != 0)
		return;
	if (rq->route->flags & ROUTE_SMALL_BODY)
		http_req_set_max_body(http, BOUNDS_SMALL_BODY);
	else if (!(rq->route->flags & (ROUTE_JSON_BODY | ROUTE_OWN_BODY)))
		http_req_set_max_body(http, BOUNDS_NO_BODY);
	/* A body no key vouches for may not take keyed writes' room. */
	if (!rq->authed)
		http_req_set_anonymous(http);
	http_req_set_user(http, rq, edge_rq_free);
}

/* The whole request is in (or could not be read): the body, the
 * Idempotency-Key and the handler. */
static void
edge_request_cb(struct http_req *http, void *arg)
{
	struct edge *e = arg;
	struct rq *rq = http_req_user(http);
	int err;

	if (rq == NULL && (rq = edge_begin(e, http)) == NULL)
		return;
	/* Latency is the server's: the client's upload is not in it. */
	rq->start_us = clock_mono_us();
	if ((err = http_req_error(http)) != 0) {
		bounds_refused(rq, err, edge_cfg(e)->max_body_bytes);
		return;
	}
	if ((rq->route->flags & (ROUTE_JSON_BODY | ROUTE_OWN_BODY)) ==
	    ROUTE_JSON_BODY && body_parse(rq) != 0)
		return;
	if ((rq->route->flags & ROUTE_JSON_BODY) && rq->authed &&
	    !idemkey_begin(e->idem, rq))
		return;
	rq->route->handler(rq);
	idemkey_handled(e->idem);
}

static size_t
edge_refuse_cb(char *buf, size_t size, void *arg)
{
	(void)arg;
	return reply_refusal(buf, size);
}

struct edge *
edge_new(struct event_base *base, const struct cfg *cfg, struct state *st,
    struct store *store, const unsigned char *secret,
    const struct route *routes, size_t nroutes)
{
	struct http_limits lim;
	struct edge *e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	e->base = base;
	e->cfg = cfg;
	e->st = st;
	e->store = store;
	if (secret_derive(secret, "journal-cursor", e->cursor_key) != 0) {
		free(e);
		return NULL;
	}
	bounds_limits(cfg, &lim);
	if ((e->router = route_router_new(routes, nroutes)) == NULL ||
	    (e->auth = auth_new(st, cfg)) == NULL ||
	    (e->http = http_server_new(base, &lim, edge_request_cb, e)) ==
	    NULL ||
	    (e->idem = idemkey_new(st)) == NULL ||
	    (e->housekeep = housekeep_new(base, st, e->auth, cfg)) == NULL) {
		edge_free(e);
		return NULL;
	}
	http_server_on_refuse(e->http, edge_refuse_cb, NULL);
	http_server_on_head(e->http, edge_head_cb, e);
	log_info("request bodies in flight may hold %zu KiB together",
	    lim.max_body_memory / 1024);
	return e;
}

int
edge_listen(struct edge *e, uint16_t *port)
{
	char host[256];
	uint16_t want;

	if (cfg_listen_split(e->cfg->listen, host, sizeof(host), &want) != 0)
		return FZ_EINVAL;
	return http_server_listen(e->http, host, want, port);
}

void
edge_reconfigure(struct edge *e, const struct cfg *cfg)
{
	struct http_limits lim;

	e->cfg = cfg;
	bounds_limits(cfg, &lim);
	http_server_set_limits(e->http, &lim);
	auth_reconfigure(e->auth, cfg);
	housekeep_reconfigure(e->housekeep, cfg);
}

void
edge_drain(struct edge *e, void (*cb)(void *), void *arg)
{
	http_server_drain(e->http, cb, arg);
}

void
edge_flush(struct edge *e)
{
	housekeep_run(e->housekeep);
}

void
edge_free(struct edge *e)
{
	if (e == NULL)
		return;
	housekeep_free(e->housekeep);
	http_server_free(e->http);
	idemkey_free(e->idem);
	auth_free(e->auth);
	router_free(e->router);
	OPENSSL_cleanse(e->cursor_key, sizeof(e->cursor_key));
	free(e);
}

const struct cfg *
edge_cfg(const struct edge *e)
{
	return e->cfg;
}

struct state *
edge_state(const struct edge *e)
{
	return e->st;
}

struct store *
edge_store(const struct edge *e)
{
	return e->store;
}

size_t
edge_connections(const struct edge *e)
{
	return http_server_conns(e->http);
}

const unsigned char *
edge_cursor_key(const struct edge *e)
{
	return e->cursor_key;
}

struct auth *
edge_auth(const struct edge *e)
{
	return e->auth;
}
