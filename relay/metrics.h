/*
 * metrics.h: counters and histograms for GET /metrics (Prometheus text
 * format 0.0.4): requests by route and status with a latency histogram,
 * webhook deliveries by outcome with an attempt-latency histogram, the
 * durable commits with a latency histogram, and gauges read when
 * scraped (journal size and last sequence, outbox depth,
 * LMDB map use, connections and deliveries in flight).
 *
 * The counters are process-wide: one daemon, one loop thread.
 */
#ifndef FZ_METRICS_H
#define FZ_METRICS_H

#include <stdint.h>

struct rq;

/* Counts an answered request that took us microseconds. pattern is the
 * route's (or "-"). */
void	metrics_request(const char *method, const char *pattern, int status,
	    int64_t us);

/* Counts a finished delivery attempt that took us microseconds: outcome
 * "delivered", "retry", "failed" (dead-lettered) or "gone" (410,
 * unsubscribed). */
void	metrics_delivery(const char *outcome, int64_t us);

/* Counts a batch's durable commit (state.h) that took us. */
void	metrics_sync(int64_t us);

/* Frees the counters (at exit, for leak checkers). */
void	metrics_free(void);

/* GET /metrics (no key: bind the listener to a trusted address, or put
 * the daemon behind a proxy that guards it). */
void	metrics_serve(struct rq *rq);

#endif
