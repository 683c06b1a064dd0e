/*
 * test_flusher.c: relay/flusher.h, the group commit's flush thread,
 * against a temporary LMDB environment opened for group commit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "common/fz.h"
#include "relay/flusher.h"
#include "state/state.h"
#include "state/workspace.h"
#include "tests/unit/tmpdir.h"

struct fixture {
	struct tmpdir_fixture	 t;	/* first: tmpdir_fixture_free */
	struct event_base	*base;
	struct flusher		*fl;
	int			 calls;
	uint64_t		 upto;
	int			 err;
	int			 busy_in_cb;
};

static void
done_cb(void *arg, uint64_t n, int err)
{
	struct fixture *f = arg;

	f->calls++;
	f->upto = n;
	f->err = err;
	f->busy_in_cb = flusher_busy(f->fl);
	event_base_loopbreak(f->base);
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f != NULL) {
		flusher_free(f->fl);
		if (f->base != NULL)
			event_base_free(f->base);
	}
	return tmpdir_fixture_free(state);
}

static int
setup(void **state)
{
	static const struct state_opts opts = { 0, 1, 0 };
	struct fixture *f;

	if ((f = tmpdir_fixture_new(sizeof(*f), "flush", &opts)) == NULL)
		return -1;
	*state = f;
	if ((f->base = event_base_new()) == NULL ||
	    (f->fl = flusher_new(f->base, f->t.st, done_cb, f)) == NULL) {
		teardown(state);
		return -1;
	}
	return 0;
}

/* Runs the loop until the flush reports (the test's own deadline ends a
 * flush that never does). */
static void
wait_flush(struct fixture *f)
{
	struct timeval tv = { 10, 0 };

	event_base_loopexit(f->base, &tv);
	event_base_dispatch(f->base);
}

static void
test_flush_marks_commits_durable(void **state)
{
	struct fixture *f = *state;
	struct workspace ws;
	uint64_t n;

	/* Opening may have written (new databases). */
	assert_int_equal(state_sync(f->t.st), 0);
	assert_int_equal(state_unsynced(f->t.st), 0);
	assert_int_equal(workspace_create(f->t.st, "Flush One", PLAN_AGENCY,
	    &ws), 0);
	assert_int_equal(state_unsynced(f->t.st), 1);
	n = state_commits(f->t.st);
	assert_true(n > 0);
	assert_int_equal(flusher_start(f->fl), 1);
	assert_int_equal(flusher_busy(f->fl), 1);
	/* One flush at a time: a second ask waits for the first's end. */
	assert_int_equal(flusher_start(f->fl), 0);
	wait_flush(f);
	assert_int_equal(f->calls, 1);
	assert_int_equal(f->err, 0);
	assert_true(f->upto == n);
	assert_int_equal(f->busy_in_cb, 0);
	assert_int_equal(state_unsynced(f->t.st), 0);
}

static void
test_commit_during_flush_stays_unsynced(void **state)
{
	struct fixture *f = *state;
	struct workspace ws;
	uint64_t n;

	assert_int_equal(workspace_create(f->t.st, "Flush Two", PLAN_AGENCY,
	    &ws), 0);
	n = state_commits(f->t.st);
	assert_int_equal(flusher_start(f->fl), 1);
	/* Committed after the flush began: not covered by it. */
	assert_int_equal(workspace_create(f->t.st, "Flush Three", PLAN_AGENCY,
	    &ws), 0);
	wait_flush(f);
	assert_int_equal(f->calls, 1);
	assert_true(f->upto == n);
	assert_int_equal(state_unsynced(f->t.st), 1);
	assert_int_equal(flusher_start(f->fl), 1);
	wait_flush(f);
	assert_int_equal(f->calls, 2);
	assert_int_equal(state_unsynced(f->t.st), 0);
}

static void
test_free_while_flushing(void **state)
{
	struct fixture *f = *state;
	struct workspace ws;

	assert_int_equal(workspace_create(f->t.st, "Flush Four", PLAN_AGENCY,
	    &ws), 0);
	assert_int_equal(flusher_start(f->fl), 1);
	/* Waits for the flush, calls nothing back. */
	flusher_free(f->fl);
	f->fl = NULL;
	assert_int_equal(f->calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_flush_marks_commits_durable, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_commit_during_flush_stays_unsynced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_while_flushing,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
