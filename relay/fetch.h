/*
 * fetch.h: outbound HTTP on the daemon's event loop: one libcurl multi
 * handle driven by libevent (curl tells which sockets to watch and when
 * to wake; the loop tells curl what happened), so no transfer ever blocks
 * the loop. Webhook delivery and the upstream store share it, and with it
 * curl's connection cache (keep-alive reuse).
 */
#ifndef FZ_FETCH_H
#define FZ_FETCH_H

#include <stddef.h>

#include <curl/curl.h>

struct event_base;
struct fetch;

/* Called once when a transfer ends: rc is curl's result. easy is still
 * the caller's, to query (CURLINFO_*) and clean up. */
typedef void fetch_done_cb(CURL *easy, CURLcode rc, void *arg);

/* Returns a fetcher on base, or NULL. Caller frees with fetch_free. Loop
 * thread only. */
struct fetch	*fetch_new(struct event_base *base);

/* Aborts transfers still running (their callbacks run with
 * CURLE_ABORTED_BY_CALLBACK) and frees f; NULL is fine. */
void	fetch_free(struct fetch *f);

/* Starts easy (configured by the caller, who keeps owning it); cb(arg)
 * runs when it ends, never before this returns. Returns 0 or FZ_ENOMEM. */
int	fetch_start(struct fetch *f, CURL *easy, fetch_done_cb *cb, void *arg);

/* Returns the number of transfers running. */
size_t	fetch_running(const struct fetch *f);

#endif
