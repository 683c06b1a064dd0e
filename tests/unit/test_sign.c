/*
 * test_sign.c: common/sign.h against the Standard Webhooks known answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "common/fz.h"
#include "common/secure.h"
#include "common/sign.h"

static const char secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
static const char id[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
static const char body[] = "{\"test\": 2432232314}";
static const char want[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

static void
test_known_answer(void **state)
{
	char sig[SIGN_SIZE];

	(void)state;
	assert_int_equal(sign_webhook(secret, id, 1614265330, body,
	    strlen(body), sig), 0);
	assert_string_equal(sig, want);
}

static void
test_verify(void **state)
{
	(void)state;
	assert_true(sign_verify(secret, id, 1614265330, body, strlen(body),
	    want));
	/* Several signatures, one of them right (rotation). */
	assert_true(sign_verify(secret, id, 1614265330, body, strlen(body),
	    "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= "
	    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
	assert_false(sign_verify(secret, id, 1614265331, body, strlen(body),
	    want));
	assert_false(sign_verify(secret, "msg_other", 1614265330, body,
	    strlen(body), want));
	assert_false(sign_verify(secret, id, 1614265330, "{}", 2, want));
	assert_false(sign_verify(secret, id, 1614265330, body, strlen(body),
	    ""));
}

/* The timestamp is signed as its decimal text, sign and all. */
static void
test_timestamp_text(void **state)
{
	static const int64_t ts[] = { 0, 7, -5, 1614265330, INT64_MAX,
	    INT64_MIN };
	unsigned char key[64], md[SECURE_SHA256_SIZE];
	char sig[SIGN_SIZE], stamp[32], want64[64];
	struct secure_part parts[3];
	size_t i;
	int klen;

	(void)state;
	klen = EVP_DecodeBlock(key, (const unsigned char *)secret + 6,
	    (int)strlen(secret + 6));
	assert_true(klen > 0);
	for (i = 0; i < sizeof(ts) / sizeof(ts[0]); i++) {
		snprintf(stamp, sizeof(stamp), ".%lld.", (long long)ts[i]);
		parts[0].p = id;
		parts[0].len = strlen(id);
		parts[1].p = stamp;
		parts[1].len = strlen(stamp);
		parts[2].p = body;
		parts[2].len = strlen(body);
		assert_int_equal(secure_hmac_sha256(key, (size_t)klen, parts, 3,
		    md), 0);
		EVP_EncodeBlock((unsigned char *)want64, md, (int)sizeof(md));
		assert_int_equal(sign_webhook(secret, id, ts[i], body,
		    strlen(body), sig), 0);
		assert_string_equal(sig + 3, want64);
	}
}

static void
test_bad_secret(void **state)
{
	char sig[SIGN_SIZE];

	(void)state;
	assert_int_equal(sign_webhook("whsec_", id, 1, body, 1, sig),
	    FZ_EINVAL);
	assert_int_equal(sign_webhook("whsec_abc", id, 1, body, 1, sig),
	    FZ_EINVAL);
	assert_int_equal(sign_webhook("whsec_!!!!", id, 1, body, 1, sig),
	    FZ_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_answer),
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_timestamp_text),
		cmocka_unit_test(test_bad_secret),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
