#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cfg.h"
#include "common/fz.h"
#include "relay/bounds.h"
#include "relay/http/http.h"
#include "relay/reply.h"
#include "relay/route.h"

/* max_body_memory_bytes 0: this share of the machine's memory, within
 * these bounds. */
#define BOUNDS_BODY_MEMORY_SHARE	16
#define BOUNDS_BODY_MEMORY_MIN	((uint64_t)16 << 20)
#define BOUNDS_BODY_MEMORY_MAX	((uint64_t)256 << 20)

/* What all request bodies may hold together: max_body_memory_bytes, or
 * when it is 0 a sixteenth of the machine's memory, from 16 to 256 MiB
 * and never less than one body of max_body_bytes. */
static size_t
bounds_body_memory(const struct cfg *cfg)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t v;

	if (cfg->max_body_memory_bytes != 0)
		return cfg->max_body_memory_bytes;
	v = BOUNDS_BODY_MEMORY_MIN;
	if (pages > 0 && psize > 0)
		v = (uint64_t)pages * (uint64_t)psize / BOUNDS_BODY_MEMORY_SHARE;
	if (v < BOUNDS_BODY_MEMORY_MIN)
		v = BOUNDS_BODY_MEMORY_MIN;
	if (v > BOUNDS_BODY_MEMORY_MAX)
		v = BOUNDS_BODY_MEMORY_MAX;
	if (v < cfg->max_body_bytes)
		v = cfg->max_body_bytes;
	return (size_t)v;
}

void
bounds_limits(const struct cfg *cfg, struct http_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_body = cfg->max_body_bytes;
	lim->max_body_memory = bounds_body_memory(cfg);
	/* Always room for one whole body, as ingest's may be. */
	lim->max_anon_body_memory = lim->max_body_memory / BOUNDS_ANON_SHARE;
	if (lim->max_anon_body_memory < lim->max_body)
		lim->max_anon_body_memory = lim->max_body;
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

void
bounds_refused(struct rq *rq, int status, uint32_t max)
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
	char msg[80];
	size_t i;

	if (status == 413 && rq->route != NULL && !(rq->route->flags &
	    (ROUTE_SMALL_BODY | ROUTE_JSON_BODY | ROUTE_OWN_BODY))) {
		snprintf(msg, sizeof(msg), "this endpoint reads no body (at "
		    "most %d bytes are let through)", BOUNDS_NO_BODY);
		reply_error(rq, API_PAYLOAD_TOO_LARGE, msg, NULL);
		return;
	}
	if (status == 413 && rq->route != NULL &&
	    (rq->route->flags & ROUTE_SMALL_BODY) && max > BOUNDS_SMALL_BODY) {
		snprintf(msg, sizeof(msg), "request body exceeds this "
		    "endpoint's limit of %d bytes", BOUNDS_SMALL_BODY);
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
