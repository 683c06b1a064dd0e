/*
 * deliver.h: the webhook delivery worker.
 *
 * It takes due deliveries from the outbox (state/outbox.h), posts each
 * event to its subscriber through the shared fetcher, signed per
 * Standard Webhooks, and records the outcome: 2xx delivered; a Zapier
 * hook answering 410 Gone is unsubscribed; anything else (non-2xx,
 * timeout, refused connection) is retried on retry_schedule with +-10%
 * jitter, honouring a receiver's Retry-After (at most an hour), and
 * dead-lettered after the last delay. 429, 502, 503 and 504 also halve
 * the endpoint's in-flight cap until it answers well again. A
 * subscription failing for five days straight is disabled. Unless
 * allow_private_targets is set, an address that is not public
 * (relay/target.h) is refused at connect time, and the delivery fails at
 * once, for good, with "target not allowed"; so does a name that does
 * not resolve, lest the record tell the two apart.
 * Nothing is sent to a hook that may not be delivered to now: a Zapier
 * hook whose key is revoked or gone, or a hook whose workspace's plan
 * lacks it (state/hooks.h); its record is brought in line and its queued
 * deliveries fail with the reason.
 */
#ifndef FZ_DELIVER_H
#define FZ_DELIVER_H

#include <stdint.h>

struct cfg;
struct event_base;
struct fetch;
struct state;
struct deliver;

/* Returns a worker (scanning the outbox periodically), or NULL. All
 * arguments are borrowed and must outlive it. Loop thread only. */
struct deliver	*deliver_new(struct event_base *base, struct state *st,
		    struct fetch *fetch, const struct cfg *cfg);

/* Looks for due deliveries at the next loop pass (after new events). */
void	deliver_kick(struct deliver *d);

/* Swaps in a new configuration (borrowed). */
void	deliver_reconfigure(struct deliver *d, const struct cfg *cfg);

/* Stops taking new deliveries; those in flight still finish. */
void	deliver_stop(struct deliver *d);

/* Returns the number of deliveries in flight. */
unsigned	deliver_inflight(const struct deliver *d);

/* Frees d; NULL is fine. Deliveries in flight must have ended (free the
 * fetcher first, which ends them). */
void	deliver_free(struct deliver *d);

#endif
