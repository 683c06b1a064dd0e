/*
 * secure.h: randomness, identifiers, tokens and digests.
 *
 * All randomness comes from OpenSSL RAND_bytes, drawn in blocks of 1 KiB
 * per thread; a process that forks must not draw in both parent and
 * child (fzrelay never forks). Record ids are a type
 * prefix, '_' and FZ_ID_RANDOM base62 characters; API tokens are
 * SECURE_TOKEN_PREFIX and SECURE_TOKEN_RANDOM base62 characters. Tokens
 * are never stored: only their SHA-256 is.
 */
#ifndef FZ_SECURE_H
#define FZ_SECURE_H

#include <stddef.h>

#define SECURE_TOKEN_PREFIX	"fz_live_"
#define SECURE_TOKEN_RANDOM	40
/* Prefix, random part and NUL. */
#define SECURE_TOKEN_SIZE	(sizeof(SECURE_TOKEN_PREFIX) + SECURE_TOKEN_RANDOM)
#define SECURE_SHA256_SIZE	32

/* Fills out[0..n-1] with uniformly random base62 characters and writes
 * a NUL at out[n]; out holds n + 1 bytes. Returns 0 or FZ_ECRYPTO.
 * Any thread. */
int	secure_base62(char *out, size_t n);

/* Writes "<prefix>_<random>" into out (FZ_ID_SIZE bytes). prefix is at
 * most 8 characters. Returns 0, FZ_EINVAL or FZ_ECRYPTO. Any thread. */
int	secure_id(const char *prefix, char *out);

/* Writes a new API token into out (SECURE_TOKEN_SIZE bytes). Returns 0 or
 * FZ_ECRYPTO. Any thread. */
int	secure_token(char *out);

/* Returns 1 if s has the shape of an API token (prefix and exactly
 * SECURE_TOKEN_RANDOM base62 characters), else 0. Any thread. */
int	secure_token_wellformed(const char *s, size_t len);

/* SHA-256 of data into md (SECURE_SHA256_SIZE bytes). Returns 0 or
 * FZ_ECRYPTO. Any thread. */
int	secure_sha256(const void *data, size_t len, unsigned char *md);

/* One piece of a message; the pieces are hashed in order, as if joined. */
struct secure_part {
	const void	*p;
	size_t		 len;
};

/* HMAC-SHA256 (RFC 2104) under key (klen bytes) of parts[0..n-1] into md
 * (SECURE_SHA256_SIZE bytes). Unlike OpenSSL's one-shot HMAC() it looks
 * nothing up per call. Returns 0 or FZ_ECRYPTO. Any thread. */
int	secure_hmac_sha256(const void *key, size_t klen,
	    const struct secure_part *parts, size_t n, unsigned char *md);

/* Returns 1 if a and b (n bytes each) are equal, else 0, in time that
 * does not depend on where they differ. Any thread. */
int	secure_equal(const void *a, const void *b, size_t n);

#endif
