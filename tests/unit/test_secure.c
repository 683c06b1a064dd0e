/*
 * test_secure.c: common/secure.h, randomness, ids, tokens and digests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/fz.h"
#include "common/secure.h"

#define TOKEN_LEN	(SECURE_TOKEN_SIZE - 1)
#define PREFIX_LEN	(sizeof(SECURE_TOKEN_PREFIX) - 1)

static const char b62[] =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static int
all_base62(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(b62, s[i]) == NULL)
			return 0;
	return 1;
}

static void
test_token_shape(void **state)
{
	char tok[SECURE_TOKEN_SIZE + 1];

	(void)state;
	assert_int_equal(TOKEN_LEN, 48);
	memset(tok, 'Z', sizeof(tok));
	assert_int_equal(secure_token(tok), 0);
	assert_int_equal(strlen(tok), 48);
	assert_memory_equal(tok, "fz_live_", 8);
	assert_true(all_base62(tok + PREFIX_LEN, SECURE_TOKEN_RANDOM));
	assert_int_equal(tok[SECURE_TOKEN_SIZE], 'Z');	/* no overrun */
}

static void
test_tokens_differ(void **state)
{
	char a[SECURE_TOKEN_SIZE], b[SECURE_TOKEN_SIZE];

	(void)state;
	assert_int_equal(secure_token(a), 0);
	assert_int_equal(secure_token(b), 0);
	assert_string_not_equal(a, b);
	assert_memory_not_equal(a + PREFIX_LEN, b + PREFIX_LEN,
	    SECURE_TOKEN_RANDOM);
}

static void
test_wellformed_accepts(void **state)
{
	char tok[SECURE_TOKEN_SIZE];
	int i;

	(void)state;
	for (i = 0; i < 50; i++) {
		assert_int_equal(secure_token(tok), 0);
		assert_true(secure_token_wellformed(tok, strlen(tok)));
	}
	assert_true(secure_token_wellformed(
	    "fz_live_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcd", TOKEN_LEN));
}

static void
test_wellformed_rejects(void **state)
{
	char tok[SECURE_TOKEN_SIZE], bad[SECURE_TOKEN_SIZE + 1];

	(void)state;
	assert_int_equal(secure_token(tok), 0);

	/* Wrong prefix. */
	memcpy(bad, tok, sizeof(tok));
	memcpy(bad, "fz_test_", PREFIX_LEN);
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
	memcpy(bad, tok, sizeof(tok));
	bad[0] = 'F';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));

	/* Wrong length. */
	assert_false(secure_token_wellformed(tok, TOKEN_LEN - 1));
	memcpy(bad, tok, sizeof(tok));
	bad[TOKEN_LEN] = 'a';
	bad[TOKEN_LEN + 1] = '\0';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN + 1));
	assert_false(secure_token_wellformed("", 0));
	assert_false(secure_token_wellformed("fz_live_", PREFIX_LEN));

	/* Characters outside base62 in the random part. */
	memcpy(bad, tok, sizeof(tok));
	bad[20] = '-';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
	bad[20] = '_';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
	bad[20] = ' ';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
	bad[20] = (char)0xc3;
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
	memcpy(bad, tok, sizeof(tok));
	bad[TOKEN_LEN - 1] = '=';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));

	/* An embedded NUL, length passed explicitly. */
	memcpy(bad, tok, sizeof(tok));
	bad[30] = '\0';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
	memcpy(bad, tok, sizeof(tok));
	bad[TOKEN_LEN - 1] = '\0';
	assert_false(secure_token_wellformed(bad, TOKEN_LEN));
}

static void
test_id_format(void **state)
{
	char id[FZ_ID_SIZE];

	(void)state;
	assert_int_equal(secure_id("ws", id), 0);
	assert_int_equal(strlen(id), 3 + FZ_ID_RANDOM);
	assert_memory_equal(id, "ws_", 3);
	assert_true(all_base62(id + 3, FZ_ID_RANDOM));

	assert_int_equal(secure_id("abcdefgh", id), 0);
	assert_int_equal(strlen(id), 9 + FZ_ID_RANDOM);
	assert_memory_equal(id, "abcdefgh_", 9);
	assert_true(all_base62(id + 9, FZ_ID_RANDOM));
}

static void
test_ids_differ(void **state)
{
	char a[FZ_ID_SIZE], b[FZ_ID_SIZE];

	(void)state;
	assert_int_equal(secure_id("key", a), 0);
	assert_int_equal(secure_id("key", b), 0);
	assert_string_not_equal(a, b);
}

static void
test_id_prefix_too_long(void **state)
{
	char id[FZ_ID_SIZE];

	(void)state;
	assert_int_equal(secure_id("abcdefghi", id), FZ_EINVAL);
	assert_int_equal(secure_id("averyveryverylongprefix", id), FZ_EINVAL);
}

static void
test_sha256_known(void **state)
{
	static const unsigned char abc[SECURE_SHA256_SIZE] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
		0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
		0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
		0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	static const unsigned char empty[SECURE_SHA256_SIZE] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
		0x9a, 0xfb, 0xf4, 0xc8, 0x99, 0x6f, 0xb9, 0x24,
		0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x4c,
		0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	unsigned char md[SECURE_SHA256_SIZE];

	(void)state;
	assert_int_equal(secure_sha256("abc", 3, md), 0);
	assert_memory_equal(md, abc, sizeof(abc));
	assert_int_equal(secure_sha256("", 0, md), 0);
	assert_memory_equal(md, empty, sizeof(empty));
	/* Length is honoured, not the NUL. */
	assert_int_equal(secure_sha256("abcd", 3, md), 0);
	assert_memory_equal(md, abc, sizeof(abc));
}

static void
assert_hmac(const void *key, size_t klen, const struct secure_part *parts,
    size_t n, const char *hex)
{
	unsigned char md[SECURE_SHA256_SIZE];
	char got[2 * SECURE_SHA256_SIZE + 1];
	size_t i;

	assert_int_equal(secure_hmac_sha256(key, klen, parts, n, md), 0);
	for (i = 0; i < sizeof(md); i++)
		snprintf(got + 2 * i, 3, "%02x", md[i]);
	assert_string_equal(got, hex);
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block). */
static void
test_hmac_rfc4231(void **state)
{
	unsigned char k1[20], k6[131];
	struct secure_part p1 = { "Hi There", 8 };
	struct secure_part p2 = { "what do ya want for nothing?", 28 };
	struct secure_part split[3] = { { "what do ", 8 }, { "", 0 },
	    { "ya want for nothing?", 20 } };
	struct secure_part p6 = { "Test Using Larger Than Block-Size Key - "
	    "Hash Key First", 54 };

	(void)state;
	memset(k1, 0x0b, sizeof(k1));
	memset(k6, 0xaa, sizeof(k6));
	assert_hmac(k1, sizeof(k1), &p1, 1, "b0344c61d8db38535ca8afceaf0bf12b"
	    "881dc200c9833da726e9376c2e32cff7");
	assert_hmac("Jefe", 4, &p2, 1, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	/* Pieces hash as if joined. */
	assert_hmac("Jefe", 4, split, 3, "5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843");
	assert_hmac(k6, sizeof(k6), &p6, 1, "60e431591ee0b67f0d8a26aacbf5b77f"
	    "8e0bc6213728c5140546040f0ee37f54");
}

static void
test_equal(void **state)
{
	unsigned char a[32], b[32];

	(void)state;
	memset(a, 0x5a, sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_int_equal(secure_equal(a, b, sizeof(a)), 1);
	b[0] ^= 1;
	assert_int_equal(secure_equal(a, b, sizeof(a)), 0);
	b[0] ^= 1;
	b[31] ^= 0x80;
	assert_int_equal(secure_equal(a, b, sizeof(a)), 0);
	/* Only n bytes are compared. */
	assert_int_equal(secure_equal(a, b, 31), 1);
	assert_int_equal(secure_equal(a, b, 0), 1);
}

static void
test_base62_distribution(void **state)
{
	enum { N = 10000 };
	static char buf[N + 2];
	size_t counts[256], i;

	(void)state;
	memset(buf, '#', sizeof(buf));
	assert_int_equal(secure_base62(buf, N), 0);
	assert_int_equal(buf[N], '\0');
	assert_int_equal(buf[N + 1], '#');
	assert_true(all_base62(buf, N));
	memset(counts, 0, sizeof(counts));
	for (i = 0; i < N; i++)
		counts[(unsigned char)buf[i]]++;
	for (i = 0; i < sizeof(b62) - 1; i++) {
		size_t c = counts[(unsigned char)b62[i]];

		/* Mean 161; a fair source stays far inside this band. */
		if (c < 80 || c > 260)
			fail_msg("'%c' appeared %zu times in %d", b62[i], c, N);
	}
}

static void
test_base62_zero(void **state)
{
	char buf[2] = { 'x', 'y' };

	(void)state;
	assert_int_equal(secure_base62(buf, 0), 0);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'y');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_shape),
		cmocka_unit_test(test_tokens_differ),
		cmocka_unit_test(test_wellformed_accepts),
		cmocka_unit_test(test_wellformed_rejects),
		cmocka_unit_test(test_id_format),
		cmocka_unit_test(test_ids_differ),
		cmocka_unit_test(test_id_prefix_too_long),
		cmocka_unit_test(test_sha256_known),
		cmocka_unit_test(test_hmac_rfc4231),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_base62_distribution),
		cmocka_unit_test(test_base62_zero),
	};

	return cmocka_run_group_tests_name("secure", tests, NULL, NULL);
}
