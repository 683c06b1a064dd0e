/*
 * idem.h: recorded answers to writes sent with an Idempotency-Key, per
 * workspace, kept IDEM_TTL_MS. Only successful answers are recorded: a
 * failed write changed nothing and may be retried with the same key.
 */
#ifndef FZ_STATE_IDEM_H
#define FZ_STATE_IDEM_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "common/secure.h"
#include "state/state.h"

struct state;

#define IDEM_TTL_MS	(24LL * 3600 * 1000)
#define IDEM_KEY_MAX	255

struct idem_entry {
	unsigned char	 fingerprint[SECURE_SHA256_SIZE];	/* of request */
	int		 status;	/* 0: claimed, never answered */
	json_t		*data;		/* owned: caller decrefs */
};

/* Finds a live record of key in ws at now_ms. Returns 0 and fills *e,
 * FZ_ENOTFOUND (none, or expired) or FZ_E*. */
int	idem_get(struct state *st, const char *ws, const char *key,
	    int64_t now_ms, struct idem_entry *e);

/* Records the answer (data referenced until done) to key in ws. done
 * gets 0 or FZ_E*. A write (state.h). */
void	idem_put(struct state *st, const char *ws, const char *key,
	    const unsigned char *fingerprint, int status, const json_t *data,
	    int64_t now_ms, state_done_cb *done, void *arg);

/*
 * Claims key in ws for the write now under way: the next write queued
 * (state_submit) also records the key, with fingerprint and no answer,
 * in its own transaction, so that a crash between that write and
 * idem_put cannot let a retry apply the write twice (idem_get then
 * gives status 0). *committed is set to 1, on the loop before that
 * write's callback, if it committed (idem_put then completes the
 * record). Returns 0 or FZ_EINVAL; the strings are copied.
 * idem_claim_end drops a claim no write took. One claim at a time; loop
 * thread only.
 */
int	idem_claim(struct state *st, const char *ws, const char *key,
	    const unsigned char *fingerprint, int64_t now_ms, int *committed);
void	idem_claim_end(struct state *st);

/* Deletes up to max records older than IDEM_TTL_MS. done gets 0 with n
 * the number deleted, or FZ_E*. A write (state.h). */
void	idem_prune(struct state *st, int64_t now_ms, size_t max,
	    state_done_cb *done, void *arg);

#endif
