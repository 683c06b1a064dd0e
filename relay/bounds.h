/*
 * bounds.h: how the edge bounds requests: the HTTP engine's limits as
 * the configuration sets them, and the envelope answers to requests that
 * broke one (relay/http/http.h hands those over as a status).
 */
#ifndef FZ_BOUNDS_H
#define FZ_BOUNDS_H

#include <stdint.h>

struct cfg;
struct http_limits;
struct rq;

/* The body limit of ROUTE_SMALL_BODY routes (the portal's posts). */
#define BOUNDS_SMALL_BODY	8192
/* The body limit of routes that read none: room for a client's "{}". */
#define BOUNDS_NO_BODY		1024
/* Requests no key vouches for may hold this share of the bodies'
 * memory (1/4), keyed writes the rest. */
#define BOUNDS_ANON_SHARE	4

/*
 * Fills *lim from cfg. max_body_memory_bytes 0 is sized for the machine:
 * a sixteenth of its memory, from 16 to 256 MiB, never less than one body
 * of max_body_bytes; a quarter of it is all that requests without a key
 * may hold. lim borrows cfg's trusted_proxies: cfg must outlive it.
 */
void	bounds_limits(const struct cfg *cfg, struct http_limits *lim);

/* Answers rq, which the engine could not read (status: 400, 408, 413,
 * 414, 431, 501, 503 or 505), in the envelope; max_body is the
 * configured limit, to tell a small-body route's 413 apart. */
void	bounds_refused(struct rq *rq, int status, uint32_t max_body);

#endif
