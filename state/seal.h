/*
 * seal.h: write-only encryption of credential passwords at rest.
 *
 * AES-256-GCM under a key derived from the daemon secret, a fresh
 * 96-bit nonce per seal, and the owning record's id as associated data
 * (a sealed value moved to another record does not open). The stored
 * form is "v1:" and base64 of nonce | ciphertext | 16-byte tag. The API
 * never opens a sealed value; only the client portal's reveal does
 * (state/reveals.h), for the person holding the share link.
 */
#ifndef FZ_STATE_SEAL_H
#define FZ_STATE_SEAL_H

#include <stddef.h>

/* Seals plain (len bytes) for record aad under key (32 bytes). Returns
 * a new NUL-terminated string (caller frees) or NULL. */
char	*seal_password(const unsigned char *key, const char *aad,
	    const char *plain, size_t len);

/* Opens sealed (seal_password's form) for record aad under key. Returns
 * 0 and sets *plain (NUL-terminated, caller cleanses and frees; it may
 * hold NULs: *len is its length), FZ_ECRYPTO (not sealed for aad under
 * key, or tampered with) or FZ_ENOMEM. */
int	seal_open(const unsigned char *key, const char *aad,
	    const char *sealed, char **plain, size_t *len);

#endif
