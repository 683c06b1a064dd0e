#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/fz.h"
#include "common/secure.h"

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/*
 * Each RAND_bytes call takes a lock and a getpid(), which cost more than
 * the request id it was for: bytes are drawn in blocks and each is wiped
 * as it is handed out.
 */
static _Thread_local unsigned char pool[1024];
static _Thread_local size_t pool_used = sizeof(pool);

int
secure_base62(char *out, size_t n)
{
	size_t have = 0;
	unsigned char c;

	while (have < n) {
		if (pool_used == sizeof(pool)) {
			if (RAND_bytes(pool, sizeof(pool)) != 1)
				return FZ_ECRYPTO;
			pool_used = 0;
		}
		c = pool[pool_used];
		pool[pool_used++] = 0;
		/* 248 = 4 * 62: rejecting the top bytes keeps it unbiased. */
		if (c < 248)
			out[have++] = b62[c % 62];
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

#define SECURE_SHA256_BLOCK	64

/*
 * EVP_sha256() makes OpenSSL 3 fetch the implementation on every use, and
 * a fresh EVP_MD_CTX allocates its provider state: together they cost more
 * than hashing a token. The digest is fetched once, and each thread keeps
 * one context, initialised again for every hash. A thread's context is
 * freed when the thread ends; the loop thread's lives until exit.
 */
static EVP_MD		*sha256_md;
static pthread_key_t	 sha256_key;
static int		 sha256_key_ok;
static pthread_once_t	 sha256_once = PTHREAD_ONCE_INIT;

static void
sha256_ctx_free_cb(void *ctx)
{
	EVP_MD_CTX_free(ctx);
}

static void
sha256_setup(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
	sha256_key_ok = pthread_key_create(&sha256_key,
	    sha256_ctx_free_cb) == 0;
}

/* Returns this thread's context, or NULL. Borrowed: the thread's own. */
static EVP_MD_CTX *
sha256_ctx(void)
{
	EVP_MD_CTX *ctx;

	pthread_once(&sha256_once, sha256_setup);
	if (sha256_md == NULL || !sha256_key_ok)
		return NULL;
	if ((ctx = pthread_getspecific(sha256_key)) != NULL)
		return ctx;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		return NULL;
	if (pthread_setspecific(sha256_key, ctx) != 0) {
		EVP_MD_CTX_free(ctx);
		return NULL;
	}
	return ctx;
}

/* H(pre || parts...) into md; pre may be NULL. */
static int
sha256_parts(const unsigned char *pre, size_t plen,
    const struct secure_part *parts, size_t n, unsigned char *md)
{
	EVP_MD_CTX *ctx;
	unsigned int mdlen = 0;
	size_t i;
	int err = FZ_ECRYPTO;

	if ((ctx = sha256_ctx()) == NULL)
		return FZ_ECRYPTO;
	if (EVP_DigestInit_ex2(ctx, sha256_md, NULL) != 1)
		goto out;
	if (pre != NULL && EVP_DigestUpdate(ctx, pre, plen) != 1)
		goto out;
	for (i = 0; i < n; i++)
		if (parts[i].len > 0 &&
		    EVP_DigestUpdate(ctx, parts[i].p, parts[i].len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen != SECURE_SHA256_SIZE)
		goto out;
	err = 0;
out:
	/* The kept context must hold nothing of a key between hashes: after
	 * a hash it holds the digest (a derived key, say), after a failure
	 * part of the input. Starting afresh wipes the one; a reset frees
	 * and wipes the other. */
	if (err != 0 || EVP_DigestInit_ex2(ctx, sha256_md, NULL) != 1)
		EVP_MD_CTX_reset(ctx);
	return err;
}

int
secure_sha256(const void *data, size_t len, unsigned char *md)
{
	struct secure_part part = { data, len };

	return sha256_parts(NULL, 0, &part, 1, md);
}

int
secure_hmac_sha256(const void *key, size_t klen,
    const struct secure_part *parts, size_t n, unsigned char *md)
{
	unsigned char k0[SECURE_SHA256_BLOCK], pad[SECURE_SHA256_BLOCK];
	unsigned char inner[SECURE_SHA256_SIZE];
	struct secure_part part = { inner, sizeof(inner) };
	size_t i;
	int err;

	memset(k0, 0, sizeof(k0));
	if (klen > sizeof(k0)) {
		part.p = key;
		part.len = klen;
		if ((err = sha256_parts(NULL, 0, &part, 1, k0)) != 0)
			goto out;
		part.p = inner;
		part.len = sizeof(inner);
	} else if (klen > 0)
		memcpy(k0, key, klen);
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k0[i] ^ 0x36;
	if ((err = sha256_parts(pad, sizeof(pad), parts, n, inner)) != 0)
		goto out;
	for (i = 0; i < sizeof(pad); i++)
		pad[i] = k0[i] ^ 0x5c;
	err = sha256_parts(pad, sizeof(pad), &part, 1, md);
out:
	OPENSSL_cleanse(k0, sizeof(k0));
	OPENSSL_cleanse(pad, sizeof(pad));
	OPENSSL_cleanse(inner, sizeof(inner));
	return err;
}

int
secure_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}
