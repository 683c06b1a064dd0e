/*
 * test_limits.c: relay/http/limits.h, token-bucket rate limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "relay/http/limits.h"

/* Monotonic clocks start anywhere: use an origin far from zero. */
#define T0	1000000

static int
setup(void **state)
{
	struct limiter *l;

	if ((l = limiter_new(60, 1000)) == NULL)
		return -1;
	*state = l;
	return 0;
}

static int
teardown(void **state)
{
	limiter_free(*state);
	return 0;
}

/* Takes n tokens at now, all of which must be granted. */
static void
take_n(struct limiter *l, const char *name, int64_t now, unsigned n)
{
	struct limit_info info;
	unsigned i;

	for (i = 0; i < n; i++)
		if (limiter_take(l, name, now, &info) != 1)
			fail_msg("take %u of %u refused", i + 1, n);
}

static void
test_burst_then_refused(void **state)
{
	struct limiter *l = *state;
	struct limit_info info;
	unsigned i;

	for (i = 0; i < 60; i++) {
		memset(&info, 0xff, sizeof(info));
		assert_int_equal(limiter_take(l, "key_a", T0, &info), 1);
		assert_int_equal(info.limit, 60);
		assert_int_equal(info.remaining, 59 - i);
		assert_true(info.reset_s > 0);
	}
	memset(&info, 0, sizeof(info));
	assert_int_equal(limiter_take(l, "key_a", T0, &info), 0);
	assert_int_equal(info.limit, 60);
	assert_int_equal(info.remaining, 0);
	assert_true(info.retry_after_s >= 1);
	assert_true(info.retry_after_s <= 2);
	assert_true(info.reset_s >= 59);
	assert_true(info.reset_s <= 61);
	/* Refusals do not dig a deeper hole. */
	assert_int_equal(limiter_take(l, "key_a", T0, &info), 0);
	assert_int_equal(limiter_take(l, "key_a", T0 + 1000, &info), 1);
}

static void
test_refill_one_per_second(void **state)
{
	struct limiter *l = *state;
	struct limit_info info;

	take_n(l, "key_a", T0, 60);
	assert_int_equal(limiter_take(l, "key_a", T0 + 500, &info), 0);
	assert_int_equal(limiter_take(l, "key_a", T0 + 1000, &info), 1);
	assert_int_equal(info.remaining, 0);
	assert_int_equal(limiter_take(l, "key_a", T0 + 1000, &info), 0);
	assert_true(info.retry_after_s >= 1);
}

static void
test_full_after_a_minute(void **state)
{
	struct limiter *l = *state;
	struct limit_info info;

	take_n(l, "key_a", T0, 60);
	assert_int_equal(limiter_take(l, "key_a", T0, &info), 0);
	assert_int_equal(limiter_take(l, "key_a", T0 + 60000, &info), 1);
	assert_int_equal(info.remaining, 59);
	/* Idle time beyond a minute does not overfill the bucket. */
	take_n(l, "key_a", T0 + 600000, 60);
	assert_int_equal(limiter_take(l, "key_a", T0 + 600000, &info), 0);
}

static void
test_names_independent(void **state)
{
	struct limiter *l = *state;
	struct limit_info info;

	take_n(l, "key_a", T0, 60);
	assert_int_equal(limiter_take(l, "key_a", T0, &info), 0);
	assert_int_equal(limiter_take(l, "key_b", T0, &info), 1);
	assert_int_equal(info.remaining, 59);
	assert_int_equal(limiter_take(l, "10.0.0.1", T0, NULL), 1);
	assert_int_equal(limiter_count(l), 3);
}

static void
test_sweep(void **state)
{
	struct limiter *l = *state;

	assert_int_equal(limiter_count(l), 0);
	take_n(l, "key_a", T0, 1);
	take_n(l, "key_b", T0, 60);
	take_n(l, "key_c", T0, 30);
	assert_int_equal(limiter_count(l), 3);

	/* Nothing has refilled yet. */
	limiter_sweep(l, T0 + 500);
	assert_int_equal(limiter_count(l), 3);
	/* key_a is full again after a second, key_c after 30 s, key_b after
	 * a minute. */
	limiter_sweep(l, T0 + 1000);
	assert_int_equal(limiter_count(l), 2);
	limiter_sweep(l, T0 + 29000);
	assert_int_equal(limiter_count(l), 2);
	limiter_sweep(l, T0 + 30000);
	assert_int_equal(limiter_count(l), 1);
	limiter_sweep(l, T0 + 60000);
	assert_int_equal(limiter_count(l), 0);

	/* A swept name comes back with a full bucket. */
	take_n(l, "key_b", T0 + 60000, 60);
	assert_int_equal(limiter_take(l, "key_b", T0 + 60000, NULL), 0);
}

static void
test_entry_cap(void **state)
{
	struct limiter *l;
	struct limit_info info;
	unsigned i;

	(void)state;
	assert_non_null(l = limiter_new(1, 2));
	assert_int_equal(limiter_take(l, "a", T0, NULL), 1);
	assert_int_equal(limiter_take(l, "b", T0, NULL), 1);
	assert_int_equal(limiter_take(l, "a", T0, NULL), 0);
	assert_int_equal(limiter_count(l), 2);
	/* Table full of non-full buckets: a newcomer is let through, every
	 * time, and not stored. (This logs a warning.) */
	for (i = 0; i < 3; i++) {
		assert_int_equal(limiter_take(l, "c", T0, &info), 1);
		assert_int_equal(info.limit, 1);
	}
	assert_int_equal(limiter_count(l), 2);
	/* Known names are still limited. */
	assert_int_equal(limiter_take(l, "b", T0, NULL), 0);
	/* Once the old buckets refill, a sweep makes room for the new. */
	assert_int_equal(limiter_take(l, "c", T0 + 60000, NULL), 1);
	assert_int_equal(limiter_take(l, "c", T0 + 60000, NULL), 0);
	limiter_free(l);
}

static void
test_set_rate(void **state)
{
	struct limiter *l = *state;
	struct limit_info info;

	take_n(l, "key_a", T0, 10);
	limiter_set_rate(l, 5);
	/* Level 50 is capped to the new size. */
	assert_int_equal(limiter_take(l, "key_a", T0, &info), 1);
	assert_int_equal(info.limit, 5);
	assert_int_equal(info.remaining, 4);
	take_n(l, "key_a", T0, 4);
	assert_int_equal(limiter_take(l, "key_a", T0, &info), 0);
	/* 5 per minute: one token every 12 s. */
	assert_true(info.retry_after_s >= 11 && info.retry_after_s <= 12);
	assert_int_equal(limiter_take(l, "key_a", T0 + 6000, NULL), 0);
	assert_int_equal(limiter_take(l, "key_a", T0 + 12000, NULL), 1);

	limiter_set_rate(l, 120);
	assert_int_equal(limiter_take(l, "key_b", T0, &info), 1);
	assert_int_equal(info.limit, 120);
	assert_int_equal(info.remaining, 119);
}

static void
test_info_null(void **state)
{
	struct limiter *l = *state;

	assert_int_equal(limiter_take(l, "key_a", T0, NULL), 1);
	limiter_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_burst_then_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refill_one_per_second,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_after_a_minute,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_independent, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sweep, setup, teardown),
		cmocka_unit_test(test_entry_cap),
		cmocka_unit_test_setup_teardown(test_set_rate, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_info_null, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("limits", tests, NULL, NULL);
}
