#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/fz.h"
#include "common/secure.h"

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

int
secure_base62(char *out, size_t n)
{
	unsigned char buf[64];
	size_t have = 0, used = sizeof(buf);

	while (have < n) {
		if (used == sizeof(buf)) {
			if (RAND_bytes(buf, sizeof(buf)) != 1)
				return FZ_ECRYPTO;
			used = 0;
		}
		/* 248 = 4 * 62: rejecting the top bytes keeps it unbiased. */
		while (used < sizeof(buf) && have < n) {
			unsigned char c = buf[used++];

			if (c < 248)
				out[have++] = b62[c % 62];
		}
	}
	out[n] = '\0';
	return 0;
}

int
secure_id(const char *prefix, char *out)
{
	size_t plen = strlen(prefix);

	if (plen == 0 || plen > 8)
		return FZ_EINVAL;
	memcpy(out, prefix, plen);
	out[plen] = '_';
	return secure_base62(out + plen + 1, FZ_ID_RANDOM);
}

int
secure_token(char *out)
{
	size_t plen = sizeof(SECURE_TOKEN_PREFIX) - 1;

	memcpy(out, SECURE_TOKEN_PREFIX, plen);
	return secure_base62(out + plen, SECURE_TOKEN_RANDOM);
}

int
secure_token_wellformed(const char *s, size_t len)
{
	size_t plen = sizeof(SECURE_TOKEN_PREFIX) - 1, i;

	if (len != plen + SECURE_TOKEN_RANDOM ||
	    memcmp(s, SECURE_TOKEN_PREFIX, plen) != 0)
		return 0;
	for (i = plen; i < len; i++)
		if (strchr(b62, s[i]) == NULL || s[i] == '\0')
			return 0;
	return 1;
}

int
secure_sha256(const void *data, size_t len, unsigned char *md)
{
	unsigned int mdlen = 0;

	if (EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != SECURE_SHA256_SIZE)
		return FZ_ECRYPTO;
	return 0;
}

int
secure_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
