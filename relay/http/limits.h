/*
 * limits.h: token-bucket rate limits keyed by a name (an API key id, a
 * client address).
 *
 * A bucket holds up to per_minute tokens and refills continuously at
 * per_minute per 60 s; a request takes one. Full buckets are forgotten by
 * limiter_sweep, so memory follows the number of recently active names.
 * If the table is at its entry cap even after a sweep, new names are let
 * through (and a warning logged): refusing them would let a flood of
 * addresses lock everyone out.
 */
#ifndef FZ_LIMITS_H
#define FZ_LIMITS_H

#include <stddef.h>
#include <stdint.h>

struct limiter;

struct limit_info {
	unsigned	limit;		/* bucket size: per_minute */
	unsigned	remaining;	/* whole tokens left after this call */
	unsigned	reset_s;	/* seconds until the bucket is full */
	unsigned	retry_after_s;	/* when refused: seconds to one token */
};

/* Returns a limiter, or NULL. Caller frees with limiter_free. Loop
 * thread only. */
struct limiter	*limiter_new(unsigned per_minute, size_t max_entries);

void	limiter_free(struct limiter *l);

/* Changes the rate; existing buckets keep their level, capped. */
void	limiter_set_rate(struct limiter *l, unsigned per_minute);

/* Takes a token for name at now_ms (monotonic). Returns 1 if granted,
 * 0 if refused; fills *info either way when info is not NULL. */
int	limiter_take(struct limiter *l, const char *name, int64_t now_ms,
	    struct limit_info *info);

/* Forgets every bucket that has refilled by now_ms. */
void	limiter_sweep(struct limiter *l, int64_t now_ms);

/* Returns the number of buckets held. */
size_t	limiter_count(const struct limiter *l);

#endif
