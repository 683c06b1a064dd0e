/*
 * test_accept.c: relay/accept.h, page or JSON at the portal's link.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "relay/accept.h"

static void
test_page_by_default(void **state)
{
	(void)state;
	assert_false(accept_wants_json(NULL));
	assert_false(accept_wants_json(""));
	assert_false(accept_wants_json("*/*"));
	assert_false(accept_wants_json("image/png"));
	/* Browsers. */
	assert_false(accept_wants_json("text/html,application/xhtml+xml,"
	    "application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"));
	assert_false(accept_wants_json("text/html, application/json"));
	assert_false(accept_wants_json("application/json;q=0.9, text/html"));
	assert_false(accept_wants_json("application/json;q=0, */*"));
	assert_false(accept_wants_json("text/*, application/json;q=0.5"));
}

static void
test_json_when_preferred(void **state)
{
	(void)state;
	assert_true(accept_wants_json("application/json"));
	assert_true(accept_wants_json("Application/JSON; charset=utf-8"));
	assert_true(accept_wants_json("application/json, text/plain, */*"));
	assert_true(accept_wants_json("text/html;q=0.5, application/json"));
	assert_true(accept_wants_json("application/*"));
	assert_true(accept_wants_json("  application/json ; q=1.0 "));
	assert_true(accept_wants_json("text/html;q=0, */*"));
}

static void
test_malformed_quality_ignored(void **state)
{
	(void)state;
	/* An element with a quality that is not one counts for nothing. */
	assert_false(accept_wants_json("application/json;q=2"));
	assert_false(accept_wants_json("application/json;q=abc"));
	assert_false(accept_wants_json("application/json;q=0.12345"));
	assert_true(accept_wants_json("text/html;q=x, application/json"));
	assert_false(accept_wants_json(",,,;;;=,"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page_by_default),
		cmocka_unit_test(test_json_when_preferred),
		cmocka_unit_test(test_malformed_quality_ignored),
	};

	return cmocka_run_group_tests_name("accept", tests, NULL, NULL);
}
