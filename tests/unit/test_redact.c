/*
 * test_redact.c: relay/redact.h, share links taken out of JSON text as
 * fzrelay writes it, for keys that may not see them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "relay/redact.h"

static void
test_redact_text(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "[{\"id\":\"evt_1\",\"share_url\":\"http://h/p/abc\","
		    "\"x\":1}]", "[{\"id\":\"evt_1\",\"x\":1}]" },
		{ "[{\"id\":\"evt_1\",\"share_url\":\"http://h/p/a\"}]",
		    "[{\"id\":\"evt_1\"}]" },
		{ "[{\"a\":1,\"share_url\":\"q\\\\\\\"x\\\"y\"},{\"a\":2,"
		    "\"share_url\":null,\"b\":\",\\\"share_url\\\":\"}]",
		    "[{\"a\":1},{\"a\":2,\"b\":\",\\\"share_url\\\":\"}]" },
		{ "[{\"a\":1}]", "[{\"a\":1}]" },
		{ "", "" },
		/* Cut short: left as it is. */
		{ "[{\"a\":1,\"share_url\":\"http://h/p/ab", "[{\"a\":1,"
		    "\"share_url\":\"http://h/p/ab" },
		{ "{\"a\":1,\"share_url\":7}", "{\"a\":1,\"share_url\":7}" },
		/* One kept, those after it still removed. */
		{ "{\"a\":1,\"share_url\":7,\"b\":{\"c\":2,\"share_url\":"
		    "\"x\"},\"share_url\":null,\"d\":3}",
		    "{\"a\":1,\"share_url\":7,\"b\":{\"c\":2},\"d\":3}" },
	};
	char buf[256];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		n = redact_share_text(buf, strlen(buf));
		assert_int_equal(n, strlen(cases[i].out));
		if (memcmp(buf, cases[i].out, n) != 0 || buf[n] != '\0')
			fail_msg("%s: got %.*s, want %s", cases[i].in, (int)n,
			    buf, cases[i].out);
	}
}

static void
test_redact_json(void **state)
{
	json_t *in = json_pack("{s:s, s:s}", "projectId", "project_1",
	    "share_url", "http://h/p/abc"), *out;

	(void)state;
	out = redact_share_json(in);
	assert_non_null(out);
	assert_null(json_object_get(out, "share_url"));
	assert_non_null(json_object_get(out, "projectId"));
	assert_non_null(json_object_get(in, "share_url"));
	json_decref(out);
	json_decref(in);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact_text),
		cmocka_unit_test(test_redact_json),
	};

	return cmocka_run_group_tests_name("redact", tests, NULL, NULL);
}
