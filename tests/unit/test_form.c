/*
 * test_form.c: relay/form.h, the portal page's form bodies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/fz.h"
#include "relay/form.h"

static json_t *
parse(const char *body)
{
	json_t *out = NULL;

	assert_int_equal(form_parse(body, strlen(body), &out), 0);
	assert_non_null(out);
	return out;
}

static void
test_fields_decoded(void **state)
{
	json_t *f;

	(void)state;
	f = parse("name=Jane+Smith&email=jane%40Example.com&comment="
	    "Line+1%0D%0ALine+2+%E2%9C%93&empty=&bare");
	assert_string_equal(json_string_value(json_object_get(f, "name")),
	    "Jane Smith");
	assert_string_equal(json_string_value(json_object_get(f, "email")),
	    "jane@Example.com");
	assert_string_equal(json_string_value(json_object_get(f, "comment")),
	    "Line 1\r\nLine 2 \xe2\x9c\x93");
	assert_string_equal(json_string_value(json_object_get(f, "empty")), "");
	assert_string_equal(json_string_value(json_object_get(f, "bare")), "");
	json_decref(f);
	f = parse("");
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	f = parse("&&a=1&&");
	assert_int_equal(json_object_size(f), 1);
	json_decref(f);
}

static void
test_malformed_refused(void **state)
{
	static const char *const bad[] = {
		"name=%", "name=%4", "name=%zz", "name=a%00b", "na%00me=x",
		"name=%C3%28", "name=%FF", "name=a&name=b",
	};
	json_t *out = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (form_parse(bad[i], strlen(bad[i]), &out) != FZ_EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_null(out);
	}
	/* A NUL in the body itself ends nothing early. */
	assert_int_equal(form_parse("a=1\0b", 5, &out), FZ_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_decoded),
		cmocka_unit_test(test_malformed_refused),
	};

	return cmocka_run_group_tests_name("form", tests, NULL, NULL);
}
