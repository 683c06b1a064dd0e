#include <string.h>

#include "common/cursor.h"
#include "common/fz.h"
#include "common/secure.h"

#define CURSOR_TAG	16
#define CURSOR_RAW	(8 + CURSOR_TAG)

static const char b64url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int
cursor_tag(const unsigned char *key, const char *scope,
    const unsigned char *posb, unsigned char *tag)
{
	unsigned char md[SECURE_SHA256_SIZE];
	struct secure_part parts[2] = { { posb, 8 }, { scope, strlen(scope) } };
	int err;

	/* The position has a fixed length and comes first, and scopes are
	 * bounded, so no two inputs collide. */
	if (parts[1].len > 256)
		return FZ_EINVAL;
	if ((err = secure_hmac_sha256(key, CURSOR_KEY_SIZE, parts, 2, md)) !=
	    0)
		return err;
	memcpy(tag, md, CURSOR_TAG);
	return 0;
}

int
cursor_encode(const unsigned char *key, const char *scope, uint64_t pos,
    char *out)
{
	unsigned char raw[CURSOR_RAW];
	size_t i, o = 0;
	uint32_t v;
	int err, k;

	for (k = 0; k < 8; k++)
		raw[k] = (unsigned char)(pos >> (56 - 8 * k));
	if ((err = cursor_tag(key, scope, raw, raw + 8)) != 0)
		return err;
	/* 24 bytes encode to exactly 32 characters: no padding. */
	for (i = 0; i < CURSOR_RAW; i += 3) {
		v = (uint32_t)raw[i] << 16 | (uint32_t)raw[i + 1] << 8 |
		    raw[i + 2];
		out[o++] = b64url[(v >> 18) & 63];
		out[o++] = b64url[(v >> 12) & 63];
		out[o++] = b64url[(v >> 6) & 63];
		out[o++] = b64url[v & 63];
	}
	out[o] = '\0';
	return 0;
}

int
cursor_decode(const unsigned char *key, const char *scope, const char *s,
    uint64_t *pos)
{
	unsigned char raw[CURSOR_RAW], tag[CURSOR_TAG];
	const char *p;
	size_t i, o = 0;
	uint32_t v;
	int j, k;

	if (strlen(s) != CURSOR_SIZE - 1)
		return FZ_EINVAL;
	for (i = 0; i < CURSOR_SIZE - 1; i += 4) {
		v = 0;
		for (j = 0; j < 4; j++) {
			if (s[i + j] == '\0' ||
			    (p = strchr(b64url, s[i + j])) == NULL)
				return FZ_EINVAL;
			v = v << 6 | (uint32_t)(p - b64url);
		}
		raw[o++] = (unsigned char)(v >> 16);
		raw[o++] = (unsigned char)(v >> 8);
		raw[o++] = (unsigned char)v;
	}
	if (cursor_tag(key, scope, raw, tag) != 0 ||
	    !secure_equal(tag, raw + 8, CURSOR_TAG))
		return FZ_EINVAL;
	*pos = 0;
	for (k = 0; k < 8; k++)
		*pos = *pos << 8 | raw[k];
	return 0;
}
