/*
 * cursor.h: opaque, tamper-evident list cursors.
 *
 * A cursor carries a position (a uint64: a sequence number or record
 * ordinal) bound to a scope string (e.g. the workspace id and the list it
 * pages) by an HMAC-SHA256 tag under the daemon's secret. Clients see
 * base64url text; a cursor edited, truncated, forged or taken from another
 * scope does not decode.
 */
#ifndef FZ_CURSOR_H
#define FZ_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define CURSOR_KEY_SIZE	32
/* base64url of 8 position bytes and a 16-byte tag, and NUL. */
#define CURSOR_SIZE	33

/* Writes the cursor for pos in scope into out (CURSOR_SIZE bytes).
 * Returns 0 or FZ_ECRYPTO. Any thread. */
int	cursor_encode(const unsigned char *key, const char *scope,
	    uint64_t pos, char *out);

/* Decodes s for scope. Returns 0 and sets *pos, or FZ_EINVAL for anything
 * that is not a cursor this key issued for this scope. Any thread. */
int	cursor_decode(const unsigned char *key, const char *scope,
	    const char *s, uint64_t *pos);

#endif
