/*
 * auth.h: API-key authentication and the per-route plan, scope and rate
 * checks, as declared in the route table.
 *
 * Failed attempts that present a credential are counted per client
 * address; an address over auth_fail_limit_per_minute is refused with 429
 * before its key is even looked up. Each authenticated request takes a
 * token from its key's bucket (rate_limit_per_minute) and every answer
 * to it carries X-RateLimit-Limit, -Remaining and -Reset (seconds until
 * the bucket is full again). Last-used times are kept in memory and
 * written in one transaction by auth_flush, so reads never write.
 */
#ifndef FZ_AUTH_H
#define FZ_AUTH_H

struct auth;
struct cfg;
struct rq;
struct state;

/* Returns the checker, or NULL. st is borrowed. Loop thread only. */
struct auth	*auth_new(struct state *st, const struct cfg *cfg);

/* Applies new rate limits (cfg borrowed for the call only). */
void	auth_reconfigure(struct auth *a, const struct cfg *cfg);

/* Checks rq against rq->route. Returns 0 with rq->key and rq->ws set, or
 * -1 after answering (and freeing) rq with the error. */
int	auth_check(struct auth *a, struct rq *rq);

/* Writes pending last-used times; forgets idle rate-limit buckets. */
void	auth_flush(struct auth *a);

/* Flushes and frees a; NULL is fine. */
void	auth_free(struct auth *a);

#endif
