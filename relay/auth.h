/*
 * auth.h: API-key authentication and the per-route plan, scope and rate
 * checks, as declared in the route table.
 *
 * Wrong or revoked tokens are counted per client address (relay/peer.h);
 * beyond auth_fail_limit_per_minute they get 429, while a valid key is
 * never refused for what others at its address did. Each authenticated
 * request takes a
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

/* Returns the checker, or NULL. st and cfg are borrowed; cfg until
 * auth_reconfigure hands over the next. Loop thread only. */
struct auth	*auth_new(struct state *st, const struct cfg *cfg);

/* Applies new rate limits and the next configuration (borrowed). */
void	auth_reconfigure(struct auth *a, const struct cfg *cfg);

/* Checks rq against rq->route. Returns 0 with rq->key and rq->ws set, or
 * -1 after answering (and freeing) rq with the error. */
int	auth_check(struct auth *a, struct rq *rq);

/*
 * Counts an attempt to act through the share link token (a sign-off,
 * where a wrong email is a guess at the client's): at most
 * AUTH_LINK_PER_MINUTE per link, whoever sends them, so guesses cannot
 * be spread over addresses. Returns 1 if allowed; else 0, with the
 * seconds to wait in *retry_after_s, and the caller answers 429.
 */
#define AUTH_LINK_PER_MINUTE	5
int	auth_link_take(struct auth *a, const char *token,
	    unsigned *retry_after_s);

/* Writes pending last-used times; forgets idle rate-limit buckets. */
void	auth_flush(struct auth *a);

/* Flushes and frees a; NULL is fine. */
void	auth_free(struct auth *a);

#endif
