/*
 * sign.h: Standard Webhooks signatures.
 *
 * A secret is "whsec_" and the base64 of 24..64 random bytes; the HMAC
 * key is the decoded bytes. The signature of a message is
 *   v1,<base64 of HMAC-SHA256(key, "<id>.<timestamp>.<body>")>
 * and a header may carry several, space-separated (during a secret
 * rotation both secrets sign).
 */
#ifndef FZ_SIGN_H
#define FZ_SIGN_H

#include <stddef.h>
#include <stdint.h>

/* "v1," and 44 base64 characters, and NUL. */
#define SIGN_SIZE	48

/* Writes the signature of (id, ts, body) under secret into out
 * (SIGN_SIZE bytes). Returns 0, FZ_EINVAL (malformed secret) or
 * FZ_ECRYPTO. Any thread. */
int	sign_webhook(const char *secret, const char *id, int64_t ts,
	    const char *body, size_t len, char *out);

/* Returns 1 if one of the space-separated signatures in header is a v1
 * signature of (id, ts, body) under secret, compared in constant time,
 * else 0. Any thread. */
int	sign_verify(const char *secret, const char *id, int64_t ts,
	    const char *body, size_t len, const char *header);

/* Returns s as a whsec_ secret (caller frees): itself if it is one, else
 * "whsec_" and the base64 of its bytes, which become the key. NULL when
 * out of memory. Any thread. */
char	*sign_secret(const char *s);

#endif
