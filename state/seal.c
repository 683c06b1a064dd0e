#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/fz.h"
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

int
seal_open(const unsigned char *key, const char *aad, const char *sealed,
    char **plain, size_t *len)
{
	EVP_CIPHER_CTX *ctx = NULL;
	unsigned char *raw = NULL;
	char *out = NULL;
	size_t blen, rawlen = 0, clen = 0;
	int n = 0, fin = 0, err = FZ_ECRYPTO;

	*plain = NULL;
	*len = 0;
	if (strncmp(sealed, "v1:", 3) != 0)
		return FZ_ECRYPTO;
	sealed += 3;
	blen = strlen(sealed);
	if (blen == 0 || blen % 4 != 0 || blen > 4 * (65536 / 3 + 64))
		return FZ_ECRYPTO;
	if ((raw = malloc(blen / 4 * 3)) == NULL)
		return FZ_ENOMEM;
	if (EVP_DecodeBlock(raw, (const unsigned char *)sealed, (int)blen) < 0)
		goto out;
	/* EVP_DecodeBlock counts the padding as zero bytes. */
	rawlen = blen / 4 * 3 - (sealed[blen - 1] == '=') -
	    (sealed[blen - 2] == '=');
	if (rawlen < SEAL_NONCE + SEAL_TAG)
		goto out;
	clen = rawlen - SEAL_NONCE - SEAL_TAG;
	if ((out = malloc(clen + 1)) == NULL) {
		err = FZ_ENOMEM;
		goto out;
	}
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, raw) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &n, (const unsigned char *)aad,
	    (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)out, &n,
	    raw + SEAL_NONCE, (int)clen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, SEAL_TAG,
	    raw + SEAL_NONCE + clen) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)out + n, &fin) != 1)
		goto out;
	out[clen] = '\0';
	*plain = out;
	*len = clen;
	out = NULL;
	err = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	if (raw != NULL) {
		OPENSSL_cleanse(raw, blen / 4 * 3);
		free(raw);
	}
	if (out != NULL) {
		OPENSSL_cleanse(out, clen + 1);
		free(out);
	}
	return err;
}
