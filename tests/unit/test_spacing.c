/*
 * test_spacing.c: when the writer spaces its commits (state/spacing.c):
 * the verdict's thresholds and hysteresis, the hold a batch gets, the
 * loop thread's run time read from its own schedstat (the wall clock
 * passed in, so that no test depends on how fast it runs), and the
 * reads a period must have beside its writes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "state/spacing.h"

#define MS	1000000ULL		/* ns */

static void
test_busy_thresholds(void **state)
{
	(void)state;
	/* 100 ms of wall clock. */
	assert_int_equal(spacing_busy(0, (SPACING_ON - 1) * MS, 100000), 0);
	assert_int_equal(spacing_busy(0, SPACING_ON * MS, 100000), 1);
	assert_int_equal(spacing_busy(1, SPACING_OFF * MS, 100000), 1);
	assert_int_equal(spacing_busy(1, (SPACING_OFF - 1) * MS, 100000), 0);
	/* Between the two, the verdict stands. */
	assert_int_equal(spacing_busy(0, (SPACING_OFF + 1) * MS, 100000), 0);
	assert_int_equal(spacing_busy(1, (SPACING_ON - 1) * MS, 100000), 1);
	/* No wall clock passed: nothing to go on. */
	assert_int_equal(spacing_busy(1, 0, 0), 1);
	assert_int_equal(spacing_busy(0, 50 * MS, -5), 0);
}

static void
test_hold(void **state)
{
	(void)state;
	assert_int_equal(spacing_hold_us(1, 3, 0, 10, 1000),
	    SPACING_GAP_US - 1000);
	assert_int_equal(spacing_hold_us(1, 1, 0, 2, 0), SPACING_GAP_US);
	/* Not busy: every commit starts at once. */
	assert_int_equal(spacing_hold_us(0, 3, 0, 10, 1000), 0);
	/* A full batch goes. */
	assert_int_equal(spacing_hold_us(1, SPACING_FILL, 0, 10, 1000), 0);
	assert_int_equal(spacing_hold_us(1, SPACING_FILL - 1, 0, 10, 1000),
	    SPACING_GAP_US - 1000);
	/* A prompt write (a delivery's outcome) takes the batch now. */
	assert_int_equal(spacing_hold_us(1, 3, 1, 10, 1000), 0);
	/* One write at a time (a lone client) never waits. */
	assert_int_equal(spacing_hold_us(1, 1, 0, 1, 1000), 0);
	assert_int_equal(spacing_hold_us(1, 1, 0, 0, 1000), 0);
	/* The gap is over, or the clock went back. */
	assert_int_equal(spacing_hold_us(1, 3, 0, 10, SPACING_GAP_US), 0);
	assert_int_equal(spacing_hold_us(1, 3, 0, 10, -1), 0);
}

/* This thread's run time in ns, or 0 without schedstat. */
static uint64_t
run_ns(void)
{
	unsigned long long run = 0;
	FILE *fp;

	if ((fp = fopen("/proc/thread-self/schedstat", "r")) == NULL)
		return 0;
	if (fscanf(fp, "%llu", &run) != 1)
		run = 0;
	fclose(fp);
	return run;
}

/* Spends ms of this thread's CPU. */
static void
burn(uint64_t ms)
{
	volatile uint64_t sink = 0;
	uint64_t start = run_ns();

	while (run_ns() - start < ms * MS)
		sink++;
}

/* Opens s on this thread; skips the test without schedstat. */
static void
open_or_skip(struct spacing *s)
{
	if (spacing_open(s) != 0) {
		spacing_close(s);
		skip();
	}
}

static void
test_sample_reads_this_thread(void **state)
{
	struct spacing s;

	(void)state;
	open_or_skip(&s);
	/* The first sample sets the baseline only. */
	assert_int_equal(spacing_sample(&s, 0, 0, 0), 0);
	/* Ten ms of this thread's CPU within one ms of (given) wall
	 * clock, far over SPACING_ON, with 10 reads for 5 writes: on. */
	burn(10);
	assert_int_equal(spacing_sample(&s, 1000, 10, 5), 1);
	/* Then next to no CPU over ten s: off. */
	assert_int_equal(spacing_sample(&s, 10001000, 20, 10), 0);
	spacing_close(&s);
	assert_int_equal(s.fd, -1);
	/* Closed: never on. */
	burn(10);
	assert_int_equal(spacing_sample(&s, 10002000, 30, 15), 0);
}

static void
test_writes_alone_never_spaced(void **state)
{
	struct spacing s;

	(void)state;
	open_or_skip(&s);
	assert_int_equal(spacing_sample(&s, 0, 100, 100), 0);
	/* Busy, but 1 read for 25 writes (ingest at c=50): not spaced. */
	burn(10);
	assert_int_equal(spacing_sample(&s, 1000, 101, 125), 0);
	/* As many reads as writes: spaced. */
	burn(10);
	assert_int_equal(spacing_sample(&s, 2000, 126, 150), 1);
	/* Fewer reads than writes again: off at once. */
	burn(10);
	assert_int_equal(spacing_sample(&s, 3000, 130, 175), 0);
	spacing_close(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_busy_thresholds),
		cmocka_unit_test(test_hold),
		cmocka_unit_test(test_sample_reads_this_thread),
		cmocka_unit_test(test_writes_alone_never_spaced),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
