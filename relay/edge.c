#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/event.h>
#include <openssl/crypto.h>

#include "common/cfg.h"
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

static void
edge_limits(const struct cfg *cfg, struct http_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_body = cfg->max_body_bytes;
	lim->max_head = 16 * 1024;
	lim->header_timeout_ms = cfg->header_timeout_ms;
	lim->request_timeout_ms = cfg->request_timeout_ms;
	lim->idle_timeout_ms = cfg->idle_timeout_ms;
	lim->write_timeout_ms = cfg->request_timeout_ms;
	lim->max_conns = cfg->max_connections;
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
		{ 505, API_HTTP_VERSION, "only HTTP/1.0 and HTTP/1.1 are "
		    "served" },
	};
	size_t i;

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

static void
edge_request_cb(struct http_req *http, void *arg)
{
	struct edge *e = arg;
	char allow[64];
	struct rq *rq;
	int err;

	if ((rq = reply_begin(e, http)) == NULL) {
		static const char oom[] = "{\"data\":null,\"meta\":null,"
		    "\"error\":{\"code\":\"INTERNAL_ERROR\",\"message\":"
		    "\"out of memory\"}}";

		http_reply(http, 500, "application/json", oom, sizeof(oom) - 1);
		return;
	}
	if ((err = http_req_error(http)) != 0) {
		edge_read_failed(rq, err);
		return;
	}
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
