#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/fz.h"
#include "common/secure.h"
#include "common/sign.h"

/* Decodes the key of a "whsec_" secret. Returns its length, or -1. */
static int
sign_key(const char *secret, unsigned char *key, size_t size)
{
	const char *b64 = secret;
	size_t len;
	int n;

	if (strncmp(b64, "whsec_", 6) == 0)
		b64 += 6;
	len = strlen(b64);
	if (len == 0 || len % 4 != 0 || len / 4 * 3 > size)
		return -1;
	if ((n = EVP_DecodeBlock(key, (const unsigned char *)b64,
	    (int)len)) < 0)
		return -1;
	/* EVP_DecodeBlock counts padding as zero bytes. */
	if (b64[len - 1] == '=')
		n--;
	if (b64[len - 2] == '=')
		n--;
	return n > 0 ? n : -1;
}

/* Writes ".ts." to stamp (24 bytes). Returns its length. By hand: every
 * ingested report and every delivery signs. */
static size_t
sign_stamp(char *stamp, int64_t ts)
{
	char tmp[24];
	uint64_t v = ts < 0 ? (uint64_t)0 - (uint64_t)ts : (uint64_t)ts;
	size_t i = sizeof(tmp);

	tmp[--i] = '.';
	do
		tmp[--i] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	if (ts < 0)
		tmp[--i] = '-';
	tmp[--i] = '.';
	memcpy(stamp, tmp + i, sizeof(tmp) - i);
	return sizeof(tmp) - i;
}

int
sign_webhook(const char *secret, const char *id, int64_t ts,
    const char *body, size_t len, char *out)
{
	unsigned char key[96], md[SECURE_SHA256_SIZE];
	char stamp[24];
	struct secure_part parts[4];
	int klen, err;

	if ((klen = sign_key(secret, key, sizeof(key))) < 0)
		return FZ_EINVAL;
	/* The signed content is "id.timestamp.body". */
	parts[0].p = id;
	parts[0].len = strlen(id);
	parts[1].p = stamp;
	parts[1].len = sign_stamp(stamp, ts);
	parts[2].p = body;
	parts[2].len = len;
	if ((err = secure_hmac_sha256(key, (size_t)klen, parts, 3, md)) != 0)
		goto out;
	memcpy(out, "v1,", 3);
	EVP_EncodeBlock((unsigned char *)out + 3, md, (int)sizeof(md));
out:
	OPENSSL_cleanse(key, sizeof(key));
	return err;
}

int
sign_verify(const char *secret, const char *id, int64_t ts,
    const char *body, size_t len, const char *header)
{
	char want[SIGN_SIZE];
	const char *p = header, *e;
	size_t n;
	int ok = 0;

	if (sign_webhook(secret, id, ts, body, len, want) != 0)
		return 0;
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		e = p + strcspn(p, " ");
		n = (size_t)(e - p);
		if (n == strlen(want) && secure_equal(p, want, n))
			ok = 1;
		p = e;
	}
	return ok;
}

char *
sign_secret(const char *s)
{
	size_t n = strlen(s);
	char *w;

	if (strncmp(s, "whsec_", 6) == 0)
		return strdup(s);
	if ((w = malloc(6 + 4 * ((n + 2) / 3) + 1)) == NULL)
		return NULL;
	memcpy(w, "whsec_", 6);
	EVP_EncodeBlock((unsigned char *)w + 6, (const unsigned char *)s,
	    (int)n);
	return w;
}
