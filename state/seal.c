#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "state/seal.h"

#define SEAL_NONCE	12
#define SEAL_TAG	16

char *
seal_password(const unsigned char *key, const char *aad, const char *plain,
    size_t len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	char *out = NULL;
	size_t rawlen = SEAL_NONCE + len + SEAL_TAG;
	int n = 0, fin = 0, ok = 0;

	if (len > 65536 || (raw = malloc(rawlen)) == NULL ||
	    (out = malloc(3 + 4 * ((rawlen + 2) / 3) + 1)) == NULL)
		goto out;
	if (RAND_bytes(raw, SEAL_NONCE) != 1 ||
	    (ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(ctx, raw + SEAL_NONCE, &n,
	    (const unsigned char *)plain, (int)len) != 1 ||
	    EVP_EncryptFinal_ex(ctx, raw + SEAL_NONCE + n, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, SEAL_TAG,
	    raw + SEAL_NONCE + len) != 1)
		goto out;
	memcpy(out, "v1:", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, raw, (int)rawlen);
	ok = 1;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (raw != NULL) {
		OPENSSL_cleanse(raw, rawlen);
		free(raw);
	}
	if (!ok) {
		free(out);
		out = NULL;
	}
	return out;
}
