/*
 * housekeep.h: the periodic work no request waits for, on a timer of
 * its own: batched key last-used times, expired Idempotency-Key
 * records, journal retention. Each beat is a few short writes.
 */
#ifndef FZ_RELAY_HOUSEKEEP_H
#define FZ_RELAY_HOUSEKEEP_H

struct auth;
struct cfg;
struct event_base;
struct housekeep;
struct state;

/* Returns a running timer on base, or NULL. st and auth are borrowed
 * and must outlive it; cfg too, until housekeep_reconfigure. Caller
 * frees with housekeep_free. Loop thread. */
struct housekeep	*housekeep_new(struct event_base *base,
			    struct state *st, struct auth *auth,
			    const struct cfg *cfg);

/* Swaps in a new configuration (borrowed). */
void	housekeep_reconfigure(struct housekeep *h, const struct cfg *cfg);

/* Runs one beat now (before a stop: last-used times reach the state). */
void	housekeep_run(struct housekeep *h);

/* Stops the timer and frees h; NULL is fine. */
void	housekeep_free(struct housekeep *h);

#endif
