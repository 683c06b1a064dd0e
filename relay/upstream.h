/*
 * upstream.h: the store interface's HTTP backend (store = http): core
 * records live in an upstream Finalizo store that speaks the same /api/v1
 * shapes, reached through the shared fetcher on the daemon's loop.
 *
 * Each store operation becomes the matching request to upstream_url with
 * Authorization: Bearer upstream_token, X-Request-ID propagated,
 * X-Finalizo-Workspace naming the calling workspace, and Idempotency-Key
 * forwarded. The upstream's envelope errors pass through with their
 * status and code; a timeout, a refused connection, a 5xx or a body that
 * is not an envelope become UPSTREAM_TIMEOUT, UPSTREAM_UNAVAILABLE or
 * UPSTREAM_ERROR. GETs are retried once on a connection failure; writes
 * never are. After UPSTREAM_BREAKER_FAILURES consecutive failures a
 * circuit breaker answers UPSTREAM_UNAVAILABLE at once for
 * UPSTREAM_BREAKER_COOL_MS, then lets one probe through.
 *
 * A pack sent through the relay is journaled (pack.sent) here, once the
 * upstream said 2xx, from the upstream's view of the project and client.
 * The portal is the upstream's: its operations are not offered.
 */
#ifndef FZ_UPSTREAM_H
#define FZ_UPSTREAM_H

struct cfg;
struct fetch;
struct state;
struct store;

#define UPSTREAM_BREAKER_FAILURES	5
#define UPSTREAM_BREAKER_COOL_MS	2000

/* Returns an http store, or NULL. fetch and st are borrowed; cfg is read
 * now (upstream_url, upstream_token, upstream_timeout_ms) and on
 * upstream_reconfigure. Caller frees with store_free. Loop thread. */
struct store	*upstream_new(struct fetch *fetch, struct state *st,
		    const struct cfg *cfg);

/* Applies new upstream settings to the store s made by upstream_new.
 * Returns 0 or FZ_ENOMEM. */
int	upstream_reconfigure(struct store *s, const struct cfg *cfg);

#endif
