#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "common/cfg.h"
#include "common/clock.h"
#include "common/fz.h"
#include "common/log.h"
#include "common/secure.h"
#include "relay/auth.h"
#include "relay/body.h"
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

/* The body limit of ROUTE_SMALL_BODY routes. */
#define EDGE_SMALL_BODY		8192
/* max_body_memory_bytes 0: this share of the machine's memory, within
 * these bounds. */
#define EDGE_BODY_MEMORY_SHARE	16
#define EDGE_BODY_MEMORY_MIN	((uint64_t)16 << 20)
#define EDGE_BODY_MEMORY_MAX	((uint64_t)256 << 20)

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

/* What all request bodies may hold together: max_body_memory_bytes, or
 * when it is 0 a sixteenth of the machine's memory, from 16 to 256 MiB
 * and never less than one body of max_body_bytes. */
static size_t
edge_body_memory(const struct cfg *cfg)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t v;

	if (cfg->max_body_memory_bytes != 0)
		return cfg->max_body_memory_bytes;
	v = EDGE_BODY_MEMORY_MIN;
	if (pages > 0 && psize > 0)
		v = (uint64_t)pages * (uint64_t)psize / EDGE_BODY_MEMORY_SHARE;
	if (v < EDGE_BODY_MEMORY_MIN)
		v = EDGE_BODY_MEMORY_MIN;
	if (v > EDGE_BODY_MEMORY_MAX)
		v = EDGE_BODY_MEMORY_MAX;
	if (v < cfg->max_body_bytes)
		v = cfg->max_body_bytes;
	return (size_t)v;
}

static void
edge_limits(const struct cfg *cfg, struct http_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_body = cfg->max_body_bytes;
	lim->max_body_memory = edge_body_memory(cfg);
	lim->max_head = 16 * 1024;
	lim->header_timeout_ms = cfg->header_timeout_ms;
	lim->request_timeout_ms = cfg->request_timeout_ms;
	lim->idle_timeout_ms = cfg->idle_timeout_ms;
	lim->write_timeout_ms = cfg->request_timeout_ms;
	lim->max_conns = cfg->max_connections;
	lim->max_conns_per_addr = cfg->max_connections_per_address;
	/* A trusted proxy carries many clients: X-Forwarded-For counts
	 * them (relay/peer.h), not the cap. */
	lim->uncapped = cfg->trusted_proxies;
	lim->nuncapped = cfg->trusted_proxies_count;
}

static void
edge_read_failed(struct rq *rq, int status)
{
	static const struct {
		int		 status;
		enum api_error	 err;
		const char	*msg;
	} map[] = {
		{ 400, API_VALIDATION_ERROR, "malformed HTTP request" },
		{ 408, API_REQUEST_TIMEOUT, "the request was not received "
		    "in time" },
		{ 413, API_PAYLOAD_TOO_LARGE, "request body exceeds "
		    "max_body_bytes" },
		{ 414, API_URI_TOO_LONG, "request line too long" },
		{ 431, API_HEADERS_TOO_LARGE, "request headers too large" },
		{ 501, API_NOT_IMPLEMENTED, "unsupported transfer encoding" },
		{ 503, API_SERVICE_UNAVAILABLE, "too many request bodies in "
		    "flight (max_body_memory_bytes); retry shortly" },
		{ 505, API_HTTP_VERSION, "only HTTP/1.0 and HTTP/1.1 are "
		    "served" },
	};
	uint32_t max = rq->edge->cfg->max_body_bytes;
	char msg[80];
	size_t i;

	if (status == 413 && rq->route != NULL &&
	    (rq->route->flags & ROUTE_SMALL_BODY) && max > EDGE_SMALL_BODY) {
		snprintf(msg, sizeof(msg), "request body exceeds this "
		    "endpoint's limit of %d bytes", EDGE_SMALL_BODY);
		reply_error(rq, API_PAYLOAD_TOO_LARGE, msg, NULL);
		return;
	}
	if (status == 503)
		reply_header(rq, "Retry-After", "1");
	for (i = 0; i < FZ_NELEM(map); i++)
		if (map[i].status == status) {
			reply_error(rq, map[i].err, map[i].msg, NULL);
			return;
		}
	reply_error(rq, API_VALIDATION_ERROR, "malformed HTTP request", NULL);
}

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
		http_req_set_max_body(http, EDGE_SMALL_BODY);
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
		edge_read_failed(rq, err);
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
	edge_limits(cfg, &lim);
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
	edge_limits(cfg, &lim);
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
