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

/* Records the answer (data borrowed) to key in ws. Returns 0 or FZ_E*. */
int	idem_put(struct state *st, const char *ws, const char *key,
	    const unsigned char *fingerprint, int status, const json_t *data,
	    int64_t now_ms);

/*
 * Claims key in ws for the write now under way: the next foreground write
 * transaction (state_write) also records the key, with fingerprint and no
 * answer, so that a crash between that write and idem_put cannot let a
 * retry apply the write twice (idem_get then gives status 0). Returns 0
 * or FZ_E*; the strings are copied. idem_claim_end ends the claim and
 * returns 1 if a committed write recorded it (idem_put completes it), else
 * 0. One claim at a time; loop thread only.
 */
int	idem_claim(struct state *st, const char *ws, const char *key,
	    const unsigned char *fingerprint, int64_t now_ms);
int	idem_claim_end(struct state *st);

/* Deletes up to max records older than IDEM_TTL_MS. Returns the number
 * deleted, or an FZ_E* code. A background write (state.h). */
int	idem_prune(struct state *st, int64_t now_ms, size_t max);

#endif
