/*
 * test_sign.c: common/sign.h against the Standard Webhooks known answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/fz.h"
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
		cmocka_unit_test(test_bad_secret),
	};

	return cmocka_run_group_tests_name("sign", tests, NULL, NULL);
}
