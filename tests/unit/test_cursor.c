/*
 * test_cursor.c: common/cursor.h, opaque tamper-evident cursors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/cursor.h"
#include "common/fz.h"

static const unsigned char key[CURSOR_KEY_SIZE] = { 1, 2, 3 };
static const unsigned char other[CURSOR_KEY_SIZE] = { 9 };

static void
test_round_trip(void **state)
{
	char c[CURSOR_SIZE];
	uint64_t pos = 0;

	(void)state;
	assert_int_equal(cursor_encode(key, "ws_a:projects", 42, c), 0);
	assert_int_equal(strlen(c), CURSOR_SIZE - 1);
	assert_int_equal(strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
	    "qrstuvwxyz0123456789-_"), CURSOR_SIZE - 1);
	assert_int_equal(cursor_decode(key, "ws_a:projects", c, &pos), 0);
	assert_int_equal(pos, 42);
	assert_int_equal(cursor_encode(key, "s", UINT64_MAX, c), 0);
	assert_int_equal(cursor_decode(key, "s", c, &pos), 0);
	assert_true(pos == UINT64_MAX);
}

static void
test_tampered_refused(void **state)
{
	char c[CURSOR_SIZE], bad[CURSOR_SIZE];
	uint64_t pos = 7;
	size_t i;

	(void)state;
	assert_int_equal(cursor_encode(key, "ws_a:projects", 42, c), 0);
	for (i = 0; i < CURSOR_SIZE - 1; i++) {
		strcpy(bad, c);
		bad[i] = bad[i] == 'A' ? 'B' : 'A';
		assert_int_equal(cursor_decode(key, "ws_a:projects", bad, &pos),
		    FZ_EINVAL);
	}
	assert_int_equal(pos, 7);	/* untouched on failure */
}

static void
test_foreign_refused(void **state)
{
	char c[CURSOR_SIZE];
	uint64_t pos;

	(void)state;
	assert_int_equal(cursor_encode(key, "ws_a:projects", 42, c), 0);
	assert_int_equal(cursor_decode(key, "ws_b:projects", c, &pos),
	    FZ_EINVAL);
	assert_int_equal(cursor_decode(key, "ws_a:clients", c, &pos),
	    FZ_EINVAL);
	assert_int_equal(cursor_decode(other, "ws_a:projects", c, &pos),
	    FZ_EINVAL);
}

static void
test_garbage_refused(void **state)
{
	static const char *const junk[] = { "", "x", "../../etc/passwd",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "%00", "\xff\xfe" };
	uint64_t pos;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(cursor_decode(key, "s", junk[i], &pos),
		    FZ_EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tampered_refused),
		cmocka_unit_test(test_foreign_refused),
		cmocka_unit_test(test_garbage_refused),
	};

	return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
