/*
 * test_jscan.c: common/jscan.h, the fast reader of plain JSON objects.
 * Every text it accepts is checked against jansson: same acceptance,
 * same compact bytes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/jscan.h"

/* Scans s, checks the result against jansson, and returns the number of
 * members (or -1 when s is not plain). */
static int
scan(const char *s, struct jscan_member *m, size_t max)
{
	size_t len = strlen(s), olen, n;
	char *out = malloc(len + 1), *dump;
	json_error_t jerr;
	json_t *j;
	int rc;

	assert_non_null(out);
	rc = jscan_object(s, len, out, &olen, m, max, &n);
	if (rc == 0) {
		j = json_loadb(s, len, JSON_REJECT_DUPLICATES, &jerr);
		if (j == NULL)
			fail_msg("jscan took what jansson refuses: %s (%s)", s,
			    jerr.text);
		dump = json_dumps(j, JSON_COMPACT);
		assert_non_null(dump);
		if (strcmp(dump, out) != 0)
			fail_msg("%s: jscan wrote %s, jansson %s", s, out,
			    dump);
		assert_int_equal(olen, strlen(dump));
		free(dump);
		json_decref(j);
	}
	free(out);
	return rc == 0 ? (int)n : -1;
}

static void
test_plain_accepted(void **state)
{
	static const char *const ok[] = {
		"{}",
		" \t\r\n{ } \n",
		"{\"a\":1}",
		"{ \"a\" : -12 , \"b\" : [ 1 , 2 , [ ] , { } ] }",
		"{\"n\":null,\"t\":true,\"f\":false,\"z\":0}",
		"{\"s\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"}",
		"{\"\":\"\"}",
		"{\"big\":999999999999999999,\"neg\":-999999999999999999}",
		"{\"o\":{\"a\":{\"b\":{\"c\":[\"d\"]}}}}",
		"{\"slash\":\"a/b\",\"del\":\"\x7f\"}",
		"{\"a\":{\"x\":1},\"b\":{\"x\":1}}",
	};
	struct jscan_member m[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (scan(ok[i], m, 8) < 0)
			fail_msg("not plain: %s", ok[i]);
}

/* Valid JSON outside the subset, and invalid JSON: both are left to
 * the full parser. */
static void
test_not_plain(void **state)
{
	static const char *const no[] = {
		"", " ", "[]", "\"s\"", "1", "null",
		"{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
		"{\"a\":1}x", "{\"a\":1}{}", "{\"a\" 1}", "{a:1}",
		"{\"a\":\"b\\\"c\"}", "{\"a\":\"\\u00e9\"}", "{\"a\\n\":1}",
		"{\"a\":\"tab\there\"}", "{\"a\":\"nl\n\"}",
		"{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":1E3}", "{\"a\":-0}",
		"{\"a\":01}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":.5}",
		"{\"a\":1000000000000000000}",
		"{\"a\":1,\"a\":2}", "{\"o\":{\"k\":1,\"k\":1}}",
		"{\"a\":tru}", "{\"a\":nul}", "{\"a\":True}",
		"{\"a\":[1,]}", "{\"a\":[,1]}", "{\"a\":[1 2]}",
		"{\"a\":\"\xc3\"}", "{\"a\":\"\xc0\xaf\"}",
		"{\"a\":\"\xed\xa0\x80\"}", "{\"a\":\"\xf4\x90\x80\x80\"}",
		"{\"a\":\"\xff\"}", "\xef\xbb\xbf{}",
		"{\"a\":\"unterminated}",
	};
	struct jscan_member m[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (scan(no[i], m, 8) >= 0)
			fail_msg("taken as plain: %s", no[i]);
}

/* A raw NUL byte inside a string is a control byte. */
static void
test_nul_byte(void **state)
{
	static const char s[] = "{\"a\":\"x\0y\"}";
	struct jscan_member m[2];
	char out[sizeof(s)];
	size_t olen, n;

	(void)state;
	assert_int_equal(jscan_object(s, sizeof(s) - 1, out, &olen, m, 2, &n),
	    -1);
}

static void
test_members(void **state)
{
	struct jscan_member m[4];
	const char *s = "{ \"id\" : \"e1\", \"n\": 42, \"data\": { \"k\": "
	    "[1, \"v\"] }, \"ok\": true }";

	(void)state;
	assert_int_equal(scan(s, m, 4), 4);
	/* Four members with room for three: refused, not cut short. */
	assert_int_equal(scan(s, m, 3), -1);
}

static void
test_member_spans(void **state)
{
	const char *s = "{ \"id\" : \"e1\", \"n\": 42, \"data\": { \"k\": "
	    "[1, \"v\"] } }";
	struct jscan_member m[4];
	char out[128];
	size_t olen, n;

	(void)state;
	assert_int_equal(jscan_object(s, strlen(s), out, &olen, m, 4, &n), 0);
	assert_int_equal(n, 3);
	assert_int_equal(m[0].type, JSCAN_STRING);
	assert_int_equal(m[0].klen, 2);
	assert_memory_equal(m[0].key, "id", 2);
	assert_int_equal(m[0].vlen, 2);
	assert_memory_equal(m[0].val, "e1", 2);
	assert_int_equal(m[1].type, JSCAN_NUMBER);
	assert_int_equal(m[1].vlen, 2);
	assert_memory_equal(m[1].val, "42", 2);
	assert_int_equal(m[2].type, JSCAN_OBJECT);
	assert_int_equal(m[2].vlen, strlen("{\"k\":[1,\"v\"]}"));
	assert_memory_equal(m[2].val, "{\"k\":[1,\"v\"]}", m[2].vlen);
	assert_string_equal(out, "{\"id\":\"e1\",\"n\":42,\"data\":"
	    "{\"k\":[1,\"v\"]}}");
	assert_int_equal(olen, strlen(out));
}

static void
test_in_place(void **state)
{
	char buf[] = " { \"a\" : [ 1 , { \"b\" : \"c d\" } ] , \"e\" : null } ";
	struct jscan_member m[2];
	size_t olen, n;

	(void)state;
	assert_int_equal(jscan_object(buf, strlen(buf), buf, &olen, m, 2, &n),
	    0);
	assert_string_equal(buf, "{\"a\":[1,{\"b\":\"c d\"}],\"e\":null}");
	assert_int_equal(n, 2);
	assert_memory_equal(m[0].val, "[1,{\"b\":\"c d\"}]", m[0].vlen);
	assert_int_equal(m[1].type, JSCAN_NULL);
}

/* {"a":[[...]]}: an object and d - 1 arrays, d levels in all. */
static void
nest(char *buf, int d)
{
	size_t n;
	int i;

	strcpy(buf, "{\"a\":");
	n = strlen(buf);
	for (i = 1; i < d; i++)
		buf[n++] = '[';
	for (i = 1; i < d; i++)
		buf[n++] = ']';
	buf[n++] = '}';
	buf[n] = '\0';
}

static void
test_limits(void **state)
{
	struct jscan_member m[1];
	char deep[256], wide[2048];
	size_t i, n = 0;

	(void)state;
	nest(deep, JSCAN_DEPTH);
	assert_int_equal(scan(deep, m, 1), 1);
	nest(deep, JSCAN_DEPTH + 1);
	assert_int_equal(scan(deep, m, 1), -1);
	/* JSCAN_KEYS keys in one object are plain; one more is not. */
	n = (size_t)snprintf(wide, sizeof(wide), "{\"o\":{");
	for (i = 0; i < JSCAN_KEYS; i++)
		n += (size_t)snprintf(wide + n, sizeof(wide) - n,
		    "%s\"k%zu\":%zu", i ? "," : "", i, i);
	snprintf(wide + n, sizeof(wide) - n, "}}");
	assert_int_equal(scan(wide, m, 1), 1);
	snprintf(wide + n, sizeof(wide) - n, ",\"k%d\":0}}", JSCAN_KEYS);
	assert_int_equal(scan(wide, m, 1), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_accepted),
		cmocka_unit_test(test_not_plain),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_members),
		cmocka_unit_test(test_member_spans),
		cmocka_unit_test(test_in_place),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests_name("jscan", tests, NULL, NULL);
}
