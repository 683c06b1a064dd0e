/*
 * idemkey.h: the Idempotency-Key gate in front of every write.
 *
 * A write sent with Idempotency-Key is fingerprinted (method, path and
 * body as sent). A key still in flight is 409; a recorded answer with
 * the same fingerprint is replayed (Idempotent-Replayed: true), another
 * fingerprint is 409. Otherwise the key is claimed: the claim rides the
 * handler's write, in its transaction (state/idem.h), so a write that
 * committed is never applied twice, and the successful answer is
 * recorded under the key once it is given.
 */
#ifndef FZ_RELAY_IDEMKEY_H
#define FZ_RELAY_IDEMKEY_H

#include <jansson.h>

struct idemkey;
struct rq;
struct state;

/* Returns a gate on st (borrowed, outliving it), or NULL. Caller frees
 * with idemkey_free. Loop thread. */
struct idemkey	*idemkey_new(struct state *st);
void		 idemkey_free(struct idemkey *g);

/* Applies rq's Idempotency-Key, if any. Returns 1 to go on to the
 * handler (rq holds the key, and its claim rides the handler's first
 * write), 0 after answering (a replay, a conflict, a malformed key). */
int	idemkey_begin(struct idemkey *g, struct rq *rq);

/* After the handler returned: a claim no write took is dropped. */
void	idemkey_handled(struct idemkey *g);

/* As rq is answered with status and data (borrowed; NULL for errors):
 * lets go of rq's key and records a successful answer under it. */
void	idemkey_finished(struct idemkey *g, struct rq *rq, int status,
	    const json_t *data);

#endif
