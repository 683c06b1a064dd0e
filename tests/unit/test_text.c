/*
 * test_text.c: common/text.h, UTF-8 and display-name checks.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/fz.h"
#include "common/text.h"

struct utf8_case {
	const char	*s;
	size_t		 len;
	const char	*what;
};

#define U(lit, what)	{ lit, sizeof(lit) - 1, what }

static void
test_utf8_accepts(void **state)
{
	static const struct utf8_case ok[] = {
		U("", "empty"),
		U("hello, world", "ASCII"),
		U("\x7f", "DEL is ASCII"),
		U("caf\xc3\xa9", "2-byte e-acute"),
		U("\xc2\x80", "lowest 2-byte"),
		U("\xdf\xbf", "highest 2-byte"),
		U("\xe2\x82\xac", "3-byte euro sign"),
		U("\xe0\xa0\x80", "lowest 3-byte"),
		U("\xed\x9f\xbf", "U+D7FF below surrogates"),
		U("\xee\x80\x80", "U+E000 above surrogates"),
		U("\xef\xbf\xbf", "U+FFFF"),
		U("\xf0\x9f\x98\x80", "4-byte emoji"),
		U("\xf0\x90\x80\x80", "lowest 4-byte"),
		U("\xf4\x8f\xbf\xbf", "U+10FFFF"),
		U("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z", "mixed"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < FZ_NELEM(ok); i++)
		if (!text_utf8_valid(ok[i].s, ok[i].len))
			fail_msg("rejected %s", ok[i].what);
}

static void
test_utf8_rejects(void **state)
{
	static const struct utf8_case bad[] = {
		U("\xc0\x80", "overlong NUL, 2 bytes"),
		U("\xc1\xbf", "overlong 2-byte"),
		U("\xe0\x80\x80", "overlong 3-byte"),
		U("\xe0\x9f\xbf", "overlong 3-byte, highest"),
		U("\xf0\x80\x80\x80", "overlong 4-byte"),
		U("\xf0\x8f\xbf\xbf", "overlong 4-byte, highest"),
		U("\xed\xa0\x80", "high surrogate U+D800"),
		U("\xed\xbf\xbf", "low surrogate U+DFFF"),
		U("\xf4\x90\x80\x80", "U+110000"),
		U("\xf5\x80\x80\x80", "lead byte F5"),
		U("\xff", "byte FF"),
		U("\xfe", "byte FE"),
		U("\xc3", "truncated 2-byte"),
		U("\xe2\x82", "truncated 3-byte"),
		U("\xf0\x9f\x98", "truncated 4-byte"),
		U("ab\xe2\x82", "truncated at end"),
		U("\x80", "stray continuation"),
		U("a\xbf" "b", "stray continuation inside"),
		U("\xc3\xa9\xa9", "extra continuation"),
		U("\xc3\x28", "lead byte then ASCII"),
		U("\xe2\x28\xac", "bad second byte"),
		U("\xe2\x82\x28", "bad third byte"),
		U("\xf0\x9f\x98\x28", "bad fourth byte"),
		U("a\0b", "NUL inside"),
		U("\0", "lone NUL"),
	};
	size_t i;

	(void)state;
	for (i = 0; i < FZ_NELEM(bad); i++)
		if (text_utf8_valid(bad[i].s, bad[i].len))
			fail_msg("accepted %s", bad[i].what);
}

static void
test_utf8_len_honoured(void **state)
{
	(void)state;
	/* A sequence cut by len is truncated even if the bytes follow. */
	assert_false(text_utf8_valid("caf\xc3\xa9", 4));
	assert_true(text_utf8_valid("caf\xc3\xa9", 3));
	/* Bytes past len are not looked at. */
	assert_true(text_utf8_valid("ab\xff", 2));
	assert_true(text_utf8_valid("\xff", 0));
}

static void
test_name_accepts(void **state)
{
	(void)state;
	assert_true(text_name_valid("Acme Agency", FZ_NAME_MAX));
	assert_true(text_name_valid("Caf\xc3\xa9", FZ_NAME_MAX));
	assert_true(text_name_valid("x", 1));
	assert_true(text_name_valid(" padded ", FZ_NAME_MAX));
	assert_true(text_name_valid("\xf0\x9f\x98\x80 team", FZ_NAME_MAX));
}

static void
test_name_rejects(void **state)
{
	(void)state;
	assert_false(text_name_valid("", FZ_NAME_MAX));
	assert_false(text_name_valid(" ", FZ_NAME_MAX));
	assert_false(text_name_valid("     ", FZ_NAME_MAX));
	assert_false(text_name_valid("a\tb", FZ_NAME_MAX));
	assert_false(text_name_valid("a\nb", FZ_NAME_MAX));
	assert_false(text_name_valid("line\r", FZ_NAME_MAX));
	assert_false(text_name_valid("\x1b[31mred", FZ_NAME_MAX));
	assert_false(text_name_valid("del\x7f", FZ_NAME_MAX));
	assert_false(text_name_valid("caf\xc3", FZ_NAME_MAX));
	assert_false(text_name_valid("\xc0\xaf", FZ_NAME_MAX));
	assert_false(text_name_valid("bad \xed\xa0\x80", FZ_NAME_MAX));
}

static void
test_name_max(void **state)
{
	char name[FZ_NAME_MAX + 2];

	(void)state;
	memset(name, 'n', FZ_NAME_MAX);
	name[FZ_NAME_MAX] = '\0';
	assert_true(text_name_valid(name, FZ_NAME_MAX));
	name[FZ_NAME_MAX] = 'n';
	name[FZ_NAME_MAX + 1] = '\0';
	assert_false(text_name_valid(name, FZ_NAME_MAX));

	assert_true(text_name_valid("abcd", 4));
	assert_false(text_name_valid("abcd", 3));
	/* max counts bytes: "Café" is 5. */
	assert_true(text_name_valid("Caf\xc3\xa9", 5));
	assert_false(text_name_valid("Caf\xc3\xa9", 4));
}

/* U+0080..U+009F are control characters (Unicode category Cc) too, e.g.
 * U+0085 NEXT LINE, which some renderers treat as a line break. */
static void
test_name_rejects_c1_controls(void **state)
{
	(void)state;
	assert_false(text_name_valid("a\xc2\x85" "b", FZ_NAME_MAX));
	assert_false(text_name_valid("\xc2\x9b" "31mred", FZ_NAME_MAX));
	assert_false(text_name_valid("x\xc2\x80", FZ_NAME_MAX));
}

/* Every digit count, both ends, and the NUL right after the digits. */
static void
test_u64(void **state)
{
	char buf[TEXT_U64_SIZE + 1];
	uint64_t v = 1;
	int digits;

	(void)state;
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(text_u64(buf, 0), 1);
	assert_string_equal(buf, "0");
	assert_int_equal(text_u64(buf, UINT64_MAX), TEXT_U64_SIZE - 1);
	assert_string_equal(buf, "18446744073709551615");
	for (digits = 1; digits <= 19; digits++, v *= 10) {
		char want[TEXT_U64_SIZE];

		snprintf(want, sizeof(want), "%llu", (unsigned long long)v);
		assert_int_equal(text_u64(buf, v), digits);
		assert_string_equal(buf, want);
		snprintf(want, sizeof(want), "%llu",
		    (unsigned long long)(v * 10 - 1));
		assert_int_equal(text_u64(buf, v * 10 - 1), digits);
		assert_string_equal(buf, want);
	}
}

static void
test_fold(void **state)
{
	static const struct {
		const char	*in, *out;
	} cases[] = {
		{ "Website REDESIGN 42", "website redesign 42" },
		/* Latin-1: É, Ö, Þ; × is no letter. */
		{ "CAF\xc3\x89 \xc3\x96 \xc3\x9e \xc3\x97",
		    "caf\xc3\xa9 \xc3\xb6 \xc3\xbe \xc3\x97" },
		/* Latin Extended-A: Ł, Ž, Ÿ; İ stays (its lower case is
		 * ASCII, of another length). */
		{ "\xc5\x81\xc5\xbd\xc5\xb8\xc4\xb0",
		    "\xc5\x82\xc5\xbe\xc3\xbf\xc4\xb0" },
		/* Greek and Cyrillic capitals, Ё among them. */
		{ "\xce\x91\xce\xa9 \xd0\x96\xd0\x81",
		    "\xce\xb1\xcf\x89 \xd0\xb6\xd1\x91" },
		/* Three- and four-byte characters pass as they are. */
		{ "\xe2\x82\xac\xf0\x9f\x98\x80" "A",
		    "\xe2\x82\xac\xf0\x9f\x98\x80" "a" },
	};
	char out[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(out, 'x', sizeof(out));
		text_fold(cases[i].in, strlen(cases[i].in), out);
		assert_string_equal(out, cases[i].out);
		assert_int_equal(strlen(out), strlen(cases[i].in));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_accepts),
		cmocka_unit_test(test_utf8_rejects),
		cmocka_unit_test(test_utf8_len_honoured),
		cmocka_unit_test(test_name_accepts),
		cmocka_unit_test(test_name_rejects),
		cmocka_unit_test(test_name_max),
		cmocka_unit_test(test_name_rejects_c1_controls),
		cmocka_unit_test(test_u64),
		cmocka_unit_test(test_fold),
	};

	return cmocka_run_group_tests_name("text", tests, NULL, NULL);
}
