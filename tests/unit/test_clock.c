/*
 * test_clock.c: common/clock.h, the RFC 3339 timestamps every answer and
 * event carries.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/clock.h"

static void
test_rfc3339_known(void **state)
{
	static const struct {
		int64_t		 ms;
		const char	*want;
	} cases[] = {
		{ 0, "1970-01-01T00:00:00.000Z" },
		{ 1, "1970-01-01T00:00:00.001Z" },
		{ 951782400999, "2000-02-29T00:00:00.999Z" },
		{ 1764028800123, "2025-11-25T00:00:00.123Z" },
		{ 1798761599050, "2026-12-31T23:59:59.050Z" },
		{ 253402300799999, "9999-12-31T23:59:59.999Z" },
	};
	char buf[CLOCK_RFC3339_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(buf, 'x', sizeof(buf));
		assert_ptr_equal(clock_rfc3339(cases[i].ms, buf), buf);
		assert_string_equal(buf, cases[i].want);
	}
}

/* Times that cannot be written in four-digit years read as the epoch,
 * never as a malformed or overlong string. */
static void
test_rfc3339_out_of_range(void **state)
{
	static const int64_t bad[] = { -1, -86400000, INT64_MIN,
	    253402300800000, INT64_MAX };
	char buf[CLOCK_RFC3339_SIZE];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		clock_rfc3339(bad[i], buf);
		assert_string_equal(buf, "1970-01-01T00:00:00.000Z");
	}
}

/* Agrees with the C library's own formatting across a spread of times. */
static void
test_rfc3339_matches_strftime(void **state)
{
	char buf[CLOCK_RFC3339_SIZE], want[64];
	uint64_t x = 88172645463325252ULL;
	struct tm tm;
	time_t secs;
	int64_t ms;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = (int64_t)(x % 253402300800000ULL);
		secs = (time_t)(ms / 1000);
		assert_non_null(gmtime_r(&secs, &tm));
		strftime(want, sizeof(want), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    ".%03dZ", (int)(ms % 1000));
		clock_rfc3339(ms, buf);
		if (strcmp(buf, want) != 0)
			fail_msg("%lld: %s, want %s", (long long)ms, buf, want);
	}
}

static void
test_parse_known(void **state)
{
	static const struct {
		const char	*s;
		int64_t		 ms;
	} cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "2026-05-27T12:00:00.000Z", 1779883200000LL },
		{ "2026-05-27T12:00:00Z", 1779883200000LL },
		{ "2026-05-27t12:00:00.5z", 1779883200500LL },
		{ "2026-05-27T12:00:00.123456789Z", 1779883200123LL },
		{ "2026-05-27T14:00:00+02:00", 1779883200000LL },
		{ "2026-05-27T07:30:00-04:30", 1779883200000LL },
		{ "2024-02-29T00:00:00Z", 1709164800000LL },
		{ "2016-12-31T23:59:60Z", 1483228799999LL },
		{ "9999-12-31T23:59:59.999Z", 253402300799999LL },
	};
	int64_t ms;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (clock_parse_rfc3339(cases[i].s, &ms) != 0)
			fail_msg("%s refused", cases[i].s);
		if (ms != cases[i].ms)
			fail_msg("%s: %lld, want %lld", cases[i].s,
			    (long long)ms, (long long)cases[i].ms);
	}
}

static void
test_parse_refuses(void **state)
{
	static const char *const bad[] = {
		"", "2026-05-27", "2026-05-27T12:00:00", "2026-05-27 12:00:00Z",
		"2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
		"2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
		"2026-05-27T24:00:00Z", "2026-05-27T12:60:00Z",
		"2026-05-27T12:00:61Z", "2026-05-27T12:00:00.Z",
		"2026-05-27T12:00:00.1234567890Z", "2026-05-27T12:00:00+24:00",
		"2026-05-27T12:00:00+02:60", "2026-05-27T12:00:00+0200",
		"2026-05-27T12:00:00Zjunk", "1969-12-31T23:59:59Z",
		"0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z",
		"-2026-05-27T12:00:00Z", "+2026-05-27T12:00:00Z",
		"2026-5-27T12:00:00Z", "2026-05-27T1:00:00Z",
		"2026-05-27T12:00:00 Z", " 2026-05-27T12:00:00Z",
		"2026-05-27T12:0a:00Z",
	};
	int64_t ms = 42;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (clock_parse_rfc3339(bad[i], &ms) != -1)
			fail_msg("\"%s\" taken as %lld", bad[i],
			    (long long)ms);
}

/* What clock_rfc3339 writes, clock_parse_rfc3339 reads back. */
static void
test_parse_round_trip(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	char buf[CLOCK_RFC3339_SIZE];
	int64_t ms, back;
	int i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		ms = (int64_t)(x % 253402300800000ULL);
		clock_rfc3339(ms, buf);
		assert_int_equal(clock_parse_rfc3339(buf, &back), 0);
		if (back != ms)
			fail_msg("%s: %lld, want %lld", buf, (long long)back,
			    (long long)ms);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc3339_known),
		cmocka_unit_test(test_rfc3339_out_of_range),
		cmocka_unit_test(test_rfc3339_matches_strftime),
		cmocka_unit_test(test_parse_known),
		cmocka_unit_test(test_parse_refuses),
		cmocka_unit_test(test_parse_round_trip),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
